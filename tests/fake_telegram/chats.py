"""The Bot API methods on chats and their members."""

from __future__ import annotations

import secrets
from typing import Any

from .constants import _ACCEPTED_GIFTS, BOT_ID, BOT_USER
from .errors import _bad, _forbidden
from .helpers import _compact, _timestamp
from .records import ApiRequest, FakeChannel, FakeUser


class ChatMethods:
    """getChat, members, leaving, invite links and join requests.

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

    def _inviting_channel(self, rq: ApiRequest) -> FakeChannel:
        """The channel of an invite-link method, if the bot may manage its links."""
        chat = self._resolve_chat(rq.get("chat_id"))
        if not (
            isinstance(chat, FakeChannel)
            and chat.bot_status == "administrator"
            and chat.bot_rights.get("can_invite_users")
        ):
            raise _bad("not enough rights to manage chat invite link")
        return chat

    @staticmethod
    def _link_options(rq: ApiRequest, link: dict[str, Any]) -> dict[str, Any]:
        """createChatInviteLink's and editChatInviteLink's options, checked as Telegram does."""
        name = rq.get("name", link.get("name"))
        if len(str(name or "")) > 32:
            raise _bad("INVITE_LINK_NAME_INVALID")
        requests = rq.get("creates_join_request", link.get("creates_join_request")) is True
        limit = rq.get("member_limit", link.get("member_limit"))
        if limit is not None and not 1 <= int(limit) <= 99999:
            raise _bad("USAGE_LIMIT_INVALID")
        if requests and limit:
            raise _bad("member limit can't be specified for links requiring administrator approval")
        expire = rq.get("expire_date", link.get("expire_date"))
        if expire is not None and int(expire) <= _timestamp(None):
            raise _bad("EXPIRE_DATE_INVALID")
        return _compact(
            **{
                **link,
                "creates_join_request": requests,
                "name": name,
                "expire_date": int(expire) if expire is not None else None,
                "member_limit": int(limit) if limit is not None else None,
            }
        )

    def _create_chat_invite_link(self, rq: ApiRequest) -> dict[str, Any]:
        chat = self._inviting_channel(rq)
        options = self._link_options(rq, {})
        return chat.new_invite_link(
            f"https://t.me/+{secrets.token_urlsafe(12)}", BOT_USER, **options
        )

    def _bots_link(self, rq: ApiRequest) -> tuple[FakeChannel, dict[str, Any]]:
        """A link the bot made: another admin's (even shortened) is refused, as Telegram does."""
        chat = self._inviting_channel(rq)
        link = chat.invite_links.get(str(rq.get("invite_link") or ""))
        if link is None:
            raise _bad("INVITE_HASH_EXPIRED")
        if link["creator"]["id"] != BOT_ID:
            raise _bad("CHAT_ADMIN_REQUIRED")
        return chat, link

    def _edit_chat_invite_link(self, rq: ApiRequest) -> dict[str, Any]:
        chat, link = self._bots_link(rq)
        if link["is_revoked"]:
            raise _bad("INVITE_HASH_EXPIRED")
        edited = self._link_options(rq, link)
        chat.invite_links[link["invite_link"]] = edited
        return edited

    def _revoke_chat_invite_link(self, rq: ApiRequest) -> dict[str, Any]:
        _, link = self._bots_link(rq)
        link["is_revoked"] = True
        return link

    def _approve_chat_join_request(self, rq: ApiRequest) -> bool:
        chat = self._inviting_channel(rq)
        user_id = int(rq.get("user_id") or 0)
        if user_id not in chat.join_requests:
            raise _bad("HIDE_REQUESTER_MISSING")
        # Telegram tells the bot of the join; the update comes with the next getUpdates.
        self._followups.extend(self._approved(chat, user_id, BOT_USER))
        return True

    def _decline_chat_join_request(self, rq: ApiRequest) -> bool:
        chat = self._inviting_channel(rq)
        if chat.join_requests.pop(int(rq.get("user_id") or 0), None) is None:
            raise _bad("HIDE_REQUESTER_MISSING")
        return True
