"""Post view counts from sources other than the Bot API, which does not give them to bots."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol, runtime_checkable

from services.views.preview import (
    PhotoUnavailable,
    PreviewClient,
    PreviewError,
    PreviewLayoutChanged,
    PreviewNotPublic,
    PreviewPage,
    PreviewPost,
    PreviewUnavailable,
    parse_count,
    parse_preview_page,
)

__all__ = [
    "PhotoUnavailable",
    "PreviewClient",
    "PreviewError",
    "PreviewLayoutChanged",
    "PreviewNotPublic",
    "PreviewPage",
    "PreviewPost",
    "PreviewUnavailable",
    "ViewsSource",
    "parse_count",
    "parse_preview_page",
]


@runtime_checkable
class ViewsSource(Protocol):
    async def fetch_page(self, username: str, *, before: int | None = None) -> PreviewPage:
        """The newest page of the channel, or the page of posts older than `before`."""
        ...

    # A plain def: an async generator method returns its iterator without being awaited.
    def fetch_history(
        self, username: str, *, since: datetime, max_pages: int = 50
    ) -> AsyncIterator[PreviewPage]:
        """Pages from the newest back until one holds a post older than `since`."""
        ...
