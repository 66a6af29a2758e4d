"""The chat menu button that opens the Mini App dashboard, in the reader's language."""

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import MenuButtonWebApp, WebAppInfo

from bot.i18n_texts import miniapp as miniapp_texts
from services.i18n import Translator

log = logging.getLogger(__name__)


async def set_dashboard_button(
    bot: Bot, t: Translator, url: str | None, *, chat_id: int | None = None
) -> None:
    """The button of the user's private chat (`chat_id`), or everyone's default (None).
    Telegram takes only an https address: with none (url None) nothing is set. A user's own
    button is a nicety: if Telegram refuses it, the default stays."""
    if url is None:
        return
    button = MenuButtonWebApp(text=t(miniapp_texts.MENU_BUTTON), web_app=WebAppInfo(url=url))
    if chat_id is None:
        await bot.set_chat_menu_button(menu_button=button)
        return
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.info("menu button of a chat not set: %s", error.message)
