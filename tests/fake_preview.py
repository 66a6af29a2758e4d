"""Telegram's public channel web preview (t.me/s/<username>) on 127.0.0.1.

Every channel it knows serves the pages of preview_pages ("analyticsdemo": the newest page,
?before=96 the older one, anything older the empty end of the history). A test can make
a channel's preview fail, change its layout, or hide it; `requests` counts what was asked.
"""

from __future__ import annotations

from collections import Counter
from enum import Enum

from aiohttp import web
from preview_pages import PAGES

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


class FakePreview:
    def __init__(self) -> None:
        self.base_url = ""
        self.requests: Counter[str] = Counter()  # path with query -> times asked
        self.channels: dict[str, Preview] = {}
        self._runner: web.AppRunner | None = None

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
        pages = {None: "channel_latest", "96": "channel_before_96"}
        return _html(PAGES[pages.get(request.query.get("before"), "channel_empty")])

    async def _contact_card(self, request: web.Request) -> web.StreamResponse:
        return _html(CONTACT_CARD)


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")
