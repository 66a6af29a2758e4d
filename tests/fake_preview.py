"""Telegram's public channel web preview (t.me/s/<username>) on 127.0.0.1, from saved pages.

Every channel it knows serves the pages of tests/data/preview/ ("analyticsdemo": the newest
page, ?before=96 the older one, anything older the empty end of the history). A test can make
a channel's preview fail, change its layout, or hide it; `requests` counts what was asked.

A channel given posts (`publish`) serves a page made of them instead, in t.me's markup: texts,
photos (served here under /file/, their addresses in the page's background-image styles, as
t.me's point at its CDN) and "Forwarded from" marks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from html import escape
from pathlib import Path

from aiohttp import web

PAGES = Path(__file__).parent / "data" / "preview"
# t.me/<username> when /s/ redirects there: a contact card, no post history.
CONTACT_CARD = """<!DOCTYPE html><html><body>
<div class="tgme_page_wrap"><div class="tgme_body_wrap"><div class="tgme_page">
<div class="tgme_page_title"><span dir="auto">Private</span></div>
<div class="tgme_page_extra">1 234 subscribers</div>
</div></div></div></body></html>"""


def saved_page(name: str) -> str:
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


class Preview(Enum):
    PUBLIC = "public"  # the saved pages
    HIDDEN = "hidden"  # redirected to the contact card, as for private chats
    LAYOUT_CHANGED = "layout_changed"  # a page the parser no longer understands
    SERVER_ERROR = "server_error"  # HTTP 500


@dataclass(frozen=True)
class PreviewItem:
    """A post on a generated page."""

    message_id: int
    posted_at: datetime
    text: str = ""
    views: int = 100
    photos: tuple[bytes, ...] = ()  # served as they are: any bytes, images or not
    forwarded_from: str | None = None  # the source channel's title, shown as t.me shows it


class FakePreview:
    def __init__(self) -> None:
        self.base_url = ""
        self.requests: Counter[str] = Counter()  # path with query -> times asked
        self.channels: dict[str, Preview] = {}
        self.posts: dict[str, list[PreviewItem]] = {}
        self.titles: dict[str, str] = {}
        self.subscribers: dict[str, int] = {}
        self.files: dict[str, bytes] = {}
        self._runner: web.AppRunner | None = None

    def publish(
        self, username: str, *items: PreviewItem, title: str = "", subscribers: int = 1000
    ) -> None:
        """Serve a page of the channel's posts (items added to what it showed before)."""
        self.channel(username)
        self.titles[username] = title or username.title()
        self.subscribers[username] = subscribers
        self.posts.setdefault(username, []).extend(items)

    def channel(self, username: str, preview: Preview = Preview.PUBLIC) -> None:
        """Serve (or change) a channel's preview; unknown usernames answer 404."""
        self.channels[username] = preview

    def asked(self, username: str, *, before: int | None = None) -> int:
        """How often the page of the channel's posts older than `before` was requested."""
        query = f"?before={before}" if before is not None else ""
        return self.requests[f"/s/{username}{query}"]

    async def __aenter__(self) -> FakePreview:
        app = web.Application()
        app.router.add_get("/s/{username}", self._preview)
        app.router.add_get("/file/{name}", self._file)
        app.router.add_get("/{username}", self._contact_card)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _preview(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path_qs] += 1
        username = request.match_info["username"]
        preview = self.channels.get(username)
        if preview is None:
            raise web.HTTPNotFound()
        if preview is Preview.HIDDEN:
            raise web.HTTPFound(f"/{username}")
        if preview is Preview.SERVER_ERROR:
            raise web.HTTPInternalServerError()
        if preview is Preview.LAYOUT_CHANGED:
            return _html(saved_page("layout_changed"))
        if username in self.posts:
            if request.query.get("before"):
                return _html(saved_page("channel_empty"))
            return _html(self._page(username))
        pages = {None: "channel_latest", "96": "channel_before_96"}
        return _html(saved_page(pages.get(request.query.get("before"), "channel_empty")))

    async def _file(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path] += 1
        data = self.files.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="image/jpeg")

    def _page(self, username: str) -> str:
        title = escape(self.titles[username])
        posts = "".join(
            self._post(username, item) for item in sorted(self.posts[username], key=_number)
        )
        return f"""<!DOCTYPE html><html><body>
<div class="tgme_channel_info"><div class="tgme_channel_info_header_title"><span>{title}</span>
</div><div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter">
<span class="counter_value">{self.subscribers[username]}</span>
<span class="counter_type">subscribers</span></div></div></div>
<main><section class="tgme_channel_history js-message_history">{posts}</section></main>
</body></html>"""

    def _post(self, username: str, item: PreviewItem) -> str:
        photos = ""
        for number, data in enumerate(item.photos):
            name = f"{username}_{item.message_id}_{number}.jpg"
            self.files[name] = data
            photos += (
                '<a class="tgme_widget_message_photo_wrap blured js-message_photo" '
                f"style=\"width:800px;background-image:url('{self.base_url}/file/{name}')\" "
                f'href="https://t.me/{username}/{item.message_id}"></a>'
            )
        forwarded = ""
        if item.forwarded_from is not None:
            forwarded = (
                '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from'
                '&nbsp;<a class="tgme_widget_message_forwarded_from_name" '
                f'href="https://t.me/source/1"><span dir="auto">{escape(item.forwarded_from)}'
                "</span></a></div>"
            )
        text = escape(item.text).replace("\n", "<br/>")
        return f"""<div class="tgme_widget_message_wrap js-widget_message_wrap">
<div class="tgme_widget_message js-widget_message" data-post="{username}/{item.message_id}">
<div class="tgme_widget_message_bubble">{forwarded}{photos}
<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>
<div class="tgme_widget_message_footer compact js-message_footer">
<div class="tgme_widget_message_info short js-message_info">
<span class="tgme_widget_message_views">{item.views}</span>
<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date"
href="https://t.me/{username}/{item.message_id}"><time datetime="{item.posted_at.isoformat()}"
class="time">12:00</time></a></span></div></div></div></div></div>"""

    async def _contact_card(self, request: web.Request) -> web.StreamResponse:
        return _html(CONTACT_CARD)


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")


def _number(item: PreviewItem) -> int:
    return item.message_id
