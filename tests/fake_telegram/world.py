"""The world: users, channels, members, messages and files, and who may reach what."""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .constants import _FILE_ID_PREFIX, _HUMAN_ADMIN_RIGHTS, BOT_ID, BOT_USER
from .errors import _bad, _forbidden
from .helpers import _compact, _image_info, _placeholder_png, _timestamp
from .records import ApiRequest, Call, FakeChannel, FakeUser, _StoredFile


class World:
    """Users, channels and messages; the chats and members the methods act on.

    A part of :class:`FakeTelegram`, whose ``__init__`` holds the state.
    """

    # ----------------------------------------------------------------- the world

    def user(
        self,
        first_name: str = "Alice",
        username: str | None = None,
        *,
        language_code: str = "en",
        last_name: str | None = None,
        started: bool = False,
    ) -> FakeUser:
        """A new user (ids 1001, 1002, ...); ``started`` lets the bot write first."""
        user = FakeUser(next(self._user_ids), first_name, username, language_code, last_name)
        user.started = started
        self.users[user.id] = user
        return user

    def channel(
        self,
        title: str = "My Channel",
        username: str | None = "mychannel",
        *,
        owner: FakeUser,
        admins: Iterable[FakeUser] = (),
        subscribers: int = 100,
    ) -> FakeChannel:
        """A channel (public if it has a username); the bot is not in it until added."""
        if username is not None and self._channel_by_username(username) is not None:
            raise ValueError(f"a channel @{username} exists already; pass another username")
        roles = {owner.id: "creator"} | {a.id: "administrator" for a in admins if a is not owner}
        channel = FakeChannel(next(self._channel_ids), title, username, subscribers, roles)
        self.channels[channel.id] = channel
        return channel

    def set_admin(self, channel: FakeChannel, user: FakeUser, is_admin: bool) -> None:
        if channel.admins.get(user.id) == "creator":
            raise ValueError("the owner of a channel is always its admin")
        if is_admin:
            channel.admins[user.id] = "administrator"
        else:
            channel.admins.pop(user.id, None)

    def block_bot(self, user: FakeUser) -> None:
        """From now on sending to the user fails with 403 (until they write to the bot)."""
        user.blocked = True

    def unblock_bot(self, user: FakeUser) -> None:
        user.blocked = False

    def message(self, chat: FakeUser | FakeChannel | int, message_id: int) -> dict[str, Any]:
        """The current state of a message (after edits); KeyError if missing or deleted."""
        chat_id = chat if isinstance(chat, int) else chat.id
        return copy.deepcopy(self._messages[(chat_id, message_id)])

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[Any]:
        """The bot commands set for a scope (default scope if None) and language."""
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # ----------------------------------------------------------------- world internals

    def _chat_key(self, chat: Any) -> int | str | None:
        if isinstance(chat, FakeUser | FakeChannel):
            return chat.id
        if isinstance(chat, str):
            if chat.startswith("@"):
                channel = self._channel_by_username(chat[1:])
                return channel.id if channel else chat.lower()
            try:
                return int(chat)
            except ValueError:
                return chat
        return chat

    def _channel_by_username(self, username: str) -> FakeChannel | None:
        return next(
            (c for c in self.channels.values() if (c.username or "").lower() == username.lower()),
            None,
        )

    def _new_subscriber(self) -> FakeUser:
        user_id = next(self._subscriber_ids)
        user = FakeUser(user_id, f"Subscriber {user_id % 1_000_000}")
        self._subscribers[user_id] = user
        return user

    def _bot_member(self, channel: FakeChannel) -> dict[str, Any]:
        if channel.bot_status == "administrator":
            return _admin_member(BOT_USER, channel.bot_rights)
        if channel.bot_status == "kicked":
            return {"status": "kicked", "user": BOT_USER, "until_date": 0}
        return {"status": channel.bot_status, "user": BOT_USER}

    def _channel_member(self, channel: FakeChannel, user_id: int) -> dict[str, Any]:
        if user_id == BOT_ID:
            return self._bot_member(channel)
        role = channel.admins.get(user_id)
        person = self.users.get(user_id) or self._subscribers.get(user_id)
        if person is None and role is None:
            raise _bad("user not found")
        user = person.api() if person else {"id": user_id, "is_bot": False, "first_name": "User"}
        if role == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if role == "administrator":
            return _admin_member(user, _HUMAN_ADMIN_RIGHTS)
        return {"status": "member" if user_id in channel.members else "left", "user": user}

    def _member_update(
        self,
        channel: FakeChannel,
        actor: dict[str, Any],
        old: dict[str, Any],
        new: dict[str, Any],
        date: datetime | int | None = None,
        invite_link: dict[str, Any] | None = None,
        *,
        via_join_request: bool = False,
        via_chat_folder_invite_link: bool = False,
    ) -> dict[str, Any]:
        return _compact(
            chat=channel.chat(),
            date=_timestamp(date),
            old_chat_member=old,
            new_chat_member=new,
            invite_link=invite_link,
            via_join_request=via_join_request or None,
            via_chat_folder_invite_link=via_chat_folder_invite_link or None,
            **{"from": actor},
        )

    def _approved(
        self, channel: FakeChannel, user_id: int, by: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """A pending join request approved (by the bot or an admin): the join it makes."""
        link = channel.join_requests.pop(user_id)
        person = self._subscribers.get(user_id) or self.users[user_id]
        channel.members[person.id] = person
        channel.subscribers += 1
        old = {"status": "left", "user": person.api()}
        new = {"status": "member", "user": person.api()}
        update = self._member_update(channel, by, old, new, None, link, via_join_request=True)
        return [{"chat_member": update}]

    def _invite_link(self, channel: FakeChannel, name_or_link: str) -> dict[str, Any]:
        for link in channel.invite_links.values():
            if name_or_link in (link.get("name"), link["invite_link"]):
                return link
        owner = self.users.get(channel.owner_id or 0)
        return channel.new_invite_link(
            # Telegram hides the secret part of links the bot did not create.
            f"https://t.me/+{secrets.token_urlsafe(4)}…",
            owner.api() if owner else BOT_USER,
            name=name_or_link,
        )

    def _next_message_id(self, chat: FakeUser | FakeChannel) -> int:
        if isinstance(chat, FakeChannel):
            chat.next_message_id += 1
            return chat.next_message_id - 1
        self._dialog_ids[chat.id] = self._dialog_ids.get(chat.id, 0) + 1
        return self._dialog_ids[chat.id]

    def _store_message(
        self,
        chat: FakeUser | FakeChannel,
        sender: dict[str, Any] | None,
        *,
        date: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """Store a new message in ``chat`` (sender None: the channel itself) and copy it."""
        message: dict[str, Any] = {"message_id": self._next_message_id(chat)}
        if sender is not None:
            message["from"] = sender
        if isinstance(chat, FakeChannel):
            message["sender_chat"] = chat.chat()
        message |= {"date": date or _timestamp(None), "chat": chat.chat()}
        message |= _compact(**content)
        self._messages[(chat.id, message["message_id"])] = message
        return copy.deepcopy(message)

    def _user_message(self, user: FakeUser, **content: Any) -> dict[str, Any]:
        user.started, user.blocked = True, False  # writing to a bot unblocks it
        return self._store_message(user, user.api(), **content)

    def _current_message(self, call_or_message: Call | dict[str, Any]) -> dict[str, Any]:
        if isinstance(call_or_message, Call):
            if not call_or_message.ok:
                raise AssertionError(f"that call failed: {call_or_message!r}")
            source = call_or_message.response
            if not isinstance(source, dict) or "chat" not in source:
                chat_id = self._chat_key(call_or_message.chat_id)
                source = {"chat": {"id": chat_id}, "message_id": call_or_message.message_id}
        else:
            source = call_or_message
        key = (source["chat"]["id"], source["message_id"])
        if key not in self._messages:
            raise AssertionError(f"message {key[1]} in chat {key[0]} does not exist (deleted?)")
        return copy.deepcopy(self._messages[key])

    def _new_file(self, kind: str, data: bytes, **details: Any) -> _StoredFile:
        number = next(self._counter)
        prefix = _FILE_ID_PREFIX.get(kind, "BAACAgIAAxkBAAI")
        stored = _StoredFile(
            f"{prefix}{number:06d}{secrets.token_urlsafe(12)}", f"AQAD{number:06d}", kind, data
        )
        for key, value in details.items():
            setattr(stored, key, value)
        self._files[stored.file_id] = stored
        return stored

    def _user_file(
        self, kind: str, data: bytes, filename: str | None = None, mime: str | None = None
    ) -> _StoredFile:
        info = _image_info(data)
        width, height = (info[1], info[2]) if info else (0, 0)
        details = {"file_name": filename, "mime_type": mime} if kind == "document" else {}
        return self._new_file(kind, data, width=width, height=height, **details)

    def _placeholder_media(self, kind: str) -> Any:
        """Media of a channel post: a small real PNG, or stand-in video/PDF bytes."""
        if kind == "photo":
            return self._user_file("photo", _placeholder_png()).media()
        if kind == "video":
            video = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
            return self._new_file(kind, video, width=1280, height=720).video(duration=15)
        pdf = b"%PDF-1.4\n% fake\n"
        details = {"file_name": "document.pdf", "mime_type": "application/pdf"}
        return self._new_file(kind, pdf, **details).media()

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    # ----------------------------------------------------------------- access rules

    def _resolve_chat(self, chat_id: Any) -> FakeUser | FakeChannel:
        """A chat the bot can see: unknown ids and private channels it is not in are not found."""
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        key = self._chat_key(chat_id)
        chat = self.channels.get(key) if isinstance(key, int) else None
        if chat is None and isinstance(key, int):
            chat = self.users.get(key) or self._subscribers.get(key)
        if chat is None:
            raise _bad("chat not found")
        if isinstance(chat, FakeChannel):
            if chat.bot_status == "kicked":
                raise _forbidden("bot was kicked from the channel chat")
            if chat.bot_status != "administrator" and chat.username is None:
                raise _bad("chat not found")
        return chat

    def _writable_chat(self, chat_id: Any) -> FakeUser | FakeChannel:
        chat = self._resolve_chat(chat_id)
        if isinstance(chat, FakeUser):
            if chat.blocked:
                raise _forbidden("bot was blocked by the user")
            # Telegram lets a bot write to whoever sent a join request to a chat it manages.
            if not chat.started and chat.id not in self._join_requesters:
                raise _forbidden("bot can't initiate conversation with a user")
        elif chat.bot_status != "administrator":
            raise _forbidden("bot is not a member of the channel chat")
        elif not chat.bot_rights.get("can_post_messages", True):
            raise _bad("need administrator rights in the channel chat")
        return chat

    def _member_list(self, chat_id: Any) -> FakeChannel:
        chat = self._resolve_chat(chat_id)
        if isinstance(chat, FakeUser):
            raise _bad("there are no administrators in the private chat")
        if chat.bot_status != "administrator":
            raise _bad("member list is inaccessible")
        return chat

    def _editable_message(self, rq: ApiRequest) -> dict[str, Any]:
        if rq.get("inline_message_id") is not None:
            raise _bad("MESSAGE_ID_INVALID")
        chat = self._writable_chat(rq.get("chat_id"))
        if rq.get("message_id") is None:
            raise _bad("message identifier is not specified")
        key = (chat.id, int(rq.get("message_id")))
        message = self._messages.get(key)
        if message is None:
            raise _bad("message to edit not found")
        if key not in self._bot_messages and not (
            isinstance(chat, FakeChannel) and chat.bot_rights.get("can_edit_messages")
        ):
            raise _bad("message can't be edited")
        return message


def _admin_member(user: dict[str, Any], rights: Mapping[str, bool]) -> dict[str, Any]:
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": False,
        "is_anonymous": False,
        **rights,
    }
