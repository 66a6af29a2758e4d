"""The last resort: log the traceback, tell the user we're sorry, with a reference to quote."""

import logging
import secrets

from aiogram import Router
from aiogram.types import ErrorEvent

from bot import texts

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent) -> bool:
    reference = secrets.token_hex(4)
    log.error(
        "unhandled error %s in update %s",
        reference,
        event.update.update_id,
        exc_info=event.exception,
    )
    update = event.update
    reply = texts.SORRY.format(ref=reference)
    try:
        if update.message is not None and update.message.chat.type == "private":
            await update.message.answer(reply)
        elif update.callback_query is not None:
            await update.callback_query.answer(reply.replace("<code>", "").replace("</code>", ""))
    except Exception:
        log.exception("could not tell the user about error %s", reference)
    return True


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
