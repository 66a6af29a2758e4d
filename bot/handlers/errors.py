"""The refusals every feature shares, answered once each, and the last resort: tell the user
what went wrong, in a reply that reaches them, and log it once.

A database that gave up and a Telegram fault are expected in production: one log line each, no
traceback. Anything else is a bug: its traceback is logged under a reference the user can quote.
"""

import logging
import secrets
from collections.abc import Awaitable

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import CallbackQuery, ErrorEvent, Message, Update

from bot.handlers.common import (
    ChannelToPick,
    answer_access_error,
    answer_limit_reached,
    plain_alert,
)
from bot.i18n_texts import errors as texts
from bot.i18n_texts import outage as outage_texts
from bot.i18n_texts.common import access_error_text
from services.channels import ChannelAccessError
from services.entitlements import LimitReached
from services.errors import database_gave_up, database_unreachable
from services.i18n import Translator

log = logging.getLogger(__name__)


def log_with_reference(error: BaseException, context: str) -> str:
    """Log the traceback under a short reference the user can quote to support."""
    reference = secrets.token_hex(4)
    log.error("unhandled error %s in %s", reference, context, exc_info=error)
    return reference


def log_and_explain(error: BaseException, context: str, t: Translator) -> str | None:
    """Log the error as what it is; the text to tell the user, or None if nobody can be told."""
    if database_gave_up(error):
        log.warning("%s: the database gave up: %r", context, error)
        return t(texts.TOOK_TOO_LONG)
    if database_unreachable(error):
        log.warning("%s: the database is unreachable: %r", context, error)
        return t(outage_texts.DATABASE_AWAY)
    if isinstance(error, TelegramForbiddenError):
        log.info("%s: the user blocked the bot: %s", context, error.message)
        return None
    if isinstance(error, TelegramAPIError):
        # Refused (400), or not taken even after the session's retries (429, 5xx).
        log.warning("%s: Telegram refused %s: %s", context, type(error.method).__name__, error)
        return t(texts.REPLY_FAILED)
    return t(texts.SORRY, ref=log_with_reference(error, context))


async def apologise(message: Message, error: BaseException, context: str, t: Translator) -> None:
    """For work done outside an update (background tasks): log it and tell the user."""
    reply = log_and_explain(error, context, t)
    if reply is None:
        return
    try:
        await message.answer(reply)
    except TelegramAPIError as failure:
        log.warning("%s: could not tell the user: %s", context, failure)


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
        log.warning("update %s: could not tell the user: %s", update.update_id, error)


async def explain(update: Update, error: BaseException, bot: Bot, t: Translator) -> None:
    reply = log_and_explain(error, f"update {update.update_id}", t)
    if reply is not None:
        await tell_user(update, bot, reply)


async def _refuse(update: Update, bot: Bot, t: Translator, answer: Awaitable[object]) -> None:
    """Send a refusal; one that Telegram does not take is a fault like any other."""
    try:
        await answer
    except TelegramAPIError as failure:
        await explain(update, failure, bot, t)


async def on_channel_to_pick(event: ErrorEvent, message: Message, bot: Bot, t: Translator) -> None:
    """ "Which channel?", with a button per channel for what the command was to do."""
    to_pick: ChannelToPick = event.exception  # type: ignore[assignment]
    answer = answer_access_error(t, message, to_pick.refusal, choose_action=to_pick.choose)
    await _refuse(event.update, bot, t, answer)


async def on_channel_refused(
    event: ErrorEvent, target: Message | CallbackQuery, bot: Bot, t: Translator
) -> None:
    """Why the user cannot act on that channel: in the button's alert (in the chat if the
    handler answered its button already), or in the chat."""
    text = access_error_text(t, event.exception)  # type: ignore[arg-type]
    if isinstance(target, CallbackQuery):
        await tell_user(event.update, bot, text)
    else:
        await _refuse(event.update, bot, t, target.answer(text))


async def on_limit_reached(
    event: ErrorEvent, target: Message | CallbackQuery, bot: Bot, t: Translator
) -> None:
    """The plan's limit and the upgrade, under the button or the command that met it."""
    answer = answer_limit_reached(t, target, event.exception)  # type: ignore[arg-type]
    await _refuse(event.update, bot, t, answer)


async def on_error(event: ErrorEvent, bot: Bot, t: Translator) -> bool:
    await explain(event.update, event.exception, bot, t)
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
    # The shared refusals first (a ChannelToPick before the ChannelAccessError it wraps): the
    # last resort takes whatever they leave.
    router.errors.register(
        on_channel_to_pick, ExceptionTypeFilter(ChannelToPick), F.update.message.as_("message")
    )
    # Refusals met elsewhere (a channel's update, say) reach the last resort as the bugs they are.
    from_a_user = (F.update.callback_query | F.update.message).as_("target")
    router.errors.register(on_channel_refused, ExceptionTypeFilter(ChannelAccessError), from_a_user)
    router.errors.register(on_limit_reached, ExceptionTypeFilter(LimitReached), from_a_user)
    router.errors.register(on_error)
    return router
