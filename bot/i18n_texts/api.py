"""/api: the user's API keys, creating one (shown once) and revoking them."""

from datetime import datetime
from html import escape

from services.analytics import user_time_zone
from services.domain.api_keys import ApiKeyRecord
from services.i18n import Message, Translator

LIST_TITLE = Message(
    "api-list-title",
    "🔑 <b>Your API keys</b> ({count} of {allowed})\n"
    "A program sends a key as <code>Authorization: Bearer &lt;key&gt;</code> to {docs_url}",
)
LIST_TITLE_UNLIMITED = Message(
    "api-list-title-unlimited",
    "🔑 <b>Your API keys</b> ({count})\n"
    "A program sends a key as <code>Authorization: Bearer &lt;key&gt;</code> to {docs_url}",
)
NO_KEYS = Message(
    "api-no-keys",
    "You have no API keys yet. A key lets your own tools (dashboards, CRMs, spreadsheets) read "
    "your channels' numbers; a read-write key can also manage alert rules.",
)
LIST_ITEM = Message("api-list-item", "{number}. <b>{name}</b> · {access} · {last_use}")
READ_ONLY = Message("api-read-only", "read-only")
READ_WRITE = Message("api-read-write", "read-write")
LAST_USED = Message("api-last-used", "last used {moment}")
NEVER_USED = Message("api-never-used", "never used")

NEW_READ_ONLY_BUTTON = Message("api-new-read-only-button", "➕ New read-only key")
NEW_READ_WRITE_BUTTON = Message("api-new-read-write-button", "➕ New read-write key")
REVOKE_BUTTON = Message("api-revoke-button", "🗑 Revoke #{number}")

ASK_NAME = Message(
    "api-ask-name",
    "How should the new {access} key be called? Send a name (up to {max} characters), "
    "such as <i>Google Sheets</i>.",
)
BAD_NAME = Message(
    "api-bad-name", "A key's name is 1 to {max} characters on one line. Send another name."
)
CREATED = Message(
    "api-created",
    "✅ The {access} key <b>{name}</b>:\n\n<code>{token}</code>\n\n"
    "Copy it now: it is shown only this once (only a hash of it is kept). Delete this message "
    "once it is stored safely. Revoke it any time in /api.",
)
REVOKED = Message("api-revoked", "Key revoked: it no longer opens anything.")
ALREADY_GONE = Message("api-already-gone", "That key is already revoked.")


def created(t: Translator, key: ApiKeyRecord, token: str) -> str:
    return t(CREATED, access=access(t, key.can_write), name=escape(key.name), token=token)


def access(t: Translator, can_write: bool) -> str:
    return t(READ_WRITE if can_write else READ_ONLY)


def _last_use(t: Translator, key: ApiKeyRecord, time_zone: str) -> str:
    if key.last_used_at is None:
        return t(NEVER_USED)
    moment: datetime = key.last_used_at.astimezone(user_time_zone(time_zone))
    return t(LAST_USED, moment=t.moment(moment))


def key_list(
    t: Translator,
    keys: list[ApiKeyRecord],
    *,
    allowed: int | None,
    time_zone: str,
    docs_url: str,
) -> str:
    if not keys:
        return t(NO_KEYS)
    if allowed is None:
        title = t(LIST_TITLE_UNLIMITED, count=len(keys), docs_url=escape(docs_url))
    else:
        title = t(LIST_TITLE, count=len(keys), allowed=allowed, docs_url=escape(docs_url))
    lines = [title, ""]
    lines += [
        t(
            LIST_ITEM,
            number=number,
            name=escape(key.name),
            access=access(t, key.can_write),
            last_use=_last_use(t, key, time_zone),
        )
        for number, key in enumerate(keys, 1)
    ]
    return "\n".join(lines)
