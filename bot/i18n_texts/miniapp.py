"""The dashboard Mini App (/app): its menu button, its button under /stats, and the page's texts."""

from bot.i18n_texts import alerts as alert_texts
from services.analytics import STANDARD_PERIODS
from services.domain.alerts import AlertKind
from services.i18n import Message, PluralMessage, Translator, placeholders

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
}


def page_texts(t: Translator) -> dict[str, str]:
    """The page's texts in one language; placeholders stay for the script to fill."""
    texts = {
        name: t(message, **{name: f"{{{name}}}" for name in placeholders(message.english)})
        for name, message in PAGE_TEXTS.items()
    }
    texts.update({f"days_{n}": t.plural(PERIOD_DAYS, n) for n in STANDARD_PERIODS})
    texts.update({f"alert_kind_{kind.value}": alert_texts.kind_name(t, kind) for kind in AlertKind})
    return texts
