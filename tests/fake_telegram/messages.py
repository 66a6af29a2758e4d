"""Messages and files: content checks and the Bot API methods that send or edit."""

from __future__ import annotations

import copy
import mimetypes
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .constants import (
    _CHAT_ACTIONS,
    _FILE_FOLDER,
    _MAX_DOWNLOAD,
    _MEDIA_KINDS,
    _NOT_MODIFIED,
    _QUERY_INVALID,
    BOT_USER,
)
from .errors import _bad
from .helpers import _image_info, _timestamp, utf16_len
from .markup import _check_reply_markup
from .parse_mode import parse_html
from .records import ApiRequest, FakeChannel, FakeUser, _StoredFile


class MessageMethods:
    """Sending, editing and deleting messages; files.

    A part of :class:`FakeTelegram`, whose ``__init__`` holds the state.
    """

    # ----------------------------------------------------------------- content checks

    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[dict[str, Any]]]:
        """Visible text and entities of a text or caption, with Telegram's checks."""
        raw = "" if text is None else str(text)
        mode = str(parse_mode or "").lower()
        if isinstance(entities, list):
            visible, found = raw, entities
        elif mode == "html":
            visible, found = parse_html(raw, strict_ampersand=self.strict_html_ampersand)
        elif mode in ("", "markdown", "markdownv2"):  # Markdown is not parsed by the fake
            visible, found = raw, []
        else:
            raise _bad("unsupported parse_mode")
        if caption:
            if utf16_len(visible) > 1024:
                raise _bad("message caption is too long")
        elif not visible.strip():
            raise _bad("message text is empty")
        elif utf16_len(visible) > 4096:
            raise _bad("message is too long")
        return visible, found

    def _caption(self, params: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        return self._formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )

    def _input_file(self, rq: ApiRequest, value: Any, path: str, kind: str) -> _StoredFile:
        """A file parameter: an upload (attach://), a known file_id, or an HTTP URL."""
        in_media = path.startswith("media")
        if value is None or value == "":
            raise _bad(f"there is no {kind} in the request")
        if not isinstance(value, str):
            raise _bad("wrong file identifier/HTTP URL specified")
        if value in self._files:
            stored = self._files[value]
            if stored.kind != kind:
                raise _bad(f"can't use file of type {stored.kind.title()} as {kind.title()}")
            return stored
        if value.startswith(("http://", "https://")):
            name = urlsplit(value).path.rsplit("/", 1)[-1] or None
            return self._new_file(kind, b"", file_name=name)
        upload = rq.uploads.get(value.removeprefix("attach://"))
        if not value.startswith("attach://") or upload is None:
            if in_media:
                raise _bad("can't parse InputMedia: media not found")
            raise _bad("wrong file identifier/HTTP URL specified")
        rq.files[path] = upload
        if not upload.data:
            raise _bad("file must be non-empty")
        if kind != "photo":
            mime = mimetypes.guess_type(upload.filename or "")[0] or "application/octet-stream"
            return self._new_file(kind, upload.data, file_name=upload.filename, mime_type=mime)
        info = _image_info(upload.data)
        if info is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        width, height = info[1], info[2]
        if width + height > 10_000 or max(width, height) > 20 * min(width, height):
            raise _bad("PHOTO_INVALID_DIMENSIONS")
        return self._new_file(kind, upload.data, width=width, height=height)

    def _bot_message(
        self, rq: ApiRequest, chat: FakeUser | FakeChannel, markup: Any, **content: Any
    ) -> dict[str, Any]:
        """Store and return a message the bot sends."""
        reply = rq.get("reply_parameters")
        reply = reply if isinstance(reply, dict) else {}
        reply_to_id = reply.get("message_id") or rq.get("reply_to_message_id")
        replied = None
        if reply_to_id is not None:
            original = self._messages.get((chat.id, int(reply_to_id)), {})
            allow = reply.get("allow_sending_without_reply") or rq.get(
                "allow_sending_without_reply"
            )
            if not original and not allow:
                raise _bad("message to be replied not found")
            replied = {k: copy.deepcopy(v) for k, v in original.items() if k != "reply_to_message"}
        sender = BOT_USER if isinstance(chat, FakeUser) else None
        message = self._store_message(
            chat,
            sender,
            reply_to_message=replied or None,
            reply_markup=markup,
            has_protected_content=True if rq.get("protect_content") is True else None,
            **content,
        )
        self._bot_messages.add((chat.id, message["message_id"]))
        return message

    def _text(self, rq: ApiRequest) -> tuple[str, list[dict[str, Any]]]:
        return self._formatted(rq.get("text"), rq.get("parse_mode"), rq.get("entities"))

    def _send_message(self, rq: ApiRequest) -> dict[str, Any]:
        text, entities = self._text(rq)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=False)
        chat = self._writable_chat(rq.get("chat_id"))
        return self._bot_message(rq, chat, markup, text=text, entities=entities or None)

    def _edit_message_text(self, rq: ApiRequest) -> dict[str, Any]:
        text, entities = self._text(rq)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        message = self._editable_message(rq)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        return self._edit(message, {"text": text, "entities": entities, "reply_markup": markup})

    def _edit_message_caption(self, rq: ApiRequest) -> dict[str, Any]:
        caption, entities = self._caption(rq.params)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        message = self._editable_message(rq)
        if not any(kind in message for kind in _MEDIA_KINDS):
            raise _bad("there is no caption in the message to edit")
        changes = {"caption": caption, "caption_entities": entities, "reply_markup": markup}
        return self._edit(message, changes)

    def _edit_message_media(self, rq: ApiRequest) -> dict[str, Any]:
        media = rq.get("media")
        if not isinstance(media, dict):
            raise _bad("can't parse InputMedia JSON object")
        kind = str(media.get("type"))
        if kind not in ("photo", "video", "document", "audio", "animation"):
            raise _bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        caption, entities = self._caption(media)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        message = self._editable_message(rq)
        if not any(k in message for k in _MEDIA_KINDS):
            raise _bad("there is no media in the message to edit")
        stored = self._input_file(rq, media.get("media"), "media", kind)
        # The new media replaces the old one, whatever its kind was.
        changes: dict[str, Any] = {k: None for k in _MEDIA_KINDS if k != kind}
        changes |= {kind: stored.media(), "caption": caption, "caption_entities": entities}
        return self._edit(message, changes | {"reply_markup": markup})

    def _edit_message_reply_markup(self, rq: ApiRequest) -> dict[str, Any]:
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        return self._edit(self._editable_message(rq), {"reply_markup": markup})

    def _edit(self, message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Apply an edit (empty values remove fields) unless it changes nothing."""
        if all(message.get(key) == (value or None) for key, value in changes.items()):
            raise _bad(_NOT_MODIFIED)
        for key, value in changes.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = _timestamp(None)
        return copy.deepcopy(message)

    def _delete_message(self, rq: ApiRequest) -> bool:
        chat = self._resolve_chat(rq.get("chat_id"))
        if isinstance(chat, FakeChannel) and not (
            chat.bot_status == "administrator" and chat.bot_rights.get("can_delete_messages")
        ):
            raise _bad("message can't be deleted")
        key = (chat.id, int(rq.get("message_id") or 0))
        message = self._messages.get(key)
        if message is None:
            raise _bad("message to delete not found")
        if isinstance(chat, FakeUser) and time.time() - message["date"] > 48 * 3600:
            raise _bad("message can't be deleted for everyone")
        del self._messages[key]
        return True

    def _answer_callback_query(self, rq: ApiRequest) -> bool:
        query_id = str(rq.get("callback_query_id"))
        if self._callback_queries.get(query_id, True):  # unknown or answered already
            raise _bad(_QUERY_INVALID)
        if len(str(rq.get("text") or "")) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        keys = ("text", "show_alert", "url", "cache_time")
        self.callback_answers[query_id] = {k: rq.params[k] for k in keys if k in rq.params}
        return True

    def _send_chat_action(self, rq: ApiRequest) -> bool:
        if rq.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._writable_chat(rq.get("chat_id"))
        return True

    def _send_file(self, rq: ApiRequest, kind: str) -> dict[str, Any]:
        caption, entities = self._caption(rq.params)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=False)
        chat = self._writable_chat(rq.get("chat_id"))
        stored = self._input_file(rq, rq.get(kind), kind, kind)
        thumbnail = rq.get("thumbnail")
        if isinstance(thumbnail, str) and thumbnail.removeprefix("attach://") in rq.uploads:
            rq.files["thumbnail"] = rq.uploads[thumbnail.removeprefix("attach://")]
        return self._bot_message(
            rq,
            chat,
            markup,
            caption=caption or None,
            caption_entities=entities or None,
            has_media_spoiler=True if rq.get("has_spoiler") is True else None,
            **{kind: stored.media()},
        )

    def _send_media_group(self, rq: ApiRequest) -> list[dict[str, Any]]:
        media = rq.get("media")
        if media is None:
            raise _bad('parameter "media" is required')
        if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
            raise _bad("can't parse media JSON object")
        if not media:
            raise _bad("there are no messages to send")
        if len(media) > 10:
            raise _bad("too many messages to send as an album")
        kinds = [str(item.get("type")) for item in media]
        for kind in kinds:
            if kind in ("animation", "voice", "sticker", "video_note"):
                raise _bad(
                    f"can't parse InputMedia: type \"{kind}\" can't be used in sendMediaGroup"
                )
            if kind not in ("photo", "video", "document", "audio"):
                raise _bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        for single in ("document", "audio"):
            if single in kinds and set(kinds) != {single}:
                raise _bad(f"{single} can't be mixed with other media types")
        captions = [self._caption(item) for item in media]
        chat = self._writable_chat(rq.get("chat_id"))
        files = [
            self._input_file(rq, item.get("media"), f"media[{i}]", kinds[i])
            for i, item in enumerate(media)
        ]
        group = str(13_000_000_000_000_000 + next(self._counter)) if len(media) > 1 else None
        return [
            self._bot_message(
                rq,
                chat,
                None,
                media_group_id=group,
                caption=caption or None,
                caption_entities=entities or None,
                **{stored.kind: stored.media()},
            )
            for stored, (caption, entities) in zip(files, captions, strict=True)
        ]

    def _get_file(self, rq: ApiRequest) -> dict[str, Any]:
        stored = self._files.get(str(rq.get("file_id")))
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.data) > _MAX_DOWNLOAD:
            raise _bad("file is too big")
        if stored.file_path is None:
            suffix = "." + stored.file_name.rsplit(".", 1)[-1] if stored.file_name else ""
            if not suffix or len(suffix) > 6:
                suffix = ".jpg" if stored.kind == "photo" else ""
            folder = _FILE_FOLDER.get(stored.kind, stored.kind)
            stored.file_path = f"{folder}/file_{len(self._paths)}{suffix}"
            self._paths[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }
