"""Telegram's public channel web preview (t.me/s/<username>), rendered from what a page shows.

The markup follows saved pages: the skeleton (header > tgme_right_column > tgme_channel_info
with its counters; main > section.tgme_channel_history with the tme_messages_more links, as
snscrape follows a.tme_messages_more[data-before]) the saved t.me/s/DEXTNewPairsBot page in the
public "Crawlers Assistant" prompt; posts (service_message with its service photo, album
grouped_wrap with ?single links and a nested message_text, "edited &nbsp;" meta, signed
from_author meta, views + copyonly, video player with its not-supported fallback, poll)
turicas/tchan's tests; the reply block and the document wrap RSS-Bridge's TelegramBridge and
RSSHub's telegram route. Avatars, bubble-tail SVGs and data-view tokens are left out or short.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Channel:
    username: str
    title: str  # as markup: an emoji is an <i class="emoji">
    counters: Sequence[tuple[str, str]]  # (value, type) as shown: ("12.3K", "subscribers")
    photo: str = ""  # the avatar's <i> element
    labels: bool = False  # the (empty) labels block beside the title
    description: str | None = None
    header_link: str | None = None  # the header's subscriber counter, shown by the newest page
    og_title: str | None = None


@dataclass(frozen=True)
class Post:
    message_id: int
    posted_at: str  # UTC, "2024-05-10T08:00"
    body: str  # what the bubble shows between the author and the footer
    views: str | None = None  # as shown: "1.2K"; a service message has none
    service: bool = False
    edited: bool = False
    signed_by: str | None = None
    voters: str | None = None  # a poll's
    view_token: str = ""


def text(markup: str) -> str:
    return f'<div class="tgme_widget_message_text js-message_text" dir="auto">{markup}</div>'


def channel_page(
    channel: Channel,
    posts: Sequence[Post],
    *,
    before: int | None = None,
    after: int | None = None,
) -> str:
    """The page: the channel's header, its posts oldest first, and the links to older (before)
    and newer (after) pages."""
    history = [_more(channel.username, "before", before)] if before is not None else []
    history += [_post(channel, post) for post in posts]
    history += [_more(channel.username, "after", after)] if after is not None else []
    og_title = (
        f'\n<meta property="og:title" content="{channel.og_title}">' if channel.og_title else ""
    )
    history_lines = "".join(part + "\n" for part in history)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{_plain(channel.title)} – Telegram</title>{og_title}
</head>
<body class="widget_frame_base tgme_webpreview emoji_image thin_box_shadow tme_mode no_transitions">
<header class="tgme_header search_collapsed">
 <div class="tgme_container">
{_header(channel)}
 </div>
</header>
<main class="tgme_main" data-url="/{channel.username}">
 <div class="tgme_container">
  <section class="tgme_channel_history js-message_history">
{history_lines}  </section>
 </div>
</main>
</body>
</html>"""


def renamed_markup(page: str) -> str:
    """The page as it would look after Telegram renamed its markup: the history section is
    section.tgme_channel_feed and each post is div.tgme_widget_post."""
    return page.replace("tgme_channel_history", "tgme_channel_feed").replace(
        "tgme_widget_message", "tgme_widget_post"
    )


def _plain(title: str) -> str:
    return title.split(" <i", 1)[0]


def _header(channel: Channel) -> str:
    name = f'<span dir="auto">{channel.title}</span>'
    labels = '<div class="tgme_channel_info_header_labels"></div>' if channel.labels else ""
    title = f'<div class="tgme_channel_info_header_title">{name}</div>{labels}'
    counters = "".join(
        f'<div class="tgme_channel_info_counter"><span class="counter_value">{value}</span> '
        f'<span class="counter_type">{kind}</span></div>'
        for value, kind in channel.counters
    )
    lines = [
        '  <div class="tgme_header_right_column">',
        '   <section class="tgme_right_column">',
        '    <div class="tgme_channel_info">',
        '     <div class="tgme_channel_info_header">',
        *([f"      {channel.photo}"] if channel.photo else []),
        f'      <div class="tgme_channel_info_header_title_wrap">{title}</div>',
        '      <div class="tgme_channel_info_header_username">'
        f'<a href="https://t.me/{channel.username}">@{channel.username}</a></div>',
        "     </div>",
        f'     <div class="tgme_channel_info_counters">{counters}</div>',
    ]
    if channel.description is not None:
        lines.append(f'     <div class="tgme_channel_info_description">{channel.description}</div>')
    lines += ["    </div>", "   </section>", "  </div>"]
    if channel.header_link is not None:
        lines += [
            '  <div class="tgme_header_info">',
            f'   <a class="tgme_header_link" href="https://t.me/{channel.username}">',
            '    <div class="tgme_header_title_wrap"><div class="tgme_header_title">'
            f'<span dir="auto">{_plain(channel.title)}</span></div></div>',
            f'    <div class="tgme_header_counter">{channel.header_link}</div>',
            "   </a>",
            "  </div>",
        ]
    return "\n".join(lines)


def _more(username: str, direction: str, message_id: int) -> str:
    return (
        '   <div class="tgme_widget_message_centered js-messages_more_wrap">'
        f'<a href="/s/{username}?{direction}={message_id}" class="tme_messages_more '
        f'js-messages_more" data-{direction}="{message_id}"></a></div>'
    )


def _post(channel: Channel, post: Post) -> str:
    link = f"https://t.me/{channel.username}/{post.message_id}"
    posted = datetime.fromisoformat(post.posted_at)
    kinds = "text_not_supported_wrap service_message" if post.service else "text_not_supported_wrap"
    info = f'<span class="tgme_widget_message_voters">{post.voters}</span>' if post.voters else ""
    if post.views is not None:
        info += (
            f'<span class="tgme_widget_message_views">{post.views}</span>'
            '<span class="copyonly"> views</span>'
        )
    meta = "edited &nbsp;" if post.edited else ""
    if post.signed_by is not None:
        meta += (
            f'<span class="tgme_widget_message_from_author" dir="auto">{post.signed_by}</span>'
            ",&nbsp;"
        )
    date = (
        f'<a class="tgme_widget_message_date" href="{link}">'
        f'<time datetime="{posted.isoformat()}+00:00" class="time">{posted:%H:%M}</time></a>'
    )
    author = (
        f'<a class="tgme_widget_message_owner_name" href="https://t.me/{channel.username}">'
        f'<span dir="auto">{_plain(channel.title)}</span></a>'
    )
    return f"""   <div class="tgme_widget_message_wrap js-widget_message_wrap">
    <div class="tgme_widget_message {kinds} js-widget_message" \
data-post="{channel.username}/{post.message_id}" data-view="{post.view_token}">
     <div class="tgme_widget_message_bubble">
      <div class="tgme_widget_message_author accent_color">{author}</div>
      {post.body}
      <div class="tgme_widget_message_footer compact js-message_footer">
       <div class="tgme_widget_message_info short js-message_info">
        {info}<span class="tgme_widget_message_meta">{meta}{date}</span>
       </div>
      </div>
     </div>
    </div>
   </div>"""


# ------------------------------------------------------------------ the pages tests read

_CHART = (
    '<i class="emoji" style="background-image:url(\'//telegram.org/img/emoji/40/{code}.png\')">'
    "<b>{emoji}</b></i>"
)
_CDN = "https://cdn4.cdn-telegram.org/file"

DEMO = Channel(
    username="analyticsdemo",
    title="Analytics Demo " + _CHART.format(code="F09F9388", emoji="📈"),
    counters=[("12.3K", "subscribers"), ("1.1K", "photos"), ("250", "videos"), ("3.6K", "links")],
    photo='<i class="tgme_page_photo_image bgcolor4" data-content="AD">'
    f'<img src="{_CDN}/avatar.jpg"></i>',
    labels=True,
    description="Charts and numbers about channels.",
    header_link="12.3K subscribers",
    og_title="Analytics Demo",
)


def _album_photo(message_id: int, ratio: str) -> str:
    return (
        '<a class="tgme_widget_message_photo_wrap grouped_media_wrap blured js-message_photo" '
        f'style="background-image:url(\'{_CDN}/a{message_id}.jpg\')" data-ratio="{ratio}" '
        f'href="https://t.me/analyticsdemo/{message_id}?single"><div class="grouped_media_helper">'
        '<div class="tgme_widget_message_photo grouped_media"></div></div></a>'
    )


# The newest page: a service message, a text, a photo with a caption, an album, an edited post
# and a signed reply.
NEWEST = [
    Post(
        96,
        "2024-05-10T08:00",
        '<a class="tgme_widget_message_service_photo" href="https://t.me/analyticsdemo/96">'
        f'<img src="{_CDN}/new_avatar.jpg"></a>\n      ' + text("Channel photo updated"),
        service=True,
        view_token="eyJwIjo5Nn0",
    ),
    Post(
        97,
        "2024-05-10T09:15",
        text("<b>Weekly digest</b><br/>Views are up &amp; so are reposts."),
        views="987",
        view_token="eyJjIjotMTAwMSwicCI6OTd9",
    ),
    Post(
        98,
        "2024-05-11T12:00",
        '<a class="tgme_widget_message_photo_wrap blured js-message_photo" '
        f"style=\"width:800px;background-image:url('{_CDN}/p98.jpg')\" "
        'data-ratio="1.7777777777778" href="https://t.me/analyticsdemo/98">'
        '<div class="tgme_widget_message_photo" style="padding-top:56.25%"></div></a>\n      '
        + text(
            "Subscribers by month "
            + _CHART.format(code="F09F938A", emoji="📊")
            + '<br/><br/>Source: <a href="https://example.com/report" target="_blank" '
            'rel="noopener">example.com/report</a>'
        )
        + '\n      <div class="tgme_widget_message_reactions js-message_reactions">'
        '<span class="tgme_reaction"><i class="emoji"><b>👍</b></i>34</span></div>',
        views="1.2K",
        view_token="eyJjIjotMTAwMSwicCI6OTh9",
    ),
    Post(
        99,
        "2024-05-12T18:30",
        '<div class="tgme_widget_message_grouped_wrap js-message_grouped_wrap" '
        'data-margin-w="2" data-margin-h="2" style="width:453px;">'
        '<div class="tgme_widget_message_grouped js-message_grouped" style="padding-top:93.819%">'
        '<div class="tgme_widget_message_grouped_layer js-message_grouped_layer" '
        'style="width:453px;height:425px">'
        + _album_photo(99, "1.7777777777778")
        + _album_photo(100, "1.3333333333333")
        + _album_photo(101, "1.3333333333333")
        + "</div></div></div>\n      "
        + text(text("Three charts from the May report")),
        views="12.5K",
        view_token="eyJjIjotMTAwMSwicCI6Ijk5ZyJ9",
    ),
    Post(
        102,
        "2024-05-13T07:45",
        text("Record day: three million views on one post."),
        views="3.4M",
        edited=True,
        view_token="eyJjIjotMTAwMSwicCI6MTAyfQ",
    ),
    Post(
        103,
        "2024-05-14T10:00",
        '<a class="tgme_widget_message_reply" href="https://t.me/analyticsdemo/97">'
        '<div class="tgme_widget_message_author accent_color">'
        '<span class="tgme_widget_message_author_name" dir="auto">Analytics Demo</span></div>'
        '<div class="tgme_widget_message_text js-message_reply_text" dir="auto">'
        "Weekly digest Views are up &amp; so are reposts.</div></a>\n      "
        + text("Correction: the digest counted reposts twice."),
        views="4.85K",
        signed_by="Jane Doe",
        view_token="eyJjIjotMTAwMSwicCI6MTAzfQ",
    ),
]

# ?before=96: posts below 96 (a text, a video, a document, a poll), "more" links both ways.
OLDER = [
    Post(90, "2024-05-01T10:00", text("April in numbers"), views="5.1K", view_token="eyJwIjo5MH0"),
    Post(
        91,
        "2024-05-02T11:30",
        '<a class="tgme_widget_message_video_player js-message_video_player" '
        'href="https://t.me/analyticsdemo/91">'
        '<i class="tgme_widget_message_video_thumb" '
        f"style=\"background-image:url('{_CDN}/t91.jpg')\"></i>"
        '<div class="tgme_widget_message_video_wrap js-message_video_wrap" '
        f'style="width:720px;padding-top:56.25%"><video src="{_CDN}/v91.mp4?token=x" '
        'class="tgme_widget_message_video js-message_video" width="100%" height="100%">'
        "</video></div>"
        '<div class="message_video_play js-message_video_play"></div>'
        '<time class="message_video_duration js-message_video_duration">0:42</time>'
        '<div class="message_media_not_supported_wrap"><div class="message_media_not_supported">'
        '<div class="message_media_not_supported_label">This media is not supported in your '
        'browser</div><span class="message_media_view_in_telegram">VIEW IN TELEGRAM</span></div>'
        "</div></a>\n      " + text("How the dashboard works, in 42 seconds"),
        views="2.3K",
        view_token="eyJwIjo5MX0",
    ),
    Post(
        93,
        "2024-05-03T15:20",
        '<a class="tgme_widget_message_document_wrap" href="https://t.me/analyticsdemo/93">'
        '<div class="tgme_widget_message_document_icon accent_bg"></div>'
        '<div class="tgme_widget_message_document"><div class="tgme_widget_message_document_title '
        'accent_color" dir="auto">april_report.pdf</div><div class="tgme_widget_message_document_'
        'extra" dir="auto">1.2 MB</div></div></a>',
        views="654",
        view_token="eyJwIjo5M30",
    ),
    Post(
        94,
        "2024-05-04T16:00",
        '<div class="tgme_widget_message_poll js-poll">'
        '<div class="tgme_widget_message_poll_question">Which chart next?</div>'
        '<div class="tgme_widget_message_poll_type">Anonymous Poll</div>'
        '<a class="tgme_widget_message_poll_options" href="https://t.me/analyticsdemo/94">'
        + "".join(
            '<div class="tgme_widget_message_poll_option"><div class="tgme_widget_message_poll_'
            f'option_percent">{share}%</div><div class="tgme_widget_message_poll_option_value">'
            f'<div class="tgme_widget_message_poll_option_text">{option}</div>'
            '<div class="tgme_widget_message_poll_option_bar accent_bg" '
            f'style="width:{share}%"></div></div></div>'
            for option, share in (("Reach", 64), ("Growth", 36))
        )
        + "</a></div>",
        views="1.1K",
        voters="1.02K",
        view_token="eyJwIjo5NH0",
    ),
]

# A public channel whose history is empty (its "Channel created" service message deleted), with
# a singular "subscriber", as turicas/tchan's test page shows for a one-subscriber channel;
# RSSHub's telegram route treats the empty section as "no posts" rather than an error.
QUIET = Channel(
    username="quietchannel",
    title="Quiet Channel",
    counters=[("1", "subscriber")],
    photo='<i class="tgme_page_photo_image bgcolor2" data-content="QC"></i>',
    labels=True,
)

PAGES = {
    "channel_latest": channel_page(DEMO, NEWEST, before=96),
    "channel_before_96": channel_page(DEMO, OLDER, before=90, after=94),
    "channel_empty": channel_page(QUIET, []),
    # The parser must report this instead of returning "no posts".
    "layout_changed": renamed_markup(channel_page(DEMO, NEWEST[1:3])),
}
