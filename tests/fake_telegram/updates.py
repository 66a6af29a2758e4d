"""Updates a test sends (messages, presses, posts, members, payments) and their queue."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import mimetypes
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from .constants import _MEDIA_KINDS, _OPT_IN_UPDATES, _POLL_CONFLICT
from .errors import ApiError
from .helpers import (
    _command_entities,
    _compact,
    _find_button,
    _image_info,
    _inline_buttons,
    _timestamp,
    _update_kind,
)
from .records import ApiRequest, Call, FakeChannel, FakeUser, _StoredFile

log = logging.getLogger(__name__)


class UpdateFeed:
    """What users do, as updates, and the getUpdates queue that delivers them.

    A part of :class:`FakeTelegram`, whose ``__init__`` holds the state.
    """

    # ----------------------------------------------------------------- updates

    async def send_update(self, update: dict[str, Any], *, wait: bool = True) -> int:
        """Queue an update (its update_id is assigned) and wait until the bot confirmed it."""
        return (await self._send_updates([update], wait=wait))[0]

    async def send_text(self, user: FakeUser, text: str) -> dict[str, Any]:
        """A private message from the user; a leading /command gets a bot_command entity."""
        message = self._user_message(user, text=text, entities=_command_entities(text) or None)
        await self.send_update({"message": message})
        return message

    async def reply_to(self, user: FakeUser, text: str) -> Call:
        """The user sends ``text``; returns the last message the bot sent them (its reply, when
        it replied with a new message)."""
        await self.send_text(user, text)
        return self.last_to(user, "sendMessage")

    async def ask(self, user: FakeUser, text: str) -> str:
        """The user sends ``text``; returns the last text the bot sent them (its answer, if any)."""
        await self.send_text(user, text)
        return self.texts_to(user)[-1]

    async def send_sticker(self, user: FakeUser, emoji: str = "👍") -> dict[str, Any]:
        """A sticker from the user, as Telegram sends one: a Sticker object, no text."""
        stored = self._user_file("sticker", b"RIFF-webp-sticker")
        sticker = stored.media() | {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "type": "regular",
            "is_animated": False,
            "is_video": False,
        }
        message = self._user_message(user, sticker=sticker)
        await self.send_update({"message": message})
        return message

    async def send_photo(
        self,
        user: FakeUser,
        data: bytes,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        return await self._send_user_file(
            user, self._user_file("photo", data), caption, media_group_id
        )

    async def send_document(
        self,
        user: FakeUser,
        data: bytes,
        *,
        filename: str,
        mime_type: str,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        stored = self._user_file("document", data, filename, mime_type)
        return await self._send_user_file(user, stored, caption, media_group_id)

    async def _send_user_file(
        self, user: FakeUser, stored: _StoredFile, caption: str | None, group: str | None
    ) -> dict[str, Any]:
        media = {stored.kind: stored.media()}
        message = self._user_message(user, caption=caption, media_group_id=group, **media)
        await self.send_update({"message": message})
        return message

    async def send_album(
        self, user: FakeUser, items: list[bytes], *, as_documents: bool = False
    ) -> list[dict[str, Any]]:
        """Messages sharing a media_group_id, delivered as separate updates in one batch."""
        group = str(13_000_000_000_000_000 + next(self._counter))
        messages = []
        for number, data in enumerate(items, 1):
            if as_documents:
                info = _image_info(data)
                ext = (
                    ".bin" if info is None else {"JPEG": ".jpg"}.get(info[0], f".{info[0].lower()}")
                )
                mime = mimetypes.guess_type(f"x{ext}")[0] or "application/octet-stream"
                stored = self._user_file("document", data, f"file{number}{ext}", mime)
            else:
                stored = self._user_file("photo", data)
            media = {stored.kind: stored.media()}
            messages.append(self._user_message(user, media_group_id=group, **media))
        await self._send_updates([{"message": m} for m in messages])
        return messages

    async def press(
        self,
        user: FakeUser,
        call_or_message: Call | dict[str, Any],
        callback_data: str,
        *,
        strict: bool = True,
    ) -> str:
        """The user presses an inline button of a message the bot sent; returns the query id.

        With ``strict`` the message's current keyboard must hold that callback_data.
        """
        message = self._current_message(call_or_message)
        buttons = _inline_buttons(message.get("reply_markup"))
        if strict and callback_data not in [b.get("callback_data") for b in buttons]:
            raise AssertionError(
                f"message {message['message_id']} has no button with callback_data "
                f"{callback_data!r}; buttons: {buttons}"
            )
        query_id = str(4_000_000_000_000_000_000 + next(self._counter))
        self._callback_queries[query_id] = False
        chat_id = message["chat"]["id"]
        if chat_id == user.id:
            user.started = True
        query = {
            "id": query_id,
            "from": user.api(),
            "message": message,
            "chat_instance": str(abs(chat_id) * 1_000_003 % 10**18),
            "data": callback_data,
        }
        await self.send_update({"callback_query": query})
        return query_id

    async def press_button(self, user: FakeUser, call: Call | dict[str, Any], text: str) -> str:
        """Press the inline button whose text contains ``text`` (on the message as it is now)."""
        message = self._current_message(call)
        button = _find_button(
            _inline_buttons(message.get("reply_markup")), text, f"message {message['message_id']}"
        )
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} has no callback_data: {button}")
        return await self.press(user, message, button["callback_data"])

    async def choose(self, user: FakeUser, call: Call | dict[str, Any], text: str) -> Call:
        """Press the button whose text contains ``text``; returns the last message the bot sent
        the user (the next step, when the press was answered with a new message)."""
        await self.press_button(user, call, text)
        return self.last_to(user, "sendMessage")

    async def add_bot_to_channel(
        self, channel: FakeChannel, *, by: FakeUser, rights: Mapping[str, bool] | None = None
    ) -> None:
        """An admin makes the bot an administrator: a my_chat_member update."""
        channel.bot_rights.update(rights or {})
        await self._set_bot_status(channel, by, "administrator")

    async def remove_bot_from_channel(
        self, channel: FakeChannel, *, by: FakeUser, kicked: bool = False
    ) -> None:
        """An admin removes (or bans) the bot: a my_chat_member update."""
        await self._set_bot_status(channel, by, "kicked" if kicked else "left")

    async def _set_bot_status(self, channel: FakeChannel, by: FakeUser, status: str) -> None:
        if by.id not in channel.admins:
            raise ValueError(f"{by.first_name} is not an admin of {channel.title}")
        old = self._bot_member(channel)
        channel.bot_status = status
        update = self._member_update(channel, by.api(), old, self._bot_member(channel))
        await self.send_update({"my_chat_member": update})

    async def post(
        self,
        channel: FakeChannel,
        text: str = "Hello",
        *,
        photo: bool = False,
        video: bool = False,
        document: bool = False,
        media_group_id: str | None = None,
        date: datetime | int | None = None,
        photo_data: bytes | None = None,
    ) -> int:
        """A channel post (media posts carry ``text`` as caption); returns its message_id.

        photo_data: a photo post of that picture (photo=True posts a small placeholder).
        """
        photo = photo or photo_data is not None
        kinds = [k for k, on in (("photo", photo), ("video", video), ("document", document)) if on]
        if len(kinds) > 1:
            raise ValueError("a post has at most one kind of media")
        content: dict[str, Any] = {"text": text}
        if photo_data is not None:
            media = self._user_file("photo", photo_data).media()
            content = {"caption": text or None, "photo": media}
        elif kinds:
            content = {"caption": text or None, kinds[0]: self._placeholder_media(kinds[0])}
        message = self._store_message(
            channel, None, date=_timestamp(date), media_group_id=media_group_id, **content
        )
        await self._channel_updates(channel, [{"channel_post": message}])
        return int(message["message_id"])

    async def forward(
        self, user: FakeUser, channel: FakeChannel, message_id: int
    ) -> dict[str, Any]:
        """The user forwards a channel's post to the bot: its content, and where it came from
        in forward_origin (MessageOriginChannel)."""
        original = self._messages.get((channel.id, message_id))
        if original is None:
            raise KeyError(f"{channel.title} has no message {message_id}")
        content = {
            key: copy.deepcopy(original[key])
            for key in ("text", "entities", "caption", "caption_entities", *_MEDIA_KINDS)
            if key in original
        }
        origin = {
            "type": "channel",
            "chat": channel.chat(),
            "message_id": message_id,
            "date": original["date"],
        }
        message = self._user_message(user, forward_origin=origin, **content)
        await self.send_update({"message": message})
        return message

    async def edit_post(
        self,
        channel: FakeChannel,
        message_id: int,
        text: str,
        *,
        edit_date: datetime | int | None = None,
    ) -> None:
        message = self._messages.get((channel.id, message_id))
        if message is None:
            raise KeyError(f"{channel.title} has no message {message_id}")
        key = "caption" if any(kind in message for kind in _MEDIA_KINDS) else "text"
        message[key] = text
        message.pop("caption_entities" if key == "caption" else "entities", None)
        message["edit_date"] = _timestamp(edit_date)
        await self._channel_updates(channel, [{"edited_channel_post": copy.deepcopy(message)}])

    async def react(
        self,
        channel: FakeChannel,
        message_id: int,
        counts: Mapping[str, int],
        *,
        date: datetime | int | None = None,
    ) -> None:
        """Anonymous reaction counts; keys are emoji, "paid", or "custom:<custom_emoji_id>"."""
        reactions = [
            {"type": _reaction_type(key), "total_count": count}
            for key, count in counts.items()
            if count > 0
        ]
        update = {
            "chat": channel.chat(),
            "message_id": message_id,
            "date": _timestamp(date),
            "reactions": reactions,
        }
        await self._channel_updates(channel, [{"message_reaction_count": update}])

    async def join(
        self,
        channel: FakeChannel,
        *,
        count: int = 1,
        invite_link_name: str | None = None,
        via_folder: bool = False,
        date: datetime | int | None = None,
        user: FakeUser | None = None,
    ) -> list[FakeUser]:
        """``count`` new subscribers (or ``user``) join: chat_member updates left -> member.

        ``invite_link_name`` names a link the bot created (by name or URL) or a new one of
        the owner's, shown shortened as Telegram shows other admins' links; ``via_folder``:
        through a chat folder's invite link (via_chat_folder_invite_link, no invite_link).
        Returns who joined.
        """
        link = self._invite_link(channel, invite_link_name) if invite_link_name else None
        joining = [user] if user else [self._new_subscriber() for _ in range(count)]
        await self._membership(channel, joining, "member", date, link, via_folder=via_folder)
        return joining

    async def request_join(
        self,
        channel: FakeChannel,
        *,
        invite_link_name: str | None = None,
        user: FakeUser | None = None,
        date: datetime | int | None = None,
    ) -> FakeUser:
        """A new subscriber (or ``user``) asks to join through a link that creates join
        requests: a chat_join_request update. If the bot approves it (approveChatJoinRequest),
        the chat_member update of the join is delivered before this returns."""
        link = self._invite_link(channel, invite_link_name) if invite_link_name else None
        person = user or self._new_subscriber()
        channel.join_requests[person.id] = link
        self._join_requesters.add(person.id)
        request = _compact(
            chat=channel.chat(),
            user_chat_id=person.id,
            date=_timestamp(date),
            invite_link=link,
            **{"from": person.api()},
        )
        await self._channel_updates(channel, [{"chat_join_request": request}])
        return person

    async def approve_join_request(
        self, channel: FakeChannel, user: FakeUser, *, by: FakeUser
    ) -> None:
        """An admin approves a pending join request in the Telegram app: the join's update."""
        await self._channel_updates(channel, self._approved(channel, user.id, by.api()))

    async def leave(
        self,
        channel: FakeChannel,
        *,
        count: int = 1,
        date: datetime | int | None = None,
        user: FakeUser | None = None,
    ) -> None:
        """``count`` subscribers (latest joiners first, or ``user``) leave: member -> left."""
        if user is not None:
            leaving = [user]
        else:
            leaving = list(reversed(channel.members.values()))[:count]
            leaving += [self._new_subscriber() for _ in range(count - len(leaving))]
        await self._membership(channel, leaving, "left", date)

    async def _membership(
        self,
        channel: FakeChannel,
        people: list[FakeUser],
        status: str,
        date: datetime | int | None,
        link: dict[str, Any] | None = None,
        *,
        via_folder: bool = False,
    ) -> None:
        """People join (status "member") or leave ("left"): one chat_member update each."""
        updates = []
        for person in people:
            if status == "member":
                channel.members[person.id] = person
            else:
                channel.members.pop(person.id, None)
            channel.subscribers = max(0, channel.subscribers + (1 if status == "member" else -1))
            old = {"status": "left" if status == "member" else "member", "user": person.api()}
            new = {"status": status, "user": person.api()}
            member = self._member_update(
                channel, person.api(), old, new, date, link, via_chat_folder_invite_link=via_folder
            )
            updates.append({"chat_member": member})
        await self._channel_updates(channel, updates)

    async def demote_admin(
        self, channel: FakeChannel, admin: FakeUser, *, by: FakeUser, to: str = "member"
    ) -> None:
        """An administrator loses the rights: ``to`` "member" (demoted, still subscribed),
        "left" (left or removed; ``by`` the admin themself when they left) or "kicked".

        One chat_member update, as Telegram sends it, and getChatAdministrators no longer
        lists them.
        """
        if channel.admins.get(admin.id) != "administrator":
            raise ValueError(f"{admin.first_name} is not an administrator of {channel.title}")
        if to not in ("member", "left", "kicked"):
            raise ValueError(f"an administrator cannot be demoted to {to!r}")
        old = self._channel_member(channel, admin.id)
        del channel.admins[admin.id]
        if to == "member":
            channel.members[admin.id] = admin
        else:
            channel.members.pop(admin.id, None)
            channel.subscribers = max(0, channel.subscribers - 1)
        new = {"status": to, "user": admin.api()} | ({"until_date": 0} if to == "kicked" else {})
        update = self._member_update(channel, by.api(), old, new)
        await self._channel_updates(channel, [{"chat_member": update}])

    async def pre_checkout(
        self, user: FakeUser, *, payload: str, total_amount: int, currency: str = "XTR"
    ) -> str:
        """A pre_checkout_query; returns its id (the answer lands in pre_checkout_answers)."""
        query_id = str(5_000_000_000_000_000_000 + next(self._counter))
        self._pre_checkouts.add(query_id)
        query = {
            "id": query_id,
            "from": user.api(),
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
        }
        await self.send_update({"pre_checkout_query": query})
        return query_id

    async def successful_payment(
        self, user: FakeUser, *, payload: str, total_amount: int, currency: str = "XTR"
    ) -> str:
        """A message with successful_payment; returns the telegram_payment_charge_id."""
        charge_id = f"stxFakeCharge{next(self._counter):08d}"
        payment = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "" if currency == "XTR" else f"prov_{charge_id}",
        }
        self._charges[charge_id] = {"user_id": user.id, "refunded": False, "payment": payment}
        await self.send_update({"message": self._user_message(user, successful_payment=payment)})
        return charge_id

    async def refunded_payment(self, user: FakeUser, charge_id: str) -> None:
        """Telegram refunds a charge without the bot asking (its support did): the service
        message with refunded_payment."""
        charge = self._charges[charge_id]
        charge["refunded"] = True
        refund = {k: v for k, v in charge["payment"].items() if v != ""}
        await self.send_update({"message": self._user_message(user, refunded_payment=refund)})

    # ----------------------------------------------------------------- update queue

    async def _send_updates(self, updates: list[dict[str, Any]], *, wait: bool = True) -> list[int]:
        from aiogram.types import Update

        async with self._cond:
            ids = []
            for update in updates:
                body = {k: copy.deepcopy(v) for k, v in update.items() if k != "update_id"}
                queued = {"update_id": next(self._update_ids), **body}
                try:
                    Update.model_validate(queued)
                except ValueError as error:
                    log.warning("update %s does not parse as an aiogram Update: %s", queued, error)
                self._updates.append(queued)
                ids.append(queued["update_id"])
            self._cond.notify_all()
            if wait and self.webhook is None and not self.sending_without_waiting:
                await self._wait_confirmed(ids)
                await self._deliver_followups()
        if self.webhook is not None:
            delivery = self._deliver_to_webhook(ids)
            if wait:
                await delivery
            else:
                task = asyncio.ensure_future(delivery)
                self._webhook_tasks.add(task)
                task.add_done_callback(self._webhook_tasks.discard)
        return ids

    async def _deliver_followups(self) -> None:
        """Queue what the handled updates' method calls set off, and wait for it too (under
        the condition's lock)."""
        while self._followups:
            followups, self._followups = self._followups, []
            ids = []
            for update in followups:
                queued = {"update_id": next(self._update_ids), **update}
                self._updates.append(queued)
                ids.append(queued["update_id"])
            self._cond.notify_all()
            await self._wait_confirmed(ids)

    @contextlib.contextmanager
    def without_waiting(self) -> Iterator[None]:
        """Updates sent in the block return once queued, not once the bot confirmed them: for a
        bot that cannot store them yet (its database is away). See ``unconfirmed``."""
        self.sending_without_waiting = True
        try:
            yield
        finally:
            self.sending_without_waiting = False

    @property
    def unconfirmed(self) -> list[int]:
        """The update ids queued for getUpdates that the bot has not confirmed."""
        return [u["update_id"] for u in self._updates if not self._resolved(u["update_id"])]

    async def until_confirmed(self) -> None:
        """Wait until the bot confirmed every update queued for getUpdates."""
        async with self._cond:
            await self._wait_confirmed([u["update_id"] for u in self._updates])

    async def _wait_confirmed(self, ids: list[int]) -> None:
        try:
            async with asyncio.timeout(self.confirm_timeout):
                await self._cond.wait_for(lambda: all(self._resolved(i) for i in ids))
        except TimeoutError:
            polls = [c for c in self.calls if c.method.lower() == "getupdates"][-3:]
            raise AssertionError(
                f"the bot did not confirm update(s) {ids} within {self.confirm_timeout}s "
                f"(is a Dispatcher polling this FakeTelegram, with handle_as_tasks=False?); "
                f"polls in progress: {self._active_polls}; last getUpdates calls:\n"
                + self._listing(polls)
            ) from None

    def _resolved(self, update_id: int) -> bool:
        return update_id < self._confirmed_below or update_id in self._dropped

    def _confirm(self, offset: int) -> None:
        if offset < 0:  # keep the last -offset updates, forget the others
            forgotten = self._updates[:offset]
            self._dropped.update(u["update_id"] for u in forgotten)
            self._updates = self._updates[len(forgotten) :]
            return
        self._confirmed_below = max(self._confirmed_below, offset)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _drop_unwanted(self) -> None:
        allowed = set(self.allowed_updates or ())
        kept = []
        for update in self._updates:
            kind = _update_kind(update)
            wanted = kind in allowed if allowed else kind not in _OPT_IN_UPDATES
            if wanted:
                kept.append(update)
                continue
            self._dropped.add(update["update_id"])
            log.warning(
                "FakeTelegram dropped update %s (%s): not in allowed_updates %s",
                update["update_id"],
                kind,
                self.allowed_updates,
            )
        self._updates = kept

    async def _get_updates(self, rq: ApiRequest) -> list[dict[str, Any]]:
        limit = min(max(int(rq.get("limit") or 100), 1), 100)
        timeout = max(float(rq.get("timeout") or 0), 0.0)
        self._refuse_polling_under_webhook()
        if isinstance(rq.get("allowed_updates"), list):
            self.allowed_updates = list(rq.get("allowed_updates"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._cond:
            if rq.get("offset") is not None:
                self._confirm(int(rq.get("offset")))
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()
            self._active_polls += 1
            try:
                while True:
                    self._drop_unwanted()
                    if self._updates:
                        return copy.deepcopy(self._updates[:limit])
                    if generation != self._poll_generation:
                        raise ApiError(409, _POLL_CONFLICT)
                    remaining = deadline - loop.time()
                    if self._closing or remaining <= 0:
                        return []
                    try:
                        async with asyncio.timeout(remaining):
                            await self._cond.wait()
                    except TimeoutError:
                        pass
            finally:
                self._active_polls -= 1
                self._cond.notify_all()

    async def _channel_updates(self, channel: FakeChannel, updates: list[dict[str, Any]]) -> None:
        """Channel updates reach the bot only while it is an administrator there."""
        if channel.bot_status != "administrator":
            log.info("FakeTelegram: bot is not admin of %s; updates not delivered", channel.title)
            return
        await self._send_updates(updates)


def _reaction_type(key: str) -> dict[str, Any]:
    if key == "paid":
        return {"type": "paid"}
    if key.startswith("custom:"):
        return {"type": "custom_emoji", "custom_emoji_id": key.removeprefix("custom:")}
    return {"type": "emoji", "emoji": key}
