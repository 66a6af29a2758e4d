"""The bot's identity and the fixed values of the Bot API that the fake answers with."""

from __future__ import annotations

from typing import Any, Final

BOT_TOKEN: Final = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
BOT_ID: Final = 123456789
BOT_USERNAME: Final = "AnalyticTestBot"
BOT_NAME: Final = "AnalyticBot"


BOT_USER: Final[dict[str, Any]] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": BOT_NAME,
    "username": BOT_USERNAME,
}
# Rights the bot gets in a channel by default (ChatMemberAdministrator fields).
DEFAULT_BOT_RIGHTS: Final[dict[str, bool]] = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_send_welcome_messages": False,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_manage_direct_messages": False,
}
_HUMAN_ADMIN_RIGHTS: Final = {**DEFAULT_BOT_RIGHTS, "can_promote_members": True}
_ACCEPTED_GIFTS: Final = {
    "unlimited_gifts": True,
    "limited_gifts": True,
    "unique_gifts": True,
    "premium_subscription": False,
    "gifts_from_channels": True,
}
# Telegram sends these only when allowed_updates names them.
_OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_BUTTON_ACTIONS: Final = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS: Final = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
_MEDIA_KINDS: Final = ("photo", "video", "document", "audio", "animation", "voice")
_FILE_ID_PREFIX: Final = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}
_FILE_FOLDER: Final = {"photo": "photos", "document": "documents", "video": "videos"}
_DEFAULT_DESCRIPTIONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_QUERY_INVALID: Final = "query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_POLL_CONFLICT: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
# Methods that put a message into a chat: what flood limits count.
_SENDING_METHODS: Final = frozenset(
    {"sendmessage", "sendphoto", "senddocument", "sendvideo", "sendmediagroup", "sendinvoice"}
)
_MAX_UPLOAD: Final = 50 * 1024 * 1024
_MAX_DOWNLOAD: Final = 20 * 1024 * 1024
