"""Where subscribers come from: the bot's invite links for campaigns, every join counted to
its source, what each source's subscribers did afterwards, and what each one cost.

A join is counted to the bot's own link exactly, to another admin's link (Telegram shows it
shortened) as a source of its own, to a chat folder's link, to a join request, or, with no
link, as organic. A leave takes the source of its subscriber's join, found by a keyed hash
(services.installation_secrets.SubscriberHasher), never by the Telegram id.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from babel.numbers import get_currency_precision, list_currencies

from db.errors import NotFound
from db.sources import SourcesRepository
from services.channels import ChannelService
from services.clock import Clock
from services.domain.channels import ChannelRecord
from services.domain.sources import InviteLinkRecord, SourceCounts, SourceKind
from services.entitlements import EntitlementsService
from services.outgoing import MessageRejected, OutgoingQueue, QueueClosed, RecipientBlocked
from services.plans import Allowance
from services.telegram import ChatUnavailable

log = logging.getLogger(__name__)

NAME_MAX = 32  # Telegram's limit on an invite link's name
WELCOME_MAX = 1000
MEMBER_LIMIT_MAX = 99999
# The lifetimes offered when a link is made; None: it never expires.
LINK_LIFETIME_DAYS: tuple[int | None, ...] = (1, 7, 30, None)
# The order sources are shown in after the links.
_KIND_ORDER = {
    SourceKind.LINK: 0,
    SourceKind.FOLDER: 1,
    SourceKind.REQUEST: 2,
    SourceKind.ORGANIC: 3,
    SourceKind.UNKNOWN: 4,
}
_CURRENCIES = frozenset(list_currencies())
# "150", "1 500,50", "1,500.50", "99.9" and a currency code before or after: "150 USD".
_COST = re.compile(r"^\s*(?:([A-Za-z]{3})\s*)?([0-9][0-9 \u00a0.,]*)\s*([A-Za-z]{3})?\s*$")


class InviteRightMissing(Exception):
    """The bot may not manage the channel's invite links: it lacks `right`."""

    right = "can_invite_users"


class LinkNotMadeByBot(Exception):
    """Only the admin who made the link (or the channel's owner) can change it in Telegram."""


class LinkGone(Exception):
    """No such link of the user's channels (revoked in Telegram, or never there)."""


class InvalidCost(ValueError):
    """Not an amount and a currency code, or an amount the currency has no cents for."""


class InvalidLinkDraft(ValueError):
    """A name, limit or welcome message Telegram or the bot would refuse."""


class InviteLinkGateway(Protocol):
    """What sources need from Telegram; raise InviteRightMissing, LinkNotMadeByBot, LinkGone
    or ChatUnavailable."""

    async def create_invite_link(
        self,
        chat_id: int,
        *,
        name: str,
        expire_date: datetime | None,
        member_limit: int | None,
        creates_join_request: bool,
    ) -> str:
        """The new link's URL."""
        ...

    async def revoke_invite_link(self, chat_id: int, url: str) -> None: ...

    async def approve_join_request(self, chat_id: int, user_id: int) -> None: ...

    async def send_welcome(self, user_chat_id: int, text: str) -> None:
        """Write to someone who asked to join, in the outgoing queue's slot; raises
        RecipientBlocked or MessageRejected if Telegram would not deliver it, FloodWait on 429."""
        ...


@dataclass(frozen=True)
class LinkDraft:
    """A link as the owner asked for it, before Telegram makes it."""

    name: str
    lifetime_days: int | None = None
    member_limit: int | None = None
    creates_join_request: bool = False
    auto_approve: bool = False
    welcome_text: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.name.strip()) <= NAME_MAX:
            raise InvalidLinkDraft("name")
        if self.lifetime_days not in LINK_LIFETIME_DAYS:
            raise InvalidLinkDraft("lifetime")
        if self.member_limit is not None and not 1 <= self.member_limit <= MEMBER_LIMIT_MAX:
            raise InvalidLinkDraft("member_limit")
        if self.creates_join_request and self.member_limit is not None:
            raise InvalidLinkDraft("member_limit")  # Telegram takes one or the other
        if self.auto_approve and not self.creates_join_request:
            raise InvalidLinkDraft("auto_approve")
        if self.welcome_text is not None and not 1 <= len(self.welcome_text) <= WELCOME_MAX:
            raise InvalidLinkDraft("welcome_text")


@dataclass(frozen=True)
class Money:
    minor: int  # in the currency's smallest unit
    currency: str  # ISO 4217

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-get_currency_precision(self.currency))


def parse_cost(text: str) -> Money:
    """What a campaign cost, as typed: "150 USD", "EUR 99.90", "1 500,50 RUB"."""
    match = _COST.match(text or "")
    if not match or bool(match.group(1)) == bool(match.group(3)):
        raise InvalidCost(text)
    currency = (match.group(1) or match.group(3)).upper()
    if currency not in _CURRENCIES:
        raise InvalidCost(text)
    digits = re.sub(r"[ \u00a0]", "", match.group(2))
    # The last "." or "," followed by one or two digits is the decimal mark; others group.
    decimal = re.search(r"[.,]([0-9]{1,2})$", digits)
    whole = digits[: decimal.start()] if decimal else digits
    if not re.fullmatch(r"[0-9]+(?:[.,][0-9]{3})*", whole):
        raise InvalidCost(text)
    amount = Decimal(re.sub(r"[.,]", "", whole) + ("." + decimal.group(1) if decimal else ""))
    precision = get_currency_precision(currency)
    minor = amount.scaleb(precision)
    if minor != minor.to_integral_value() or minor > 10**15:
        raise InvalidCost(text)
    return Money(minor=int(minor), currency=currency)


def cost_per(cost: Money, subscribers: int) -> Money | None:
    """What one subscriber cost, rounded half up to the currency's minor unit."""
    if subscribers <= 0:
        return None
    minor = (Decimal(cost.minor) / subscribers).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money(minor=int(minor), currency=cost.currency)


@dataclass(frozen=True)
class Source:
    """A source's numbers as the owner sees them; shares are fractions, None when nobody
    joined long enough ago to tell."""

    counts: SourceCounts
    retention_7d: float | None
    retention_30d: float | None
    cost: Money | None
    cost_per_subscriber: Money | None
    cost_per_stayed: Money | None  # per subscriber still there now

    @property
    def link(self) -> InviteLinkRecord | None:
        return self.counts.link


def _source(counts: SourceCounts) -> Source:
    link = counts.link
    cost = Money(link.cost_minor, link.currency) if link and link.currency else None
    return Source(
        counts=counts,
        retention_7d=counts.stayed_7d / counts.old_enough_7d if counts.old_enough_7d else None,
        retention_30d=(
            counts.stayed_30d / counts.old_enough_30d if counts.old_enough_30d else None
        ),
        cost=cost,
        cost_per_subscriber=cost_per(cost, counts.joins) if cost else None,
        cost_per_stayed=cost_per(cost, counts.net) if cost else None,
    )


@dataclass(frozen=True)
class SourcesReport:
    channel: ChannelRecord
    sources: tuple[Source, ...]  # the bot's links first (newest first), then the others
    now: datetime


@dataclass(frozen=True)
class SourcesService:
    sources: SourcesRepository
    gateway: InviteLinkGateway
    channels: ChannelService
    entitlements: EntitlementsService
    outgoing: OutgoingQueue
    clock: Clock

    async def ensure_room_for_link(self, *, user_id: int) -> None:
        """Raise LimitReached when the user's plan allows no more live links."""
        await self.entitlements.ensure_room(user_id=user_id, allowance=Allowance.INVITE_LINKS)

    async def channel_of(self, *, user_id: int, channel_id: int) -> ChannelRecord:
        """The channel, once the user is checked as its admin (ChannelAccessError if not)."""
        return await self.channels.require_admin(user_id=user_id, channel_id=channel_id)

    async def create_link(
        self, *, user_id: int, channel_id: int, draft: LinkDraft
    ) -> InviteLinkRecord:
        """Make the link in Telegram and keep it; raises ChannelAccessError, LimitReached,
        InviteRightMissing or ChatUnavailable."""
        channel = await self.channel_of(user_id=user_id, channel_id=channel_id)
        await self.ensure_room_for_link(user_id=user_id)
        now = self.clock.now()
        expire = now + timedelta(days=draft.lifetime_days) if draft.lifetime_days else None
        url = await self.gateway.create_invite_link(
            channel.id,
            name=draft.name.strip(),
            expire_date=expire,
            member_limit=draft.member_limit,
            creates_join_request=draft.creates_join_request,
        )
        return await self.sources.create_link(
            channel_id=channel.id,
            url=url,
            name=draft.name.strip(),
            created_by=user_id,
            created_at=now,
            expire_date=expire,
            member_limit=draft.member_limit,
            creates_join_request=draft.creates_join_request,
            auto_approve=draft.auto_approve,
            welcome_text=draft.welcome_text,
        )

    async def report(self, *, channel: ChannelRecord) -> SourcesReport:
        """Every source of the channel with its numbers, as of now. The caller has checked
        that the user administers the channel."""
        now = self.clock.now()
        counts = await self.sources.source_counts(channel_id=channel.id, now=now)
        ordered = sorted(
            counts,
            key=lambda c: (
                _KIND_ORDER[c.kind],
                not (c.link and c.link.made_by_bot),
                -(c.link.created_at.timestamp() if c.link and c.link.made_by_bot else c.joins),
                -(c.link.id if c.link else 0),  # the newest first
            ),
        )
        return SourcesReport(channel=channel, sources=tuple(map(_source, ordered)), now=now)

    async def _channels_link(self, *, channel: ChannelRecord, link_id: int) -> InviteLinkRecord:
        try:
            link = await self.sources.get_link(link_id=link_id)
        except NotFound:
            raise LinkGone(str(link_id)) from None
        if link.channel_id != channel.id:
            raise LinkGone(str(link_id))
        return link

    async def source_of_link(
        self, *, channel: ChannelRecord, link_id: int
    ) -> tuple[SourcesReport, Source]:
        """One link of the channel with its numbers; raises LinkGone. The caller has checked
        that the user administers the channel."""
        report = await self.report(channel=channel)
        source = next((s for s in report.sources if s.link and s.link.id == link_id), None)
        if source is None:
            raise LinkGone(str(link_id))
        return report, source

    async def revoke(self, *, channel: ChannelRecord, link_id: int) -> InviteLinkRecord:
        """Revoke the link in Telegram; raises LinkNotMadeByBot for another admin's link,
        InviteRightMissing, ChatUnavailable, LinkGone."""
        link = await self._channels_link(channel=channel, link_id=link_id)
        if not link.made_by_bot or link.url is None:
            raise LinkNotMadeByBot(str(link_id))
        if link.revoked_at is None:
            try:
                await self.gateway.revoke_invite_link(link.channel_id, link.url)
            except LinkGone:
                log.info("link %s was revoked in Telegram already", link_id)
            await self.sources.mark_revoked(link_id=link_id, at=self.clock.now())
        return await self.sources.get_link(link_id=link_id)

    async def set_cost(self, *, channel: ChannelRecord, link_id: int, text: str) -> Money:
        """Keep what the link's campaign cost; raises InvalidCost, LinkGone."""
        cost = parse_cost(text)
        link = await self._channels_link(channel=channel, link_id=link_id)
        await self.sources.set_cost(link_id=link.id, cost_minor=cost.minor, currency=cost.currency)
        return cost

    async def on_join_request(
        self, *, channel_id: int, user_id: int, user_chat_id: int, url: str | None
    ) -> bool:
        """Approve a join request through one of the bot's links that says so, and welcome
        the new subscriber; True if approved. The join itself is counted when Telegram
        reports it."""
        if url is None:
            return False
        try:
            link = await self.sources.bot_link_by_url(channel_id=channel_id, url=url)
        except NotFound:
            return False
        if not link.auto_approve or link.revoked_at is not None:
            return False
        try:
            await self.gateway.approve_join_request(channel_id, user_id)
        except (InviteRightMissing, ChatUnavailable, LinkGone) as error:
            log.info("join request to %s not approved: %r", channel_id, error)
            return False
        if link.welcome_text:
            # Paced with every other message the bot sends on its own, in all processes.
            try:
                await self.outgoing.send(
                    user_chat_id,
                    lambda: self.gateway.send_welcome(user_chat_id, link.welcome_text),
                )
            except (RecipientBlocked, MessageRejected, QueueClosed) as error:
                log.info("welcome to a subscriber of %s not delivered: %r", channel_id, error)
        return True
