"""/links: a channel's invite links and other sources of subscribers, making and revoking a
link, a campaign's cost; the Sources section of /stats."""

from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_currency

from bot.i18n_texts.common import page_line
from bot.paging import Page
from services.domain.channels import ChannelRecord
from services.domain.sources import InviteLinkRecord, PeriodSource, SourceKind
from services.i18n import Message, PluralMessage, Translator
from services.i18n_texts.sources import UNNAMED_LINK, source_label
from services.sources import Money, Source, SourcesReport

NEW_LINK_BUTTON = Message("sources-new-link-button", "➕ New link")
LINK_BUTTON = Message("sources-link-button", "{number}. {name}")
COST_BUTTON = Message("sources-cost-button", "💰 Campaign cost")
REVOKE_BUTTON = Message("sources-revoke-button", "🚫 Revoke")
BACK_BUTTON = Message("sources-back-button", "◀ All sources")
CANCEL_BUTTON = Message("sources-cancel-button", "✖ Cancel")
KIND_OPEN_BUTTON = Message("sources-kind-open-button", "Anyone with the link joins")
KIND_REQUESTS_BUTTON = Message("sources-kind-requests-button", "Join requests, admins approve")
KIND_APPROVED_BUTTON = Message(
    "sources-kind-approved-button", "Join requests, the bot approves and welcomes"
)
LIFETIME_BUTTON = PluralMessage("sources-lifetime-button", "{n} day", "{n} days")
NO_EXPIRY_BUTTON = Message("sources-no-expiry-button", "No expiry")
NO_LIMIT_BUTTON = Message("sources-no-limit-button", "No limit")
NO_WELCOME_BUTTON = Message("sources-no-welcome-button", "No welcome message")

TITLE = Message("sources-title", "🔗 <b>Where subscribers of {title} come from</b>")
EMPTY = Message(
    "sources-empty",
    "No joins yet, and no links. Make a link for each campaign with <b>New link</b>: "
    "everyone who joins through it is counted to it.",
)
LINE = Message("sources-line", "{number}. <b>{name}</b>{details}")
COUNTS = Message("sources-counts", "   ➕ {joins} · ➖ {leaves} · net {net}")
RETENTION = Message("sources-retention", "   stayed 7 days: {week} · 30 days: {month}")
COSTS = Message(
    "sources-costs", "   💰 {cost}: {per_subscriber} a subscriber, {per_stayed} one who stayed"
)
NOT_YET = Message("sources-not-yet", "not yet")
NO_ONE = "—"
LINK_URL = Message("sources-link-url", "<code>{url}</code>")
EXPIRES = Message("sources-expires", "expires {date}")
EXPIRED = Message("sources-expired", "expired {date}")
LIMIT = PluralMessage("sources-limit", "up to {n} member", "up to {n} members")
REQUESTS = Message("sources-requests", "join requests")
AUTO_APPROVED = Message("sources-auto-approved", "join requests approved by the bot")
REVOKED = Message("sources-revoked", "revoked")
OTHER_ADMINS = Message("sources-other-admins", "another admin's link")
FOOTNOTE = Message(
    "sources-footnote",
    "<i>A leave counts against the source its subscriber joined through. “Stayed” counts "
    "those who joined at least that long ago.</i>",
)

ASK_NAME = Message(
    "sources-ask-name",
    "New invite link for <b>{title}</b>. Send its name (up to {max} characters), "
    "e.g. <i>Ad in @partner, December</i>.",
)
BAD_NAME = Message("sources-bad-name", "A name has 1 to {max} characters. Send another.")
ASK_KIND = Message("sources-ask-kind", "Who gets in through <b>{name}</b>?")
ASK_LIFETIME = Message("sources-ask-lifetime", "How long should the link work?")
ASK_LIMIT = Message(
    "sources-ask-limit",
    "How many people may join through it? Send a number from 1 to {max}, or tap No limit.",
)
BAD_LIMIT = Message("sources-bad-limit", "Send a number from 1 to {max}, or tap No limit.")
ASK_WELCOME = Message(
    "sources-ask-welcome",
    "Send the message the bot writes to everyone it lets in (up to {max} characters), "
    "or tap No welcome message.",
)
BAD_WELCOME = Message("sources-bad-welcome", "A welcome message has up to {max} characters.")
CANCELLED = Message("sources-cancelled", "No link made.")
WIZARD_EXPIRED = Message(
    "sources-wizard-expired", "That question is closed. Send /links to make a link."
)
CREATED = Message(
    "sources-created",
    "✅ <b>{name}</b>{details}\n<code>{url}</code>\n\nShare it in the campaign; everyone who "
    "joins through it is counted to it in /links.",
)
NO_RIGHT = Message(
    "sources-no-right",
    "I can't manage invite links of <b>{title}</b>: I need the admin right "
    "<b>Invite users via link</b> (<code>{right}</code>). Give it to me in the channel's "
    "admin settings and try again.",
)
TELEGRAM_REFUSED = Message(
    "sources-telegram-refused", "Telegram didn't let me do that just now. Try again later."
)
NOT_OURS = Message(
    "sources-not-ours",
    "This link was made by another admin, not by me: only they (or the channel's owner) can "
    "revoke it, in the channel's invite links in Telegram. It stays a source here.",
)
LINK_GONE = Message("sources-link-gone", "That link is no longer there.")
REVOKED_DONE = Message(
    "sources-revoked-done", "🚫 <b>{name}</b> is revoked: nobody new joins through it."
)
ASK_COST = Message(
    "sources-ask-cost",
    "What did the campaign of <b>{name}</b> cost? Send the amount and the currency, "
    "e.g. <code>150 USD</code> or <code>12 500 RUB</code>.",
)
BAD_COST = Message(
    "sources-bad-cost",
    "I need an amount and a three-letter currency code, e.g. <code>150 USD</code>, "
    "<code>99.90 EUR</code> or <code>12 500,50 RUB</code>.",
)
COST_SET = Message("sources-cost-set", "💰 Noted: <b>{name}</b> cost {cost}.")

ALERT_KIND = Message("sources-alert-kind", "Link burst or fast leaves")
ALERT_KIND_EXPLAINED = Message(
    "sources-alert-kind-explained",
    "one invite link brings several times the channel's usual joins in an hour (bought "
    "subscribers look like that), or its subscribers leave several times faster than the "
    "channel's",
)
ALERT_RULE = Message(
    "sources-alert-rule",
    "a link brings {factor}× the usual joins, or its subscribers leave {factor}× faster",
)
ALERT_QUESTION = Message(
    "sources-alert-question",
    "How many times the usual? (Joins per hour against the past week's; the share who leave "
    "within 7 days against the channel's.)",
)
ALERT_BURST = PluralMessage(
    "sources-alert-burst",
    "<b>{n}</b> subscriber joined through <b>{link}</b> in the last hour; the channel usually "
    "gets {usual} an hour.",
    "<b>{n}</b> subscribers joined through <b>{link}</b> in the last hour; the channel usually "
    "gets {usual} an hour.",
)
ALERT_LEAVING = Message(
    "sources-alert-leaving",
    "Of those who joined through <b>{link}</b>, {share} left within 7 days ({left} of "
    "{joined}); across the channel, {usual}.",
)

STATS_SECTION = Message("sources-stats-section", "🔗 <b>Sources</b>")
STATS_LINE = Message("sources-stats-line", "• {name}: ➕ {joins} · ➖ {leaves}")
STATS_MORE = PluralMessage("sources-stats-more", "…and {n} more: /links", "…and {n} more: /links")
STATS_SOURCES_SHOWN = 5


def money(t: Translator, value: Money | None) -> str:
    if value is None:
        return NO_ONE
    return format_currency(value.amount, value.currency, locale=t.locale)


def _share(t: Translator, fraction: float | None) -> str:
    return t(NOT_YET) if fraction is None else t.percent(fraction, digits=0)


def _day(t: Translator, when: datetime, time_zone: str) -> str:
    return t.date(when.astimezone(ZoneInfo(time_zone)).date(), "d MMM y")


def link_details(t: Translator, link: InviteLinkRecord, *, now: datetime, time_zone: str) -> str:
    """What is special about a link: who made it, expiry, member limit, join requests."""
    parts = []
    if not link.made_by_bot:
        parts.append(t(OTHER_ADMINS))
    if link.revoked_at is not None:
        parts.append(t(REVOKED))
    if link.expire_date is not None:
        expired = link.expire_date <= now
        parts.append(t(EXPIRED if expired else EXPIRES, date=_day(t, link.expire_date, time_zone)))
    if link.member_limit is not None:
        parts.append(t.plural(LIMIT, link.member_limit))
    if link.auto_approve:
        parts.append(t(AUTO_APPROVED))
    elif link.creates_join_request:
        parts.append(t(REQUESTS))
    return f" ({', '.join(parts)})" if parts else ""


def _source_lines(
    t: Translator, number: int, source: Source, *, now: datetime, time_zone: str
) -> list[str]:
    counts = source.counts
    link = source.link
    details = link_details(t, link, now=now, time_zone=time_zone) if link else ""
    name = escape(source_name(t, source))
    lines = [
        t(LINE, number=number, name=name, details=details),
        t(
            COUNTS,
            joins=t.number(counts.joins),
            leaves=t.number(counts.leaves),
            net=t.number(counts.net),
        ),
    ]
    if counts.kind is not SourceKind.UNKNOWN:
        lines.append(
            t(RETENTION, week=_share(t, source.retention_7d), month=_share(t, source.retention_30d))
        )
    if source.cost is not None:
        lines.append(
            t(
                COSTS,
                cost=money(t, source.cost),
                per_subscriber=money(t, source.cost_per_subscriber),
                per_stayed=money(t, source.cost_per_stayed),
            )
        )
    return lines


def sources_page(
    t: Translator, report: SourcesReport, page: Page[Source], *, time_zone: str
) -> str:
    lines = [t(TITLE, title=escape(report.channel.title)), ""]
    if not report.sources:
        return "\n".join([*lines, t(EMPTY)])
    for number, source in page.numbered():
        lines += _source_lines(t, number, source, now=report.now, time_zone=time_zone)
    lines += page_line(t, page)
    lines += ["", t(FOOTNOTE)]
    return "\n".join(lines)


def link_card(
    t: Translator, channel: ChannelRecord, source: Source, *, now: datetime, time_zone: str
) -> str:
    lines = [t(TITLE, title=escape(channel.title)), ""]
    lines += _source_lines(t, 1, source, now=now, time_zone=time_zone)
    if source.link and source.link.url:
        lines.append(t(LINK_URL, url=escape(source.link.url)))
    return "\n".join(lines)


def source_name(t: Translator, source: Source) -> str:
    link = source.link
    return source_label(t, source.counts.kind, (link.name or link.url) if link else None)


def link_button(t: Translator, number: int, source: Source) -> str:
    return t(LINK_BUTTON, number=number, name=source_name(t, source))


def created(t: Translator, link: InviteLinkRecord, *, now: datetime, time_zone: str) -> str:
    return t(
        CREATED,
        name=escape(link.name or ""),
        details=link_details(t, link, now=now, time_zone=time_zone),
        url=escape(link.url or ""),
    )


def stats_section(t: Translator, sources: tuple[PeriodSource, ...]) -> list[str]:
    """The Sources lines of /stats: the sources with most joins in the period."""
    if not sources:
        return []
    lines = ["", t(STATS_SECTION)]
    for source in sources[:STATS_SOURCES_SHOWN]:
        name = escape(source_label(t, source.kind, source.link_name))
        lines.append(
            t(STATS_LINE, name=name, joins=t.number(source.joins), leaves=t.number(source.leaves))
        )
    if len(sources) > STATS_SOURCES_SHOWN:
        lines.append(t.plural(STATS_MORE, len(sources) - STATS_SOURCES_SHOWN))
    return lines


def alert_facts(t: Translator, details: Mapping[str, Any]) -> str:
    """What a link's alert saw: a burst of joins, or its subscribers leaving fast."""
    link = escape(str(details.get("link") or t(UNNAMED_LINK)))
    if details.get("reason") == "leaving":
        return t(
            ALERT_LEAVING,
            link=link,
            share=t.percent(details["share"], digits=0),
            left=t.number(details["left"]),
            joined=t.number(details["joined"]),
            usual=t.percent(details["usual_share"], digits=0),
        )
    return t.plural(
        ALERT_BURST, details["joins"], link=link, usual=t.number(details["usual"], digits=1)
    )
