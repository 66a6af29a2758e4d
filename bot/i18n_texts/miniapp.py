"""The dashboard Mini App (/app): its menu button, its button under /stats, and the page's texts."""

from bot.i18n_texts import alerts as alert_texts
from services.analytics import STANDARD_PERIODS
from services.domain.alerts import AlertKind
from services.i18n import Message, PluralMessage, Translator, placeholders
from services.i18n_texts import insights as insight_texts
from services.i18n_texts.insights import feature_label
from services.insights.features import structured_names

MENU_BUTTON = Message("miniapp-menu-button", "Dashboard")
OPEN_BUTTON = Message("miniapp-open-button", "📱 Open dashboard")

TITLE = Message("miniapp-title", "AnalyticBot dashboard")
PERIOD_DAYS = PluralMessage("miniapp-period-days", "{n} day", "{n} days")

# What the page shows, by the name its script uses.
PAGE_TEXTS = {
    "loading": Message("miniapp-loading", "Loading…"),
    "reopen_title": Message("miniapp-reopen-title", "Please reopen the app from Telegram"),
    "reopen_body": Message(
        "miniapp-reopen-body",
        "This dashboard signs you in with Telegram. Its sign-in is missing, has expired or "
        "could not be checked: close it and open it again from the bot's menu button.",
    ),
    "error": Message("miniapp-error", "Something went wrong. Please try again."),
    "plan_limit": Message(
        "miniapp-plan-limit",
        "Your plan does not reach that far, or allows no more of these: /plan in the bot shows "
        "its limits and the upgrade.",
    ),
    "channel_not_found": Message(
        "miniapp-channel-not-found", "This channel is not among those you administer."
    ),
    "rule_not_found": Message(
        "miniapp-rule-not-found",
        "This alert no longer exists: it may have been deleted in the bot.",
    ),
    "share_not_found": Message(
        "miniapp-share-not-found", "This share link no longer exists or has been revoked."
    ),
    "rate_limited": Message(
        "miniapp-rate-limited", "Too many requests at once. Wait a few seconds and try again."
    ),
    "unavailable": Message(
        "miniapp-unavailable", "The service is busy right now. Try again in a few seconds."
    ),
    "read_only": Message("miniapp-read-only", "This sign-in may look, but not change anything."),
    "invalid_period": Message("miniapp-invalid-period", "There are no numbers for that period."),
    "invalid_request": Message(
        "miniapp-invalid-request", "The server could not accept that request. Reload the app."
    ),
    "my_channels": Message("miniapp-my-channels", "My channels"),
    "no_channels": Message(
        "miniapp-no-channels",
        "No channels yet. Add the bot as an admin to your channel, then come back.",
    ),
    "subscribers": Message("miniapp-subscribers", "Subscribers"),
    "growth": Message("miniapp-growth", "Growth"),
    "joins": Message("miniapp-joins", "Joined"),
    "leaves": Message("miniapp-leaves", "Left"),
    "posts": Message("miniapp-posts", "Posts"),
    "views_per_post": Message("miniapp-views-per-post", "Views per post"),
    "err": Message("miniapp-err", "ERR"),
    "engagement": Message("miniapp-engagement", "Engagement"),
    "vs_previous": Message("miniapp-vs-previous", "vs the period before"),
    "growth_chart": Message("miniapp-growth-chart", "Subscribers, day by day"),
    "views_chart": Message("miniapp-views-chart", "Views of each post"),
    "best_time": Message("miniapp-best-time", "Best time to post"),
    "best_time_hint": Message(
        "miniapp-best-time-hint", "Mean views by the hour of posting, in {time_zone}"
    ),
    "best_slot": Message("miniapp-best-slot", "Best days: {days}; best hours: {hours}"),
    "no_best_time": Message("miniapp-no-best-time", "Not enough posts with views yet."),
    "top_posts": Message("miniapp-top-posts", "Top posts"),
    "no_posts": Message("miniapp-no-posts", "No posts in this period."),
    "no_text": Message("miniapp-no-text", "(no text)"),
    "views": Message("miniapp-views", "views"),
    "reactions": Message("miniapp-reactions", "reactions"),
    "views_pending": Message(
        "miniapp-views-pending", "Views are read from Telegram's public preview: not read yet."
    ),
    "views_private": Message(
        "miniapp-views-private", "A private channel has no public preview to read views from."
    ),
    "views_failing": Message(
        "miniapp-views-failing", "Views could not be read lately; the last known are shown."
    ),
    "alerts": Message("miniapp-alerts", "Alerts"),
    "no_alerts": Message("miniapp-no-alerts", "No alerts for this channel. Set one with /alerts."),
    "alert_within": Message("miniapp-alert-within", "within {hours} h"),
    "paused": Message("miniapp-paused", "paused"),
    "pause": Message("miniapp-pause", "Pause"),
    "resume": Message("miniapp-resume", "Resume"),
    "share_links": Message("miniapp-share-links", "Share links"),
    "no_share_links": Message("miniapp-no-share-links", "No live share links for this channel."),
    "create_share_link": Message("miniapp-create-share-link", "Create a share link"),
    "share_link_created": Message(
        "miniapp-share-link-created", "Link created: copy it now, it is shown only once."
    ),
    "revoke": Message("miniapp-revoke", "Revoke"),
    "opened": Message("miniapp-opened", "opened {count}×"),
    "expires": Message("miniapp-expires", "until {date}"),
    "no_expiry": Message("miniapp-no-expiry", "no expiry"),
    "share_period": Message("miniapp-share-period", "Report of the last {days}"),
    "insights": Message("miniapp-insights", "Insights"),
    "insights_not_yet": Message(
        "miniapp-insights-not-yet",
        "No insights yet: posts with views still needed before a model can learn: {count}.",
    ),
    "insights_not_trained": Message(
        "miniapp-insights-not-trained",
        "There are enough posts: send /insights in the bot and it learns from them.",
    ),
    "insights_quality": Message(
        "miniapp-insights-quality",
        "Learnt from {posts} posts. On the latest {holdout}, held out, its error is {model} "
        "against {baseline} for the median by hour of day (log views; lower is better).",
    ),
    "insights_effects": Message("miniapp-insights-effects", "What drives views"),
    "insights_effect": Message(
        "miniapp-insights-effect",
        "{feature}: ×{multiplier} views (×{low}–{high}), {with} posts against {without}",
    ),
    "insights_no_effects": Message(
        "miniapp-insights-no-effects", "Nothing stands out from the noise yet."
    ),
    "insights_best_slots": Message("miniapp-insights-best-slots", "Best times in the next 7 days"),
    "insights_slot": Message("miniapp-insights-slot", "{time}: about {views} views ({low}–{high})"),
}


def page_texts(t: Translator) -> dict[str, str]:
    """The page's texts in one language; placeholders stay for the script to fill."""
    texts = {
        name: t(message, **{name: f"{{{name}}}" for name in placeholders(message.english)})
        for name, message in PAGE_TEXTS.items()
    }
    texts.update({f"days_{n}": t.plural(PERIOD_DAYS, n) for n in STANDARD_PERIODS})
    texts.update({f"alert_kind_{kind.value}": alert_texts.kind_name(t, kind) for kind in AlertKind})
    texts.update({f"feature_{name}": feature_label(t, name) for name in structured_names()})
    texts["feature_word"] = t(insight_texts.WORD, word="{word}")
    return texts
