"""/start and /help."""

from services.i18n import Message

WELCOME = Message(
    "start-welcome",
    "👋 <b>AnalyticBot</b> keeps the numbers of your Telegram channel: posts, views, "
    "reactions, subscribers joining and leaving, and how your channel grows.\n\n"
    "<b>How to start</b>\n"
    "1. Tap <b>Add to my channel</b> below and pick your channel. Telegram asks you to make "
    "me an admin: I only need to read, I never post.\n"
    "2. I'll message you here as soon as the channel is connected.\n\n"
    "Already made me an admin? Send <code>/add @yourchannel</code>.\n"
    "See everything I can do with /help.",
)
ADD_TO_CHANNEL_BUTTON = Message("start-add-to-channel-button", "➕ Add to my channel")

HELP = Message(
    "start-help",
    "<b>Commands</b>\n"
    "/channels: your tracked channels\n"
    "/add @channel: track a channel where I am already an admin\n"
    "/remove @channel: stop tracking a channel\n"
    "/stats [@channel] [7d|30d|90d]: growth, reach, ERR, top posts and the best time to post; "
    "<code>/stats @channel 2026-10-01 2026-10-31</code> for a range of dates\n"
    "/export [@channel] [7d|30d|90d]: CSV files of posts, subscribers, joins and leaves; "
    "a range of dates as for /stats; <code>/export @channel 30d excel</code> for Excel with "
    "Russian settings (also a button under /stats)\n"
    "/share @channel: a link to the channel's report that anyone can open\n"
    "/shares: your live share links, to revoke them\n"
    "/links [@channel]: invite links for your campaigns: who joined through each, who stayed, "
    "what each subscriber cost\n"
    "/insights [@channel]: what drives views, the best times to post, ideas for the next posts\n"
    "/score [@channel]: score a draft before you post it (also a button under /insights)\n"
    "/plan: your plan, its limits and this period's usage\n"
    "/alerts: messages the moment something happens in your channel\n"
    "<code>/alerts history</code>: the last alerts\n"
    "/settings: your time zone, quiet hours, language and weekly digest\n"
    "/webhooks: send your channels' events to your own tools (Zapier, HubSpot, your server)\n"
    "/api: keys for the REST API, to read your numbers from your own programs\n"
    "/watch @channel: watch any public channel: its numbers, and copies of your posts in it\n"
    "/check: forward me a post to see whether it copies one of yours\n"
    "/compare [@channel] [7d|30d|90d]: your channel beside the channels you watch\n"
    "/watermark: your watermark and its settings\n"
    "/subscribe: plans and prices; upgrade by card or with Telegram Stars\n"
    "/cancel: stop renewing your card subscription\n"
    "/billing: your card, invoices and receipts\n"
    "/help: this message\n\n"
    "I record what happens in each channel from the moment I become its admin. "
    "Only the channel's admins can see its numbers: I check that with Telegram.\n\n"
    "Send me any photo or image file (or an album) and I send it back watermarked with "
    "your channel's name. Files keep full quality.",
)
