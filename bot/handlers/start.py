"""/start and /help."""

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot import texts
from bot.keyboards import start_keyboard


async def start(message: Message, bot: Bot) -> None:
    me = await bot.me()
    await message.answer(texts.START, reply_markup=start_keyboard(me.username or ""))


async def help_command(message: Message) -> None:
    await message.answer(texts.HELP)


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    return router
