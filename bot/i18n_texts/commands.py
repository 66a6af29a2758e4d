"""The commands menu: one description per command, set in Telegram for each language."""

from services.i18n import Message

COMMANDS = {
    "start": Message("commands-start", "What this bot does"),
    "channels": Message("commands-channels", "Your tracked channels"),
    "add": Message("commands-add", "Track a channel: /add @channel"),
    "remove": Message("commands-remove", "Stop tracking a channel"),
    "stats": Message("commands-stats", "Channel stats: /stats [@channel] [7d|30d|90d]"),
    "export": Message("commands-export", "CSV files: /export [@channel] [7d|30d|90d]"),
    "links": Message("commands-links", "Invite links and where subscribers come from"),
    "share": Message("commands-share", "Share a channel's report as a link"),
    "shares": Message("commands-shares", "Your share links"),
    "insights": Message("commands-insights", "What drives views: /insights [@channel]"),
    "score": Message("commands-score", "Score a draft before you post it"),
    "plan": Message("commands-plan", "Your plan and usage"),
    "alerts": Message("commands-alerts", "Alerts: drops, surges, milestones and more"),
    "settings": Message("commands-settings", "Time zone, quiet hours and language"),
    "watermark": Message("commands-watermark", "Your watermark; send images to mark them"),
    "subscribe": Message("commands-subscribe", "Plans and prices: upgrade"),
    "cancel": Message("commands-cancel", "Stop renewing your card subscription"),
    "billing": Message("commands-billing", "Your card, invoices and receipts"),
    "webhooks": Message("commands-webhooks", "Send events to your tools (webhooks)"),
    "watch": Message("commands-watch", "Watch a public channel: /watch @channel"),
    "check": Message("commands-check", "Is this a copy of one of your posts?"),
    "compare": Message("commands-compare", "You beside watched channels: /compare [7d|30d|90d]"),
    "api": Message("commands-api", "API keys for your own tools"),
    "help": Message("commands-help", "All commands"),
}
# Commands listed in Telegram's menu only while their feature flag (a Settings field) is on.
FEATURE_COMMANDS = {
    "feature_analytics": frozenset({"stats", "export", "links"}),
    "feature_share_links": frozenset({"share", "shares"}),
    "feature_billing": frozenset({"subscribe", "cancel", "billing"}),
    "feature_alerts": frozenset({"alerts"}),
    "feature_insights": frozenset({"insights", "score"}),
    "feature_watermark": frozenset({"watermark"}),
    "feature_copies": frozenset({"watch", "check", "compare"}),
    "feature_api": frozenset({"api"}),
    "feature_webhooks": frozenset({"webhooks"}),
}
