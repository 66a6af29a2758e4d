"""The charts' titles, axis labels, legends and "no data" panels (services/charts.py)."""

from datetime import date

from services.i18n import Message, Translator

# The title line under the channel's name: the chart's title and its period.
HEADING = Message("charts-heading", "{title} · {first_day} – {last_day}")
GROWTH_TITLE = Message("charts-growth-title", "Subscriber growth")
VIEWS_TITLE = Message("charts-views-title", "Views per post")
POSTING_TIMES_TITLE = Message("charts-posting-times-title", "Best time to post ({time_zone})")
TOP_POSTS_TITLE = Message("charts-top-posts-title", "Top posts by views")

NO_DAYS = Message("charts-no-days", "No days in this period")
NO_VIEWS = Message("charts-no-views", "No views recorded in this period yet")
NO_VIEWS_PRIVATE = Message(
    "charts-no-views-private", "Views are not available for private channels"
)

SUBSCRIBERS_AXIS = Message("charts-subscribers-axis", "subscribers")
NET_CHANGE_AXIS = Message("charts-net-change-axis", "net change since the first day")
PER_DAY_AXIS = Message("charts-per-day-axis", "per day")
JOINED_LEGEND = Message("charts-joined-legend", "joined")
LEFT_LEGEND = Message("charts-left-legend", "left")
VIEWS_AXIS = Message("charts-views-axis", "views")
AVERAGE_REACH_LEGEND = Message("charts-average-reach-legend", "average reach {reach}")
HOUR_AXIS = Message("charts-hour-axis", "hour of publishing")
HOUR_TICK = Message("charts-hour-tick", "{hour}h")
RELATIVE_VIEWS_SCALE = Message(
    "charts-relative-views-scale", "mean views ÷ average (1.0 = average)"
)

# Babel patterns: the first day without its year, the last with it (25 Oct – 31 Oct 2026).
DAY_MONTH = "dd MMM"
DAY_MONTH_YEAR = "dd MMM y"


def heading(t: Translator, title: Message, first_day: date, last_day: date, **values: str) -> str:
    return t(
        HEADING,
        title=t(title, **values),
        first_day=t.date(first_day, DAY_MONTH),
        last_day=t.date(last_day, DAY_MONTH_YEAR),
    )


def hour_tick(t: Translator, hour: int) -> str:
    return t(HOUR_TICK, hour=f"{hour:02d}")


# A post without text goes by its media in brackets ([photo]); /stats names it the same way.
UNTITLED_POST = Message("charts-untitled-post", "[{media}]")
MEDIA_KINDS = {
    "photo": Message("charts-media-photo", "photo"),
    "video": Message("charts-media-video", "video"),
    "animation": Message("charts-media-animation", "GIF"),
    "audio": Message("charts-media-audio", "audio"),
    "voice": Message("charts-media-voice", "voice message"),
    "video_note": Message("charts-media-video-note", "video message"),
    "round_video": Message("charts-media-round-video", "video message"),
    "document": Message("charts-media-document", "file"),
    "sticker": Message("charts-media-sticker", "sticker"),
    "poll": Message("charts-media-poll", "poll"),
    "location": Message("charts-media-location", "location"),
    "contact": Message("charts-media-contact", "contact"),
    "mixed": Message("charts-media-mixed", "album"),
}
# Media kinds we do not name (and a post that has none): just a post.
ANY_MEDIA = Message("charts-media-post", "post")


def untitled_post(t: Translator, media_kind: str | None) -> str:
    return t(UNTITLED_POST, media=t(MEDIA_KINDS.get(media_kind or "", ANY_MEDIA)))
