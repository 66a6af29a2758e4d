"""The Bot API methods on chats and their members."""

from __future__ import annotations

import secrets
from typing import Any

from .constants import _ACCEPTED_GIFTS, BOT_ID, BOT_USER
from .errors import _bad, _forbidden
from .helpers import _compact
from .records import ApiRequest, FakeChannel, FakeUser


class ChatMethods:
    """getChat, members, leaving, invite links.

    A part of :class:`FakeTelegram`, whose ``__init__`` holds the state.
    """

    def _get_chat(self, rq: ApiRequest) -> dict[str, Any]:
        chat = self._resolve_chat(rq.get("chat_id"))
        info = {
            **chat.chat(),
            "accent_color_id": abs(chat.id) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": dict(_ACCEPTED_GIFTS),
        }
        if isinstance(chat, FakeChannel):
            info |= _compact(
                description=chat.description,
                active_usernames=[chat.username] if chat.username else None,
                has_visible_history=True,
            )
            if chat.bot_status == "administrator" and chat.bot_rights.get("can_invite_users"):
                info["invite_link"] = f"https://t.me/+fake{abs(chat.id)}"
        return info

    def _get_chat_administrators(self, rq: ApiRequest) -> list[dict[str, Any]]:
        channel = self._member_list(rq.get("chat_id"))
        order = sorted(channel.admins, key=lambda uid: channel.admins[uid] != "creator")
        admins = [self._channel_member(channel, uid) for uid in order]
        return [*admins, self._bot_member(channel)]

    def _get_chat_member(self, rq: ApiRequest) -> dict[str, Any]:
        user_id = int(rq.get("user_id") or 0)
        chat = self._resolve_chat(rq.get("chat_id"))
        if isinstance(chat, FakeUser):
            if user_id not in (chat.id, BOT_ID):
                raise _bad("user not found")
            return {"status": "member", "user": BOT_USER if user_id == BOT_ID else chat.api()}
        if user_id != BOT_ID:
            self._member_list(chat.id)
        return self._channel_member(chat, user_id)

    def _get_chat_member_count(self, rq: ApiRequest) -> int:
        chat = self._resolve_chat(rq.get("chat_id"))
        return chat.subscribers if isinstance(chat, FakeChannel) else 2

    def _leave_chat(self, rq: ApiRequest) -> bool:
        chat = self._resolve_chat(rq.get("chat_id"))
        if isinstance(chat, FakeUser):
            raise _bad("chat member status can't be changed in private chats")
        if chat.bot_status != "administrator":
            raise _forbidden("bot is not a member of the channel chat")
        old = self._bot_member(chat)
        chat.bot_status = "left"
        update = self._member_update(chat, BOT_USER, old, self._bot_member(chat))
        # Telegram tells the bot it left; the update comes with the next getUpdates.
        self._updates.append({"update_id": next(self._update_ids), "my_chat_member": update})
        return True

    def _create_chat_invite_link(self, rq: ApiRequest) -> dict[str, Any]:
        chat = self._resolve_chat(rq.get("chat_id"))
        if not (
            isinstance(chat, FakeChannel)
            and chat.bot_status == "administrator"
            and chat.bot_rights.get("can_invite_users")
        ):
            raise _bad("not enough rights to manage chat invite link")
        if len(str(rq.get("name") or "")) > 32:
            raise _bad("INVITE_LINK_NAME_INVALID")
        link = _compact(
            invite_link=f"https://t.me/+{secrets.token_urlsafe(12)}",
            creator=BOT_USER,
            creates_join_request=rq.get("creates_join_request") is True,
            is_primary=False,
            is_revoked=False,
            name=rq.get("name"),
            expire_date=rq.get("expire_date"),
            member_limit=rq.get("member_limit"),
        )
        chat.invite_links[link["invite_link"]] = link
        return link
