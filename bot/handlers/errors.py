"""The last resort: log the traceback, tell the user we're sorry, with a reference to quote."""

import logging
import secrets

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message

from bot.i18n_texts import errors as texts
from services.i18n import Translator

log = logging.getLogger(__name__)


def log_with_reference(error: BaseException, context: str) -> str:
    """Log the traceback under a short reference the user can quote to support."""
    reference = secrets.token_hex(4)
    log.error("unhandled error %s in %s", reference, context, exc_info=error)
    return reference


async def apologise(message: Message, error: BaseException, context: str, t: Translator) -> None:
    """For work done outside an update (background tasks): log it and tell the user."""
    reply = t(texts.SORRY, ref=log_with_reference(error, context))
    try:
        await message.answer(reply)
    except Exception:
        log.exception("could not tell the user about an error in %s", context)


async def on_error(event: ErrorEvent, t: Translator) -> bool:
    update = event.update
    reference = log_with_reference(event.exception, f"update {update.update_id}")
    reply = t(texts.SORRY, ref=reference)
    try:
        if update.message is not None and update.message.chat.type == "private":
            await update.message.answer(reply)
        elif update.callback_query is not None:
            await update.callback_query.answer(reply.replace("<code>", "").replace("</code>", ""))
    except Exception:
        log.exception("could not tell the user about error %s", reference)
    return True


async def nothing_to_change(event: ErrorEvent) -> bool:
    """A button pressed again (a double tap, or one the message shows already): the edit it
    asks for is what the message says already, which Telegram refuses; nothing is wrong."""
    if (query := event.update.callback_query) is not None:
        await query.answer()
    return True


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(
        nothing_to_change,
        ExceptionTypeFilter(TelegramBadRequest),
        F.exception.message.contains("message is not modified"),
    )
    router.errors.register(on_error)
    return router
