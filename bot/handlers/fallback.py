"""Answers for what no other handler took: unknown commands, free text, stray files."""

from html import escape

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot import texts


async def unknown_command(message: Message) -> None:
    command = (message.text or "").split(maxsplit=1)[0]
    await message.answer(texts.UNKNOWN_COMMAND.format(command=escape(command[:64])))


async def anything_else(message: Message) -> None:
    await message.answer(texts.FREE_TEXT)


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(texts.STALE_BUTTON, show_alert=True)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.filter(F.chat.type == "private")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(anything_else)
    router.callback_query.register(stale_button)
    return router
