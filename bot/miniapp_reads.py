"""The reads the Mini App needs until the REST API of issue 12 is in: its channels, a channel's
report and posts, and its alert rules (list, pause or resume).

Same paths and the same JSON shapes as bot/api (channels.py, reports.py, alerts.py on branch
issue12-api), so the page works unchanged on either; once bot/api serves them, this module goes.
"""

from datetime import date, datetime

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from bot.handlers.common import plain_alert
from bot.i18n_texts import alerts as alert_texts
from bot.miniapp_api import (
    ALERTS_KEY,
    ANALYTICS_KEY,
    CHANNELS_KEY,
    ApiProblem,
    administered_channel,
    limit_problem,
    signed_in_user,
    translator,
    validated_body,
)
from services.alerts import RuleNotFound
from services.analytics import STANDARD_PERIODS, ChannelReport, Period, user_time_zone
from services.channels import ChannelAccessError
from services.domain.alerts import AlertRuleRecord
from services.domain.analytics import PeriodTotals, PostingSlot, PostStats
from services.domain.channels import ChannelRecord
from services.entitlements import LimitReached
from services.i18n import Translator

CHANNEL = r"{channel_id:-?[0-9]{1,20}}"
RULE = r"{rule_id:[0-9]{1,18}}"
# The most posts one page of /posts gives.
_POSTS_LIMIT = 200


class AlertRuleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paused: bool


def _local(moment: datetime | None, time_zone: str) -> str | None:
    return moment.astimezone(user_time_zone(time_zone)).isoformat() if moment else None


def _totals(totals: PeriodTotals) -> dict:
    return {**vars(totals), "net_growth": totals.net_growth}


def _slot(slot: PostingSlot) -> dict:
    return vars(slot)


def _post(channel: ChannelRecord, post: PostStats, time_zone: str) -> dict:
    return {
        "message_id": post.message_id,
        "posted_at": _local(post.posted_at, time_zone),
        "text": post.text,
        "media_kind": post.media_kind,
        "views": post.views,
        "reactions": post.reactions,
        "views_24h": post.views_24h,
        "engagement": post.engagement,
        "url": f"https://t.me/{channel.username}/{post.message_id}" if channel.username else None,
    }


def report_json(report: ChannelReport) -> dict:
    """The numbers /stats shows for the period."""
    channel, zone = report.channel, report.time_zone
    return {
        "channel": {"id": channel.id, "title": channel.title, "username": channel.username},
        "period": {
            "first_day": report.period.first_day.isoformat(),
            "last_day": report.period.last_day.isoformat(),
            "days": report.period.days,
        },
        "time_zone": zone,
        "current": _totals(report.current),
        "previous": _totals(report.previous),
        "median_views_24h": report.median_views_24h,
        "views_status": report.views_status.value,
        "days": [
            {
                "day": day.day.isoformat(),
                "subscribers": day.subscribers,
                "joins": day.joins,
                "leaves": day.leaves,
                "posts": day.posts,
            }
            for day in report.days
        ],
        "top_by_views": [_post(channel, post, zone) for post in report.top_by_views],
        "top_by_engagement": [_post(channel, post, zone) for post in report.top_by_engagement],
        "best_weekdays": [_slot(slot) for slot in report.posting_times.weekdays],
        "best_hours": [_slot(slot) for slot in report.posting_times.hours],
    }


def alert_json(t: Translator, rule: AlertRuleRecord, time_zone: str) -> dict:
    return {
        "id": rule.id,
        "channel_id": rule.channel_id,
        "kind": rule.kind.value,
        "thresholds": vars(rule.thresholds),
        "paused": rule.paused,
        "muted_until": _local(rule.muted_until, time_zone),
        "created_at": _local(rule.created_at, time_zone),
        "last_fired_at": _local(rule.last_fired_at, time_zone),
        "time_zone": time_zone,
        "summary": plain_alert(alert_texts.rule_summary(t, rule)),
    }


async def list_channels(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    summaries = await request.app[CHANNELS_KEY].list_for_user(user_id=user.id)
    items = [
        {
            "id": summary.channel.id,
            "title": summary.channel.title,
            "username": summary.channel.username,
            "is_tracked": summary.channel.is_tracked,
            "subscribers": summary.subscribers,
            "last_post_at": _local(summary.last_post_at, user.time_zone),
            "time_zone": user.time_zone,
        }
        for summary in summaries
    ]
    return web.json_response({"items": items})


def _last_days(request: web.Request, today: date) -> Period:
    asked = request.query.get("period", "30d")
    days = next((n for n in STANDARD_PERIODS if asked == f"{n}d"), None)
    if days is None:
        raise ApiProblem(422, "Invalid parameters", "period: one of 7d, 30d, 90d")
    return Period.last_days(days, today=today)


def _from_to(request: web.Request, today: date) -> Period:
    try:
        period = Period(
            first_day=date.fromisoformat(request.query["from"]),
            last_day=date.fromisoformat(request.query["to"]),
        )
        period.check_asked(today=today)
    except (KeyError, ValueError):
        raise ApiProblem(422, "Invalid parameters", "from, to: two days, in order") from None
    return period


async def _report(request: web.Request, period_of) -> tuple[ChannelReport, object]:
    user = await signed_in_user(request)
    channel = await administered_channel(request, user)
    analytics = request.app[ANALYTICS_KEY]
    period = period_of(request, analytics.today(user.time_zone))
    try:
        report = await analytics.report(
            user_id=user.id, channel=channel, period=period, time_zone=user.time_zone
        )
    except LimitReached as error:
        raise limit_problem(request, user, error) from None
    return report, user


async def channel_report(request: web.Request) -> web.Response:
    report, _ = await _report(request, _last_days)
    return web.json_response(report_json(report))


async def channel_posts(request: web.Request) -> web.Response:
    """The period's posts, oldest first (one page: the app asks for a period's few hundred)."""
    report, _ = await _report(request, _from_to)
    posts = sorted(report.posts, key=lambda post: (post.posted_at, post.message_id))
    items = [_post(report.channel, post, report.time_zone) for post in posts[:_POSTS_LIMIT]]
    return web.json_response({"items": items, "next_cursor": None, "time_zone": report.time_zone})


async def list_alert_rules(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    channel = await administered_channel(request, user)
    t = translator(request, user)
    rules = await request.app[ALERTS_KEY].list_rules(user_id=user.id)
    items = [alert_json(t, rule, user.time_zone) for rule in rules if rule.channel_id == channel.id]
    return web.json_response({"items": items})


async def change_alert_rule(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    change = await validated_body(request, AlertRuleChange)
    alerts = request.app[ALERTS_KEY]
    rule_id = int(request.match_info["rule_id"])
    try:
        rule = await alerts.get_rule(user_id=user.id, rule_id=rule_id)
        await request.app[CHANNELS_KEY].require_admin(user_id=user.id, channel_id=rule.channel_id)
        rule = await alerts.set_paused(user_id=user.id, rule_id=rule_id, paused=change.paused)
    except (RuleNotFound, ChannelAccessError):
        raise ApiProblem(404, "Not found", "No such alert rule of yours.") from None
    return web.json_response(alert_json(translator(request, user), rule, user.time_zone))


def add_routes(app: web.Application, *, alerts: bool) -> None:
    app.router.add_get("/api/v1/channels", list_channels)
    app.router.add_get(f"/api/v1/channels/{CHANNEL}/report", channel_report)
    app.router.add_get(f"/api/v1/channels/{CHANNEL}/posts", channel_posts)
    if alerts:
        app.router.add_get(f"/api/v1/channels/{CHANNEL}/alerts", list_alert_rules)
        app.router.add_patch(f"/api/v1/alerts/{RULE}", change_alert_rule)
