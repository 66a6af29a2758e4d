"""Which channels are tracked and who may see them, verified with Telegram."""

import asyncio
import contextlib
import logging
import re
from dataclasses import KW_ONLY, dataclass
from datetime import timedelta

from db.channels import ChannelsRepository
from db.errors import NotFound
from services.bounds import bounded_int
from services.clock import Clock
from services.domain.channels import ChannelRecord, ChannelSummary
from services.entitlements import EntitlementsService
from services.errors import not_found_as
from services.plans import Allowance
from services.subscribers import SubscriberSnapshotService
from services.telegram import ChatUnavailable, TelegramGateway

log = logging.getLogger(__name__)

_USERNAME = re.compile(r"^(?:https?://)?(?:t\.me/|telegram\.me/)?@?([A-Za-z][A-Za-z0-9_]{3,31})/?$")
_CHAT_ID = re.compile(r"^-?[0-9]{5,20}$", re.ASCII)


class ChannelAccessError(Exception):
    """The base of everything that stops a user from reaching a channel."""


class InvalidChannelRef(ChannelAccessError):
    """The text does not look like a channel @username, link or id."""


class ChannelNotFound(ChannelAccessError):
    """Telegram does not know the channel, or the bot cannot see it."""


class NotAChannel(ChannelAccessError):
    """The chat exists but is a group or a private chat."""


class BotNotAdmin(ChannelAccessError):
    """The bot has to be an admin of the channel first."""


class NotChannelAdmin(ChannelAccessError):
    """The user does not administer the channel, as Telegram says."""


class NoChannels(ChannelAccessError):
    """The user tracks no channel yet."""


class ChannelChoiceNeeded(ChannelAccessError):
    """The user tracks several channels and named none of them."""

    def __init__(self, channels: list[ChannelRecord]) -> None:
        super().__init__("choose a channel")
        self.channels = channels


@dataclass(frozen=True)
class TrackResult:
    channel: ChannelRecord
    user_linked: bool
    was_tracked: bool


def parse_channel_ref(text: str) -> int | str:
    """A channel id (-100...) or an @username from what a user typed: @name, name, t.me/name."""
    text = text.strip()
    if _CHAT_ID.match(text):
        chat_id = bounded_int(text)
        if chat_id is None:
            raise InvalidChannelRef(text)
        return chat_id
    match = _USERNAME.match(text)
    if match is None:
        raise InvalidChannelRef(text)
    return f"@{match.group(1)}"


@dataclass(frozen=True)
class ChannelService:
    channels: ChannelsRepository
    telegram: TelegramGateway
    entitlements: EntitlementsService
    subscribers: SubscriberSnapshotService
    clock: Clock
    _: KW_ONLY
    admin_verify_ttl: timedelta
    concurrency: int

    async def on_bot_promoted(
        self, *, channel_id: int, title: str, username: str | None, added_by: int | None
    ) -> TrackResult:
        """The bot became an admin of a channel: track it and link its admins.

        Raises LimitReached when a new channel would take the adder past their plan.
        """
        was_tracked = await self._is_tracked(channel_id)
        if not was_tracked and added_by is not None:
            await self._ensure_room_for_channel(added_by)
        channel = await self.channels.track(channel_id=channel_id, title=title, username=username)
        admins = await self.telegram.get_admins(channel_id)
        await self.channels.set_admins(
            channel_id=channel_id, admin_ids=admins.human_ids, verified_at=self.clock.now()
        )
        if not was_tracked:
            await self.channels.announce_tracked(channel=channel, at=self.clock.now())
        await self.subscribers.snapshot_channel(channel_id)
        linked = added_by is not None and added_by in admins.human_ids
        return TrackResult(channel=channel, user_linked=linked, was_tracked=was_tracked)

    async def on_bot_removed(self, *, channel_id: int) -> None:
        """The bot lost its admin rights or was removed: stop tracking, keep the data.

        Its admins are forgotten: the bot can no longer see who administers the channel, so
        nobody keeps access, nor share links, on the strength of an old check. Making the bot
        an admin again links them anew.
        """
        await self.channels.detach_bot(channel_id=channel_id, at=self.clock.now())

    async def recheck_admins(self, *, channel_id: int) -> None:
        """Ask Telegram who administers a tracked channel now; those who no longer do lose
        access, and their share links, at once."""
        if not await self._is_tracked(channel_id):
            return
        try:
            await self._refresh_admins(channel_id)
        except ChatUnavailable:
            log.info("channel %s is no longer reachable; tracking stopped", channel_id)
            await self.on_bot_removed(channel_id=channel_id)

    async def add_for_user(self, *, user_id: int, ref: str) -> TrackResult:
        """Track a channel named by a user, who must administer it, as must the bot."""
        try:
            chat = await self.telegram.get_chat(parse_channel_ref(ref))
        except ChatUnavailable as error:
            raise ChannelNotFound(ref) from error
        if chat.type != "channel":
            raise NotAChannel(ref)
        try:
            admins = await self.telegram.get_admins(chat.id)
        except ChatUnavailable as error:
            raise BotNotAdmin(chat.title) from error
        if not admins.bot_is_admin:
            raise BotNotAdmin(chat.title)
        if user_id not in admins.human_ids:
            raise NotChannelAdmin(chat.title)
        was_tracked = await self._is_tracked(chat.id)
        if not was_tracked:
            await self._ensure_room_for_channel(user_id)
        channel = await self.channels.track(
            channel_id=chat.id, title=chat.title, username=chat.username
        )
        await self.channels.set_admins(
            channel_id=chat.id, admin_ids=admins.human_ids, verified_at=self.clock.now()
        )
        if not was_tracked:
            await self.channels.announce_tracked(channel=channel, at=self.clock.now())
        await self.subscribers.snapshot_channel(chat.id)
        return TrackResult(channel=channel, user_linked=True, was_tracked=was_tracked)

    async def list_for_user(self, *, user_id: int) -> list[ChannelSummary]:
        return await self.channels.list_for_user(user_id=user_id)

    async def require_admin(self, *, user_id: int, channel_id: int) -> ChannelRecord:
        """The channel, if the user administers it; asks Telegram again when the check is stale."""
        with not_found_as(NotChannelAdmin(str(channel_id))):
            verified_at = await self.channels.admin_verified_at(
                channel_id=channel_id, user_id=user_id
            )
        if self.clock.now() - verified_at > self.admin_verify_ttl:
            try:
                await self._refresh_admins(channel_id)
                await self.channels.admin_verified_at(channel_id=channel_id, user_id=user_id)
            except (NotFound, ChatUnavailable) as error:
                raise NotChannelAdmin(str(channel_id)) from error
        return await self.channels.get(channel_id=channel_id)

    async def administered_channels(self, *, user_id: int) -> list[ChannelRecord]:
        """The user's tracked channels that Telegram still says they administer (asked again
        where the last check is stale), for work that shows several at once (/check, the digest)."""
        channels = []
        for summary in await self.channels.list_for_user(user_id=user_id):
            if summary.channel.is_tracked:
                with contextlib.suppress(NotChannelAdmin):
                    channels.append(
                        await self.require_admin(user_id=user_id, channel_id=summary.channel.id)
                    )
        return channels

    async def resolve_for_user(self, *, user_id: int, ref: str | None) -> ChannelRecord:
        """The channel a command means: the one named, or the user's only one."""
        summaries = await self.channels.list_for_user(user_id=user_id)
        if ref is None or not ref.strip():
            if not summaries:
                raise NoChannels()
            if len(summaries) > 1:
                raise ChannelChoiceNeeded([s.channel for s in summaries])
            channel_id = summaries[0].channel.id
        else:
            wanted = parse_channel_ref(ref)
            matches = [
                s.channel.id
                for s in summaries
                if s.channel.id == wanted
                or (s.channel.username and f"@{s.channel.username}".lower() == str(wanted).lower())
            ]
            if not matches:
                raise NotChannelAdmin(ref)
            channel_id = matches[0]
        return await self.require_admin(user_id=user_id, channel_id=channel_id)

    async def stop_tracking(self, *, user_id: int, channel_id: int, delete_data: bool) -> None:
        await self.require_admin(user_id=user_id, channel_id=channel_id)
        if delete_data:
            await self.channels.delete(channel_id=channel_id, at=self.clock.now())
        else:
            await self.channels.stop_tracking(channel_id=channel_id, at=self.clock.now())

    async def recheck_all_admins(self) -> None:
        """Ask Telegram who administers each tracked channel; the scheduler runs this."""
        semaphore = asyncio.Semaphore(self.concurrency)

        async def recheck(channel_id: int) -> None:
            async with semaphore:
                try:
                    await self.recheck_admins(channel_id=channel_id)
                except Exception:
                    log.exception("admin re-check of channel %s failed", channel_id)

        await asyncio.gather(*(recheck(cid) for cid in await self.channels.tracked_ids()))

    async def _refresh_admins(self, channel_id: int) -> None:
        admins = await self.telegram.get_admins(channel_id)
        if not admins.bot_is_admin:
            raise ChatUnavailable(f"the bot is no longer an admin of {channel_id}")
        await self.channels.set_admins(
            channel_id=channel_id, admin_ids=admins.human_ids, verified_at=self.clock.now()
        )

    async def _ensure_room_for_channel(self, user_id: int) -> None:
        await self.entitlements.ensure_room(user_id=user_id, allowance=Allowance.CHANNELS)

    async def _is_tracked(self, channel_id: int) -> bool:
        try:
            return (await self.channels.get(channel_id=channel_id)).is_tracked
        except NotFound:
            return False
