"""The services' AlertSender, implemented with aiogram: the alert message and its buttons."""

from collections.abc import Iterator
from contextlib import contextmanager

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import LinkPreviewOptions

from bot.i18n_texts import alerts as alerts_texts
from bot.keyboards import alert_keyboard, copy_alert_keyboard
from bot.session import flood_waits_left_to_caller
from services.alert_delivery import AlertMessage
from services.domain.alerts import AlertKind
from services.i18n import Catalogs
from services.outgoing import FloodWait, MessageRejected, RecipientBlocked


class AiogramAlertSender:
    def __init__(self, bot: Bot, catalogs: Catalogs) -> None:
        self._bot = bot
        self._catalogs = catalogs

    async def send_alert(self, message: AlertMessage) -> None:
        """Send in the language of the rule's owner, which the message carries."""
        t = self._catalogs.translator(message.locale)
        keyboard = alert_keyboard(t, message.rule)
        if message.rule.kind is AlertKind.COPY and message.firing_id is not None:
            keyboard = copy_alert_keyboard(t, message.firing_id)
        with refusals_for_the_queue():
            await self._bot.send_message(
                message.rule.owner_id,
                alerts_texts.alert_message(t, message),
                reply_markup=keyboard,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )


@contextmanager
def refusals_for_the_queue() -> Iterator[None]:
    """A send through the outgoing queue: its 429 left to the queue, and Telegram's refusals
    raised as the queue knows them (FloodWait, RecipientBlocked, MessageRejected)."""
    try:
        with flood_waits_left_to_caller():
            yield
    except TelegramRetryAfter as error:
        raise FloodWait(error.retry_after) from error
    except TelegramForbiddenError as error:
        raise RecipientBlocked(error.message) from error
    except TelegramBadRequest as error:
        raise MessageRejected(error.message) from error
