"""/start and /help."""

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot.i18n_texts import start as texts
from bot.i18n_texts.commands import switched_off_commands
from bot.keyboards import start_keyboard
from bot.menu_button import set_dashboard_button
from services.config import Settings
from services.i18n import Translator


async def start(message: Message, bot: Bot, t: Translator, settings: Settings) -> None:
    me = await bot.me()
    await message.answer(t(texts.WELCOME), reply_markup=start_keyboard(t, me.username or ""))
    await set_dashboard_button(bot, t, settings.dashboard_url, chat_id=message.chat.id)


async def help_command(message: Message, t: Translator, settings: Settings) -> None:
    await message.answer(texts.help_text(t, switched_off_commands(settings)))


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    return router
