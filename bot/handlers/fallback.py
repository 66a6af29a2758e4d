"""Answers for what no other handler took: unknown commands, free text, stray files."""

from html import escape

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.i18n_texts import fallback as texts
from services.i18n import Translator


async def unknown_command(message: Message, t: Translator) -> None:
    command = (message.text or "").split(maxsplit=1)[0]
    await message.answer(t(texts.UNKNOWN_COMMAND, command=escape(command[:64])))


async def anything_else(message: Message, t: Translator) -> None:
    await message.answer(t(texts.FREE_TEXT))


async def stale_button(query: CallbackQuery, t: Translator) -> None:
    await query.answer(t(texts.STALE_BUTTON), show_alert=True)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(anything_else)
    router.callback_query.register(stale_button)
    return router
