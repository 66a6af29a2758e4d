"""Telegram's public channel web preview (t.me/s/<username>) on 127.0.0.1.

Every channel it knows serves the pages of preview_pages ("analyticsdemo": the newest page,
?before=96 the older one, anything older the empty end of the history). A test can make
a channel's preview fail, change its layout, or hide it; `requests` counts what was asked.

A channel given posts (`publish`) serves a page made of them instead, in t.me's markup: texts,
photos (served here under /file/, their addresses in the page's background-image styles, as
t.me's point at its CDN) and "Forwarded from" marks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from html import escape

from aiohttp import web
from preview_pages import PAGES, Channel, Post, channel_page, text

# t.me/<username> when /s/ redirects there: a contact card, no post history.
CONTACT_CARD = """<!DOCTYPE html><html><body>
<div class="tgme_page_wrap"><div class="tgme_body_wrap"><div class="tgme_page">
<div class="tgme_page_title"><span dir="auto">Private</span></div>
<div class="tgme_page_extra">1 234 subscribers</div>
</div></div></div></body></html>"""


class Preview(Enum):
    PUBLIC = "public"  # the demo channel's pages
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
        self.redirects: dict[str, str] = {}  # a file's name -> where it answers 302 to
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
            return _html(PAGES["layout_changed"])
        if username in self.posts:
            if request.query.get("before"):
                return _html(PAGES["channel_empty"])
            return _html(self._page(username))
        pages = {None: "channel_latest", "96": "channel_before_96"}
        return _html(PAGES[pages.get(request.query.get("before"), "channel_empty")])

    async def _file(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path] += 1
        if (target := self.redirects.get(request.match_info["name"])) is not None:
            raise web.HTTPFound(target)
        data = self.files.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="image/jpeg")

    def _page(self, username: str) -> str:
        channel = Channel(
            username=username,
            title=escape(self.titles[username]),
            counters=[(str(self.subscribers[username]), "subscribers")],
        )
        posts = [
            Post(
                message_id=item.message_id,
                posted_at=item.posted_at.astimezone(UTC).replace(tzinfo=None).isoformat(),
                body=self._body(username, item),
                views=str(item.views),
            )
            for item in sorted(self.posts[username], key=_number)
        ]
        return channel_page(channel, posts)

    def _body(self, username: str, item: PreviewItem) -> str:
        """What the post's bubble shows: "Forwarded from", its photos, its text."""
        body = ""
        if item.forwarded_from is not None:
            body += (
                '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from'
                '&nbsp;<a class="tgme_widget_message_forwarded_from_name" '
                f'href="https://t.me/source/1"><span dir="auto">{escape(item.forwarded_from)}'
                "</span></a></div>"
            )
        for number, data in enumerate(item.photos):
            name = f"{username}_{item.message_id}_{number}.jpg"
            self.files[name] = data
            body += (
                '<a class="tgme_widget_message_photo_wrap blured js-message_photo" '
                f"style=\"width:800px;background-image:url('{self.base_url}/file/{name}')\" "
                f'href="https://t.me/{username}/{item.message_id}"></a>'
            )
        return body + text(escape(item.text).replace("\n", "<br/>"))

    async def _contact_card(self, request: web.Request) -> web.StreamResponse:
        return _html(CONTACT_CARD)


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")


def _number(item: PreviewItem) -> int:
    return item.message_id
