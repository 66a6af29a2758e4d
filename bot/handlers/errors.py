"""The last resort: tell the user what went wrong, in a reply that reaches them, and log it once.

A database that gave up and a Telegram fault are expected in production: one log line each, no
traceback. Anything else is a bug: its traceback is logged under a reference the user can quote.
"""

import logging
import secrets

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message, Update

from bot import texts
from bot.handlers.common import plain_alert
from services.errors import database_gave_up

log = logging.getLogger(__name__)


def log_with_reference(error: BaseException, context: str) -> str:
    """Log the traceback under a short reference the user can quote to support."""
    reference = secrets.token_hex(4)
    log.error("unhandled error %s in %s", reference, context, exc_info=error)
    return reference


async def apologise(message: Message, error: BaseException, context: str) -> None:
    """For work done outside an update (background tasks): log it and tell the user."""
    reply = texts.SORRY.format(ref=log_with_reference(error, context))
    try:
        await message.answer(reply)
    except Exception:
        log.exception("could not tell the user about an error in %s", context)


async def tell_user(update: Update, bot: Bot, text: str) -> None:
    """Tell the user behind the update: in their private chat for a message; for a button, in
    its answer, or as a new message when the button was answered already."""
    try:
        if update.message is not None:
            if update.message.chat.type == "private":
                await update.message.answer(text)
        elif (query := update.callback_query) is not None:
            try:
                await query.answer(plain_alert(text), show_alert=True)
            except TelegramBadRequest:
                # Answered already, or too old to answer: the chat still reaches the user.
                chat_id = query.message.chat.id if query.message else query.from_user.id
                await bot.send_message(chat_id, text)
    except TelegramAPIError as error:
        log.warning("update %s: could not tell the user: %s", update.update_id, error.message)


def _database_gave_up(event: ErrorEvent) -> bool:
    return database_gave_up(event.exception)


async def on_took_too_long(event: ErrorEvent, bot: Bot) -> bool:
    log.warning("update %s: the database gave up: %r", event.update.update_id, event.exception)
    await tell_user(event.update, bot, texts.TOOK_TOO_LONG)
    return True


async def on_bot_blocked(event: ErrorEvent) -> bool:
    """Nobody is left to tell: the user blocked the bot (or deleted their account)."""
    log.info("update %s: the user blocked the bot: %s", event.update.update_id, event.exception)
    return True


async def on_telegram_fault(event: ErrorEvent, bot: Bot) -> bool:
    """Telegram refused a reply (400) or could not take it even after retries (429, 5xx)."""
    error = event.exception
    assert isinstance(error, TelegramAPIError)
    log.warning(
        "update %s: Telegram refused %s: %s",
        event.update.update_id,
        type(error.method).__name__,
        error.message,
    )
    await tell_user(event.update, bot, texts.REPLY_FAILED)
    return True


async def on_error(event: ErrorEvent, bot: Bot) -> bool:
    reference = log_with_reference(event.exception, f"update {event.update.update_id}")
    await tell_user(event.update, bot, texts.SORRY.format(ref=reference))
    return True


def create_router() -> Router:
    router = Router(name="errors")
    # The first that matches answers: the expected faults before the last resort.
    router.errors.register(on_took_too_long, _database_gave_up)
    router.errors.register(on_bot_blocked, ExceptionTypeFilter(TelegramForbiddenError))
    router.errors.register(on_telegram_fault, ExceptionTypeFilter(TelegramAPIError))
    router.errors.register(on_error)
    return router
