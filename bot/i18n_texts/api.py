"""/api: the user's API keys, creating one (shown once) and revoking them."""

from datetime import datetime
from html import escape

from services.analytics import user_time_zone
from services.domain.api_keys import ApiKeyRecord
from services.i18n import Messages, Translator

# texts.NAME here, api_texts.NAME elsewhere: the message api-name, its English in
# services/locales/api.pot.
texts = Messages("api")
__getattr__ = texts.__getattr__


def created(t: Translator, key: ApiKeyRecord, token: str) -> str:
    return t(texts.CREATED, access=access(t, key.can_write), name=escape(key.name), token=token)


def access(t: Translator, can_write: bool) -> str:
    return t(texts.READ_WRITE if can_write else texts.READ_ONLY)


def _last_use(t: Translator, key: ApiKeyRecord, time_zone: str) -> str:
    if key.last_used_at is None:
        return t(texts.NEVER_USED)
    moment: datetime = key.last_used_at.astimezone(user_time_zone(time_zone))
    return t(texts.LAST_USED, moment=t.moment(moment))


def key_list(
    t: Translator,
    keys: list[ApiKeyRecord],
    *,
    allowed: int | None,
    time_zone: str,
    docs_url: str,
) -> str:
    if not keys:
        return t(texts.NO_KEYS)
    if allowed is None:
        title = t(texts.LIST_TITLE_UNLIMITED, count=len(keys), docs_url=escape(docs_url))
    else:
        title = t(texts.LIST_TITLE, count=len(keys), allowed=allowed, docs_url=escape(docs_url))
    lines = [title, ""]
    lines += [
        t(
            texts.LIST_ITEM,
            number=number,
            name=escape(key.name),
            access=access(t, key.can_write),
            last_use=_last_use(t, key, time_zone),
        )
        for number, key in enumerate(keys, 1)
    ]
    return "\n".join(lines)
