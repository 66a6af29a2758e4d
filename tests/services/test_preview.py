"""The t.me/s/ web-preview parser and client, against pages in Telegram's markup and a local
server."""

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from fake_preview import CONTACT_CARD
from preview_pages import PAGES

from services.views import ViewsSource
from services.views.preview import (
    PreviewClient,
    PreviewLayoutChanged,
    PreviewNotPublic,
    PreviewPage,
    PreviewUnavailable,
    parse_count,
    parse_preview_page,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("987", 987, id="plain"),
        pytest.param("0", 0, id="zero"),
        pytest.param("1.2K", 1_200, id="thousands"),
        pytest.param("12.5K", 12_500, id="thousands-two-digits"),
        pytest.param("4.85K", 4_850, id="thousands-no-float-error"),
        pytest.param("436.6K", 436_600, id="hundreds-of-thousands"),
        pytest.param("208K", 208_000, id="thousands-whole"),
        pytest.param("3.4M", 3_400_000, id="millions"),
        pytest.param("1.1B", 1_100_000_000, id="billions"),
        pytest.param("1.2k", 1_200, id="lowercase-suffix"),
        pytest.param("1,234", 1_234, id="comma-grouped"),
        pytest.param("1 234", 1_234, id="space-grouped"),
        pytest.param("1\u00a0234\u00a0567", 1_234_567, id="nbsp-grouped"),
        pytest.param("  987\n", 987, id="surrounding-whitespace"),
    ],
)
def test_parse_count(text: str, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("views", id="word"),
        pytest.param("K", id="suffix-only"),
        pytest.param("1.2", id="fraction-without-suffix"),
        pytest.param("1.2.3K", id="two-dots"),
        pytest.param("1.2KK", id="double-suffix"),
        pytest.param("-5", id="negative"),
        pytest.param("1,23", id="bad-grouping"),
        pytest.param("12 3456", id="bad-group-width"),
        pytest.param("1.2 K", id="spaced-suffix"),
    ],
)
def test_parse_count_rejects_junk(text: str) -> None:
    with pytest.raises(ValueError, match="not a count"):
        parse_count(text)


def test_newest_page_header_and_posts() -> None:
    parsed = parse_preview_page(PAGES["channel_latest"], username="analyticsdemo")

    assert parsed.username == "analyticsdemo"
    assert parsed.title == "Analytics Demo 📈"
    assert parsed.subscribers == 12_300
    assert parsed.oldest_message_id == 96
    by_id = {post.message_id: post for post in parsed.posts}
    assert list(by_id) == [96, 97, 98, 99, 102, 103]
    assert {i: post.views for i, post in by_id.items()} == {
        96: None,
        97: 987,
        98: 1_200,
        99: 12_500,
        102: 3_400_000,
        103: 4_850,
    }
    assert [post.posted_at for post in parsed.posts] == [
        at(10, 8),
        at(10, 9, 15),
        at(11, 12),
        at(12, 18, 30),
        at(13, 7, 45),
        at(14, 10),
    ]
    assert all(post.posted_at.tzinfo is UTC for post in parsed.posts)
    assert [i for i, post in by_id.items() if post.edited] == [102]


def test_service_message_has_no_views() -> None:
    service = parse_preview_page(PAGES["channel_latest"], username="analyticsdemo").posts[0]

    assert service.is_service
    assert service.views is None
    assert service.text == "Channel photo updated"
    assert service.media_kind == "photo"  # the new channel photo


def test_album_is_one_grouped_post() -> None:
    posts = parse_preview_page(PAGES["channel_latest"], username="analyticsdemo").posts
    album = next(post for post in posts if post.message_id == 99)

    # Its photos are messages 99-101; the page shows them as one post with one counter.
    assert album.grouped
    assert album.media_kind == "photo"
    assert album.text == "Three charts from the May report"
    assert [post.grouped for post in posts].count(True) == 1


def test_texts_keep_line_breaks_and_skip_reply_quotes() -> None:
    posts = parse_preview_page(PAGES["channel_latest"], username="analyticsdemo").posts
    texts = {post.message_id: post.text for post in posts}

    assert texts[97] == "Weekly digest\nViews are up & so are reposts."
    assert texts[98] == "Subscribers by month 📊\n\nSource: example.com/report"
    assert texts[103] == "Correction: the digest counted reposts twice."


def test_photo_with_caption_and_signed_post() -> None:
    posts = {
        post.message_id: post
        for post in parse_preview_page(PAGES["channel_latest"], username="analyticsdemo").posts
    }

    assert (posts[98].media_kind, posts[98].grouped) == ("photo", False)
    # Signed by "Jane Doe": the signature sits in the meta span but is not an edit mark.
    assert posts[103].media_kind is None
    assert not posts[103].edited


def test_older_page() -> None:
    parsed = parse_preview_page(PAGES["channel_before_96"], username="analyticsdemo")

    assert parsed.subscribers == 12_300
    assert parsed.oldest_message_id == 90
    assert [(p.message_id, p.views, p.media_kind) for p in parsed.posts] == [
        (90, 5_100, None),
        (91, 2_300, "video"),
        (93, 654, "document"),
        (94, 1_100, "poll"),
    ]
    assert parsed.posts[1].text == "How the dashboard works, in 42 seconds"
    assert not any(post.edited or post.is_service for post in parsed.posts)


def test_channel_without_posts_is_not_a_layout_change() -> None:
    parsed = parse_preview_page(PAGES["channel_empty"], username="quietchannel")

    assert parsed == PreviewPage(
        username="quietchannel",
        title="Quiet Channel",
        subscribers=1,
        posts=[],
        oldest_message_id=None,
    )


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        pytest.param(PAGES["layout_changed"], "tgme_channel_history", id="renamed-classes"),
        pytest.param(
            PAGES["channel_latest"].replace(' data-post="', ' data-id="'),
            "without data-post",
            id="no-data-post",
        ),
        pytest.param(
            PAGES["channel_latest"].replace("tgme_widget_message ", "tgme_widget_post "),
            "no longer div.tgme_widget_message",
            id="renamed-messages",
        ),
        pytest.param(
            PAGES["channel_latest"].replace("tgme_widget_message_views", "tgme_widget_views"),
            "tgme_widget_message_views",
            id="renamed-views",
        ),
        pytest.param(
            PAGES["channel_latest"].replace("tgme_widget_message_date", "tgme_widget_date"),
            "has no a.tgme_widget_message_date",
            id="renamed-date",
        ),
        pytest.param(
            PAGES["channel_latest"].replace(">987<", ">lots<"),
            "not a count: 'lots'",
            id="unreadable-views",
        ),
    ],
)
def test_layout_change_is_reported(html: str, reason: str) -> None:
    with pytest.raises(PreviewLayoutChanged, match=reason):
        parse_preview_page(html, username="analyticsdemo")


def test_contact_card_is_unavailable_not_a_layout_change() -> None:
    with pytest.raises(PreviewNotPublic, match="no public post history"):
        parse_preview_page(CONTACT_CARD, username="private")


class FakeTelegram:
    """t.me/s/ on 127.0.0.1: the demo pages, a redirect, a failure, and what was asked."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.user_agents: list[str] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/s/{name}", self.preview)
        app.router.add_get("/{name}", self.contact_card)
        return app

    async def preview(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        self.user_agents.append(request.headers.get("User-Agent", ""))
        name, before = request.match_info["name"], request.query.get("before")
        if name == "private":
            raise web.HTTPFound(f"/{name}")
        if name == "broken":
            raise web.HTTPInternalServerError()
        if name == "stuck":  # ignores ?before= and always answers with the newest page
            return html_response(PAGES["channel_latest"])
        if name != "analyticsdemo":
            raise web.HTTPNotFound()
        pages = {None: "channel_latest", "96": "channel_before_96"}
        return html_response(PAGES[pages.get(before, "channel_empty")])

    async def contact_card(self, request: web.Request) -> web.StreamResponse:
        return html_response(CONTACT_CARD)


def html_response(html: str) -> web.Response:
    return web.Response(text=html, content_type="text/html", charset="utf-8")


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[PreviewClient]:
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        async with aiohttp.ClientSession() as session:
            yield PreviewClient(session, base_url=f"http://{host}:{port}")
    finally:
        await runner.cleanup()


async def collect(pages: AsyncIterator[PreviewPage]) -> list[PreviewPage]:
    return [fetched async for fetched in pages]


async def test_fetch_page_newest_and_before() -> None:
    telegram = FakeTelegram()
    async with serving(telegram.app()) as client:
        newest = await client.fetch_page("analyticsdemo")
        older = await client.fetch_page("analyticsdemo", before=96)

    assert isinstance(client, ViewsSource)
    assert newest.oldest_message_id == 96
    assert newest.subscribers == 12_300
    assert [post.message_id for post in older.posts] == [90, 91, 93, 94]
    assert telegram.requests == ["/s/analyticsdemo", "/s/analyticsdemo?before=96"]
    assert all(agent.startswith("Mozilla/5.0") for agent in telegram.user_agents)


async def test_fetch_history_stops_at_since() -> None:
    telegram = FakeTelegram()
    async with serving(telegram.app()) as client:
        pages = await collect(client.fetch_history("analyticsdemo", since=at(2, 0)))

    # The second page reaches 1 May, before `since`, so there is no third request.
    assert [fetched.oldest_message_id for fetched in pages] == [96, 90]
    assert telegram.requests == ["/s/analyticsdemo", "/s/analyticsdemo?before=96"]


async def test_fetch_history_stops_at_the_start_of_the_channel() -> None:
    telegram = FakeTelegram()
    async with serving(telegram.app()) as client:
        since = datetime(2020, 1, 1, tzinfo=UTC)
        pages = await collect(client.fetch_history("analyticsdemo", since=since))

    assert [fetched.oldest_message_id for fetched in pages] == [96, 90]
    assert telegram.requests[-1] == "/s/analyticsdemo?before=90"


async def test_fetch_history_stops_without_progress_and_at_max_pages() -> None:
    telegram = FakeTelegram()
    async with serving(telegram.app()) as client:
        stuck = await collect(client.fetch_history("stuck", since=at(1, 0)))
        capped = await collect(client.fetch_history("analyticsdemo", since=at(1, 0), max_pages=1))

    assert [fetched.oldest_message_id for fetched in stuck] == [96]
    assert [fetched.oldest_message_id for fetched in capped] == [96]
    assert telegram.requests == ["/s/stuck", "/s/stuck?before=96", "/s/analyticsdemo"]


async def test_fetch_history_needs_an_aware_since() -> None:
    async with serving(FakeTelegram().app()) as client:
        with pytest.raises(ValueError, match="timezone-aware"):
            await collect(client.fetch_history("analyticsdemo", since=datetime(2024, 5, 1)))


async def test_redirect_away_from_the_preview_is_unavailable() -> None:
    async with serving(FakeTelegram().app()) as client:
        with pytest.raises(PreviewNotPublic, match="redirected to") as caught:
            await client.fetch_page("private")

    assert caught.value.username == "private"
    assert caught.value.status is None


@pytest.mark.parametrize(
    ("username", "status"),
    [pytest.param("broken", 500, id="server-error"), pytest.param("nobody", 404, id="not-found")],
)
async def test_http_error_is_unavailable_with_status(username: str, status: int) -> None:
    async with serving(FakeTelegram().app()) as client:
        with pytest.raises(PreviewUnavailable, match=f"HTTP {status}") as caught:
            await client.fetch_page(username)

    assert caught.value.status == status
    assert not isinstance(caught.value, PreviewNotPublic)  # a failure, not a private channel


async def test_connection_failure_is_unavailable() -> None:
    # A port held bound but not listening: the connection is refused, and no other server
    # (another test worker's, say) can take the port meanwhile.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        async with aiohttp.ClientSession() as session:
            client = PreviewClient(session, base_url=f"http://127.0.0.1:{port}")
            with pytest.raises(PreviewUnavailable, match="request failed"):
                await client.fetch_page("analyticsdemo")


async def test_username_must_be_a_username() -> None:
    async with serving(FakeTelegram().app()) as client:
        with pytest.raises(ValueError, match="not a channel username"):
            await client.fetch_page("../admin")
