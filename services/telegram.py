"""What the services need from Telegram, behind a small protocol the bot implements."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ChatInfo:
    id: int
    type: str  # "channel", "supergroup", "group" or "private"
    title: str
    username: str | None


@dataclass(frozen=True)
class ChatAdmins:
    human_ids: frozenset[int]
    bot_is_admin: bool


class ChatUnavailable(Exception):
    """Telegram does not know the chat, or will not show it to the bot."""


class FileUnavailable(Exception):
    """Telegram will not hand the bot this file (unknown id, or a download that failed)."""


class FileTooBig(FileUnavailable):
    """The file is over the size bots may download (20 MB)."""


class TelegramGateway(Protocol):
    async def get_chat(self, chat_ref: int | str) -> ChatInfo:
        """The chat by id or @username; raises ChatUnavailable."""
        ...

    async def get_admins(self, chat_id: int) -> ChatAdmins:
        """Who administers the chat, as Telegram says now; raises ChatUnavailable."""
        ...

    async def get_member_count(self, chat_id: int) -> int:
        """The chat's member (subscriber) count; raises ChatUnavailable."""
        ...

    async def download_file(self, file_id: str) -> bytes:
        """A file a user sent, by its file_id; raises FileTooBig or FileUnavailable."""
        ...
