"""Lists longer than one message, shown a page at a time: the one shape of every list in chat."""

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

# Telegram caps a channel title at 128 characters, so ten items of any list stay far below a
# message's 4096 characters, and their buttons far below a keyboard's 100.
PAGE_SIZE = 10

Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: Sequence[Item]
    number: int  # 1-based
    count: int  # pages in all
    first_number: int  # the list number of items[0]: numbers run on across pages

    def numbered(self) -> list[tuple[int, Item]]:
        return list(enumerate(self.items, self.first_number))


def page_of(items: Sequence[Item], number: int, *, size: int = PAGE_SIZE) -> Page[Item]:
    """Page `number` of `items`; past the end (items went away since), the last page."""
    count = max(1, ceil(len(items) / size))
    number = min(max(number, 1), count)
    start = (number - 1) * size
    return Page(
        items=items[start : start + size], number=number, count=count, first_number=start + 1
    )
