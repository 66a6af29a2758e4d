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
from services.i18n import Messages, Translator
from services.i18n_texts.sources import UNNAMED_LINK, source_label
from services.sources import Money, Source, SourcesReport

# texts.NAME here, sources_texts.NAME elsewhere: the message sources-name, its English in
# services/locales/sources.pot.
texts = Messages("sources")
__getattr__ = texts.__getattr__


NO_ONE = "—"


STATS_SOURCES_SHOWN = 5


def money(t: Translator, value: Money | None) -> str:
    if value is None:
        return NO_ONE
    return format_currency(value.amount, value.currency, locale=t.locale)


def _share(t: Translator, fraction: float | None) -> str:
    return t(texts.NOT_YET) if fraction is None else t.percent(fraction, digits=0)


def _day(t: Translator, when: datetime, time_zone: str) -> str:
    return t.date(when.astimezone(ZoneInfo(time_zone)).date(), "d MMM y")


def link_details(t: Translator, link: InviteLinkRecord, *, now: datetime, time_zone: str) -> str:
    """What is special about a link: who made it, expiry, member limit, join requests."""
    parts = []
    if not link.made_by_bot:
        parts.append(t(texts.OTHER_ADMINS))
    if link.revoked_at is not None:
        parts.append(t(texts.REVOKED))
    if link.expire_date is not None:
        expired = link.expire_date <= now
        parts.append(
            t(
                texts.EXPIRED if expired else texts.EXPIRES,
                date=_day(t, link.expire_date, time_zone),
            )
        )
    if link.member_limit is not None:
        parts.append(t.plural(texts.LIMIT, link.member_limit))
    if link.auto_approve:
        parts.append(t(texts.AUTO_APPROVED))
    elif link.creates_join_request:
        parts.append(t(texts.REQUESTS))
    return f" ({', '.join(parts)})" if parts else ""


def _source_lines(
    t: Translator, number: int, source: Source, *, now: datetime, time_zone: str
) -> list[str]:
    counts = source.counts
    link = source.link
    details = link_details(t, link, now=now, time_zone=time_zone) if link else ""
    name = escape(source_name(t, source))
    lines = [
        t(texts.LINE, number=number, name=name, details=details),
        t(
            texts.COUNTS,
            joins=t.number(counts.joins),
            leaves=t.number(counts.leaves),
            net=t.number(counts.net),
        ),
    ]
    if counts.kind is not SourceKind.UNKNOWN:
        lines.append(
            t(
                texts.RETENTION,
                week=_share(t, source.retention_7d),
                month=_share(t, source.retention_30d),
            )
        )
    if source.cost is not None:
        lines.append(
            t(
                texts.COSTS,
                cost=money(t, source.cost),
                per_subscriber=money(t, source.cost_per_subscriber),
                per_stayed=money(t, source.cost_per_stayed),
            )
        )
    return lines


def sources_page(
    t: Translator, report: SourcesReport, page: Page[Source], *, time_zone: str
) -> str:
    lines = [t(texts.TITLE, title=escape(report.channel.title)), ""]
    if not report.sources:
        return "\n".join([*lines, t(texts.EMPTY)])
    for number, source in page.numbered():
        lines += _source_lines(t, number, source, now=report.now, time_zone=time_zone)
    lines += page_line(t, page)
    lines += ["", t(texts.FOOTNOTE)]
    return "\n".join(lines)


def link_card(
    t: Translator, channel: ChannelRecord, source: Source, *, now: datetime, time_zone: str
) -> str:
    lines = [t(texts.TITLE, title=escape(channel.title)), ""]
    lines += _source_lines(t, 1, source, now=now, time_zone=time_zone)
    if source.link and source.link.url:
        lines.append(t(texts.LINK_URL, url=escape(source.link.url)))
    return "\n".join(lines)


def source_name(t: Translator, source: Source) -> str:
    link = source.link
    return source_label(t, source.counts.kind, (link.name or link.url) if link else None)


def link_button(t: Translator, number: int, source: Source) -> str:
    return t(texts.LINK_BUTTON, number=number, name=source_name(t, source))


def created(t: Translator, link: InviteLinkRecord, *, now: datetime, time_zone: str) -> str:
    return t(
        texts.CREATED,
        name=escape(link.name or ""),
        details=link_details(t, link, now=now, time_zone=time_zone),
        url=escape(link.url or ""),
    )


def stats_section(t: Translator, sources: tuple[PeriodSource, ...]) -> list[str]:
    """The Sources lines of /stats: the sources with most joins in the period."""
    if not sources:
        return []
    lines = ["", t(texts.STATS_SECTION)]
    for source in sources[:STATS_SOURCES_SHOWN]:
        name = escape(source_label(t, source.kind, source.link_name))
        lines.append(
            t(
                texts.STATS_LINE,
                name=name,
                joins=t.number(source.joins),
                leaves=t.number(source.leaves),
            )
        )
    if len(sources) > STATS_SOURCES_SHOWN:
        lines.append(t.plural(texts.STATS_MORE, len(sources) - STATS_SOURCES_SHOWN))
    return lines


def alert_facts(t: Translator, details: Mapping[str, Any]) -> str:
    """What a link's alert saw: a burst of joins, or its subscribers leaving fast."""
    link = escape(str(details.get("link") or t(UNNAMED_LINK)))
    if details.get("reason") == "leaving":
        return t(
            texts.ALERT_LEAVING,
            link=link,
            share=t.percent(details["share"], digits=0),
            left=t.number(details["left"]),
            joined=t.number(details["joined"]),
            usual=t.percent(details["usual_share"], digits=0),
        )
    return t.plural(
        texts.ALERT_BURST, details["joins"], link=link, usual=t.number(details["usual"], digits=1)
    )
