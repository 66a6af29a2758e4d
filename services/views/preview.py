"""Post views read from Telegram's public channel web preview (t.me/s/<username>)."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import aiohttp
from selectolax.lexbor import LexborHTMLParser, LexborNode
from yarl import URL

DEFAULT_BASE_URL = "https://t.me"

_HEADERS = {
    # t.me answers clients that do not look like a browser with a bare page.
    "User-Agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    ),
    # The page is localised, and "edited" and the counter names are matched in English.
    "Accept-Language": "en-US,en;q=0.9",
}
_TIMEOUT = aiohttp.ClientTimeout(total=20, connect=10)

# Where t.me's pages put their photos.
_TELEGRAM_CDN = re.compile(r"(^|\.)(cdn-telegram\.org|telegram-cdn\.org|telesco\.pe)$")
_USERNAME = re.compile(r"[A-Za-z0-9_]+")
_DATA_POST = re.compile(r"[^/\s]+/(\d+)")
_COMPACT_COUNT = re.compile(r"(\d+(?:\.\d+)?)([KMB])", re.IGNORECASE)
_GROUPED_COUNT = re.compile(r"\d{1,3}(?:[,\s]\d{3})+|\d+")
_BACKGROUND_URL = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)['\"]?\)")
_MULTIPLIERS = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
# Stands in for <br> while the markup's own whitespace and newlines are collapsed.
_LINE_BREAK = "\x1e"

# First match wins: a video player also carries a "not supported" fallback, and an audio
# file is a document with an audio icon, so the more specific selectors come first.
_MEDIA_KINDS: tuple[tuple[str, str], ...] = (
    (".tgme_widget_message_service_photo", "photo"),
    (".tgme_widget_message_roundvideo_player", "round_video"),
    (".tgme_widget_message_video_player", "video"),
    (".tgme_widget_message_photo_wrap", "photo"),
    (".tgme_widget_message_voice", "voice"),
    (".tgme_widget_message_document_icon.audio", "audio"),
    (".tgme_widget_message_document", "document"),
    (".tgme_widget_message_poll", "poll"),
    (
        ".tgme_widget_message_sticker, .tgme_widget_message_tgsticker, "
        ".tgme_widget_message_videosticker",
        "sticker",
    ),
    (".tgme_widget_message_location", "location"),
    (".tgme_widget_message_contact", "contact"),
    (".message_media_not_supported", "unsupported"),
)
_ALBUM_KINDS: tuple[tuple[str, str], ...] = (
    (".tgme_widget_message_photo_wrap", "photo"),
    (".tgme_widget_message_video_player", "video"),
)


@dataclass(frozen=True)
class PreviewPost:
    message_id: int
    views: int | None  # None for service messages, which show no counter
    posted_at: datetime  # aware, UTC
    text: str
    edited: bool
    media_kind: str | None  # "photo", "video", "document", ...; "mixed" for a mixed album
    grouped: bool  # an album: one post on the page, several messages in the channel
    is_service: bool
    photo_urls: tuple[str, ...] = ()  # the addresses of the post's photos (background-image)
    forwarded_from: str | None = None  # "Forwarded from": the source's name, as the page shows it


@dataclass(frozen=True)
class PreviewPage:
    username: str
    title: str | None
    subscribers: int | None
    posts: list[PreviewPost]  # in page order, oldest first
    oldest_message_id: int | None


class PreviewError(Exception):
    """The channel's web preview could not be read."""


class PreviewUnavailable(PreviewError):
    """The channel has no public web preview now: private, missing, or an HTTP/network error."""

    def __init__(self, username: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"t.me/s/{username}: {reason}")
        self.username = username
        self.reason = reason
        self.status = status


class PreviewNotPublic(PreviewUnavailable):
    """The username shows no public post history: a private channel, a group, a user or a bot."""


class PhotoUnavailable(PreviewError):
    """A photo the preview shows could not be downloaded (or is over the size limit)."""


class PreviewLayoutChanged(PreviewError):
    """The page no longer has the markup this parser expects; the parser needs updating."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_count(text: str) -> int:
    """A count as t.me prints it ("987", "1.2K", "3.4M", "1,234", "1 234") as an int."""
    cleaned = text.strip()
    if match := _COMPACT_COUNT.fullmatch(cleaned):
        # Decimal, because float would turn "4.85K" into 4849.
        return int(Decimal(match[1]) * _MULTIPLIERS[match[2].upper()])
    if _GROUPED_COUNT.fullmatch(cleaned):
        return int(re.sub(r"\D", "", cleaned))
    raise ValueError(f"not a count: {text!r}")


def parse_preview_page(html: str, *, username: str) -> PreviewPage:
    """The header and posts of one t.me/s/ page; PreviewLayoutChanged if the markup moved."""
    tree = LexborHTMLParser(html)
    history = tree.css_first("section.tgme_channel_history")
    if history is None:
        # t.me/<username>'s contact card instead of a post list: nothing public to read.
        if tree.css_first("div.tgme_page") is not None:
            raise PreviewNotPublic(username, "no public post history")
        raise PreviewLayoutChanged("no section.tgme_channel_history")
    posts = [_parse_post(node) for node in history.css("div.tgme_widget_message")]
    if not posts and history.css_first("[data-post]") is not None:
        raise PreviewLayoutChanged("posts in the history are no longer div.tgme_widget_message")
    regular = [post for post in posts if not post.is_service]
    if regular and all(post.views is None for post in regular):
        raise PreviewLayoutChanged("no post has a span.tgme_widget_message_views")
    title = tree.css_first("div.tgme_channel_info_header_title")
    return PreviewPage(
        username=username,
        title=_clean_text(title) if title is not None else None,
        subscribers=_subscribers(tree),
        posts=posts,
        oldest_message_id=min((post.message_id for post in posts), default=None),
    )


class PreviewClient:
    """Reads t.me/s/<username> pages through a session the caller owns and closes."""

    def __init__(self, session: aiohttp.ClientSession, *, base_url: str = DEFAULT_BASE_URL) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")

    async def fetch_page(self, username: str, *, before: int | None = None) -> PreviewPage:
        """The newest page of the channel, or the page of posts older than `before`."""
        if not _USERNAME.fullmatch(username):
            raise ValueError(f"not a channel username: {username!r}")
        params = {"before": str(before)} if before is not None else None
        try:
            async with self._session.get(
                f"{self._base_url}/s/{username}", params=params, headers=_HEADERS, timeout=_TIMEOUT
            ) as response:
                if response.status != 200:
                    raise PreviewUnavailable(
                        username, f"HTTP {response.status}", status=response.status
                    )
                # Private and missing channels are redirected to the t.me/<username> card.
                if "/s/" not in response.url.path:
                    raise PreviewNotPublic(username, f"redirected to {response.url}")
                html = await response.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise PreviewUnavailable(username, f"request failed: {error!r}") from error
        return parse_preview_page(html, username=username)

    async def fetch_photo(self, url: str, *, max_bytes: int) -> bytes:
        """A photo at an address the preview carries: Telegram's CDN, or the preview's own base
        (where tests and proxies serve them). Raises PhotoUnavailable, also when over max_bytes
        or redirected elsewhere.
        """
        address = URL(url)
        on_cdn = address.scheme == "https" and _TELEGRAM_CDN.search(address.host or "")
        if not (on_cdn or url.startswith(f"{self._base_url}/")):
            raise PhotoUnavailable(f"not a Telegram address: {url}")
        try:
            # Not following redirects: only the address checked above is ever read.
            async with self._session.get(
                url, headers=_HEADERS, timeout=_TIMEOUT, allow_redirects=False
            ) as response:
                if response.status != 200:
                    raise PhotoUnavailable(f"{url}: HTTP {response.status}")
                if (response.content_length or 0) > max_bytes:
                    raise PhotoUnavailable(f"{url}: {response.content_length} bytes")
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > max_bytes:
                        raise PhotoUnavailable(f"{url}: over {max_bytes} bytes")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise PhotoUnavailable(f"{url}: request failed: {error!r}") from error
        return bytes(data)

    async def fetch_history(
        self, username: str, *, since: datetime, max_pages: int = 50
    ) -> AsyncIterator[PreviewPage]:
        """Pages from the newest back until one holds a post older than `since`."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        before: int | None = None
        for _ in range(max_pages):
            page = await self.fetch_page(username, before=before)
            oldest = page.oldest_message_id
            # An empty page is the start of the channel; an unmoved one means ?before= was ignored.
            if before is not None and (oldest is None or oldest >= before):
                return
            yield page
            if oldest is None or min(post.posted_at for post in page.posts) < since:
                return
            before = oldest


def _parse_post(node: LexborNode) -> PreviewPost:
    data_post = node.attributes.get("data-post")
    if not data_post:
        raise PreviewLayoutChanged("div.tgme_widget_message without data-post")
    match = _DATA_POST.fullmatch(data_post)
    if match is None:
        raise PreviewLayoutChanged(f"unexpected data-post {data_post!r}")
    message_id = int(match[1])
    views = node.css_first("span.tgme_widget_message_views")
    album = node.css_first("div.tgme_widget_message_grouped_wrap")
    return PreviewPost(
        message_id=message_id,
        views=_count(views, f"post {message_id} views") if views is not None else None,
        posted_at=_posted_at(node, message_id),
        text=_post_text(node),
        edited=_is_edited(node),
        media_kind=_album_kind(album) if album is not None else _media_kind(node),
        grouped=album is not None,
        is_service="service_message" in _classes(node),
        photo_urls=_photo_urls(node),
        forwarded_from=_forwarded_from(node),
    )


def _photo_urls(node: LexborNode) -> tuple[str, ...]:
    urls = []
    for wrap in node.css("a.tgme_widget_message_photo_wrap"):
        if _has_ancestor(wrap, "tgme_widget_message_reply", until=node):
            continue
        if match := _BACKGROUND_URL.search(wrap.attributes.get("style") or ""):
            urls.append(match[1])
    return tuple(urls)


def _forwarded_from(node: LexborNode) -> str | None:
    mark = node.css_first(".tgme_widget_message_forwarded_from")
    if mark is None:
        return None
    name = mark.css_first(".tgme_widget_message_forwarded_from_name")
    return _clean_text(name if name is not None else mark) or "?"


def _posted_at(node: LexborNode, message_id: int) -> datetime:
    time = node.css_first("a.tgme_widget_message_date time[datetime]")
    if time is None:
        raise PreviewLayoutChanged(f"post {message_id} has no a.tgme_widget_message_date time")
    try:
        posted_at = datetime.fromisoformat(time.attributes["datetime"] or "")
    except ValueError as error:
        raise PreviewLayoutChanged(f"post {message_id} has an unreadable date") from error
    # t.me prints UTC with an offset; a bare time is read as UTC rather than local time.
    if posted_at.tzinfo is None:
        return posted_at.replace(tzinfo=UTC)
    return posted_at.astimezone(UTC)


def _post_text(node: LexborNode) -> str:
    for candidate in node.css("div.tgme_widget_message_text"):
        # A reply quotes the replied-to post in the same class, ahead of the post's own text.
        if _has_ancestor(candidate, "tgme_widget_message_reply", until=node):
            continue
        for line_break in candidate.css("br"):
            line_break.replace_with(_LINE_BREAK)
        lines = candidate.text().split(_LINE_BREAK)
        return "\n".join(" ".join(line.split()) for line in lines).strip()
    return ""


def _is_edited(node: LexborNode) -> bool:
    meta = node.css_first("span.tgme_widget_message_meta")
    if meta is None:
        return False
    # Only the meta's own text: a signature ("from author") may itself contain "edited".
    return any(
        child.tag == "-text" and "edited" in (child.text_content or "")
        for child in meta.iter(include_text=True)
    )


def _album_kind(album: LexborNode) -> str | None:
    kinds = {kind for selector, kind in _ALBUM_KINDS if album.css_first(selector) is not None}
    if len(kinds) > 1:
        return "mixed"
    return next(iter(kinds), None)


def _media_kind(node: LexborNode) -> str | None:
    for selector, kind in _MEDIA_KINDS:
        if node.css_first(selector) is not None:
            return kind
    return None


def _subscribers(tree: LexborHTMLParser) -> int | None:
    for counter in tree.css("div.tgme_channel_info_counter"):
        kind = counter.css_first("span.counter_type")
        value = counter.css_first("span.counter_value")
        if kind is None or value is None:
            continue
        # "subscriber(s)" for channels, "member(s)" for public groups.
        if kind.text(strip=True).startswith(("subscriber", "member")):
            return _count(value, "subscriber count")
    return None


def _count(node: LexborNode, what: str) -> int:
    text = node.text(strip=True)
    try:
        return parse_count(text)
    except ValueError as error:
        raise PreviewLayoutChanged(f"{what} is not a count: {text!r}") from error


def _clean_text(node: LexborNode) -> str:
    return " ".join(node.text().split())


def _classes(node: LexborNode) -> list[str]:
    return (node.attributes.get("class") or "").split()


def _has_ancestor(node: LexborNode, css_class: str, *, until: LexborNode) -> bool:
    parent = node.parent
    while parent is not None and parent != until:
        if css_class in _classes(parent):
            return True
        parent = parent.parent
    return False
