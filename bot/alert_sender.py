"""The services' AlertSender, implemented with aiogram: the alert message and its buttons."""

from collections.abc import Iterator
from contextlib import contextmanager

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import LinkPreviewOptions

from bot.i18n_texts import alerts as alerts_texts
from bot.keyboards import alert_keyboard
from bot.session import flood_waits_left_to_caller
from services.alert_delivery import AlertMessage
from services.i18n import Catalogs
from services.outgoing import FloodWait, MessageRejected, RecipientBlocked


@contextmanager
def as_outgoing_refusals() -> Iterator[None]:
    """A send through the outgoing queue: Telegram's refusals become the queue's (FloodWait,
    RecipientBlocked, MessageRejected), and its 429s are left to the queue to wait out."""
    try:
        with flood_waits_left_to_caller():
            yield
    except TelegramRetryAfter as error:
        raise FloodWait(error.retry_after) from error
    except TelegramForbiddenError as error:
        raise RecipientBlocked(error.message) from error
    except TelegramBadRequest as error:
        raise MessageRejected(error.message) from error


class AiogramAlertSender:
    def __init__(self, bot: Bot, catalogs: Catalogs) -> None:
        self._bot = bot
        self._catalogs = catalogs

    async def send_alert(self, message: AlertMessage) -> None:
        """Send in the language of the rule's owner, which the message carries."""
        t = self._catalogs.translator(message.locale)
        with as_outgoing_refusals():
            await self._bot.send_message(
                message.rule.owner_id,
                alerts_texts.alert_message(t, message),
                reply_markup=alert_keyboard(t, message.rule),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
