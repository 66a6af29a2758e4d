"""Bot API session behaviour aiogram does not have by itself."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import KW_ONLY, dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetUpdates,
    Response,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from pydantic import ValidationError

from bot.i18n import CatalogI18n
from bot.i18n_texts import errors as texts
from services.clock import Clock
from services.i18n import ENGLISH

log = logging.getLogger(__name__)

# What a person waits for; a long flood wait on one of these gets them a "still working" note.
_REPLIES = (SendMessage, SendPhoto, SendDocument, SendMediaGroup, EditMessageText)

_CALLER_WAITS_OUT_FLOOD: ContextVar[bool] = ContextVar("caller_waits_out_flood", default=False)


@contextmanager
def flood_waits_left_to_caller() -> Iterator[None]:
    """Within this block a 429 is raised at once instead of waited out here.

    The outgoing queue paces its sends and waits out 429s for all of them; if this middleware
    also slept, each 429 would be waited twice and the queue's pacing would be blind to it.
    """
    token = _CALLER_WAITS_OUT_FLOOD.set(True)
    try:
        yield
    finally:
        _CALLER_WAITS_OUT_FLOOD.reset(token)


@dataclass(frozen=True)
class RetryRequestMiddleware(BaseRequestMiddleware):
    """Waits out a 429's retry_after and retries 5xx answers with exponential backoff.

    A reply a 429 keeps waiting long gets a "still working" note in its chat first. A callback
    answer that still fails is given up with a warning: it only stops the button's spinner, and
    the reply it acknowledges must not be lost for it. Waiting goes through the clock, so tests
    move time instead of sleeping.
    """

    clock: Clock
    _: KW_ONLY
    max_attempts: int = 10
    callback_answer_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    note_after: float = 10.0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        is_callback_answer = isinstance(method, AnswerCallbackQuery)
        max_attempts = self.callback_answer_attempts if is_callback_answer else self.max_attempts
        attempt = 1
        noted = False
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if _CALLER_WAITS_OUT_FLOOD.get() or error.retry_after > self.max_retry_after:
                    raise
                # A button's spinner stops by itself: not worth a long wait.
                long_for_a_button = is_callback_answer and error.retry_after > self.note_after
                if attempt >= max_attempts or long_for_a_button:
                    return self._give_up_or_raise(method, error)
                delay = float(error.retry_after)
                log.warning("%s: flood limit, retrying in %.0f s", type(method).__name__, delay)
                if delay > self.note_after and not noted:
                    noted = await self._note_still_working(make_request, bot, method, delay)
            except TelegramServerError as error:
                # The polling loop has its own backoff; retrying here would only stack delays.
                if isinstance(method, GetUpdates):
                    raise
                if attempt >= max_attempts:
                    return self._give_up_or_raise(method, error)
                delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
                log.warning("%s: server error, retrying in %.1f s", type(method).__name__, delay)
            attempt += 1
            await self.clock.sleep(delay)

    def _give_up_or_raise(
        self, method: TelegramMethod[TelegramType], error: TelegramAPIError
    ) -> Response[TelegramType]:
        if not isinstance(method, AnswerCallbackQuery):
            raise error
        log.warning("answerCallbackQuery given up: %s", error.message)
        return Response[bool](ok=True, result=True)  # type: ignore[return-value]

    async def _note_still_working(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
        delay: float,
    ) -> bool:
        """Tell the reply's chat its answer is coming; True once the note went out."""
        chat_id = getattr(method, "chat_id", None)
        # Only for what a person is waiting to read: private chats have positive ids.
        if not isinstance(method, _REPLIES) or not isinstance(chat_id, int) or chat_id <= 0:
            return False
        note = SendMessage(chat_id=chat_id, text=_still_working(round(delay)))
        try:
            # Straight to the next handler: a note is not worth waiting or retrying for.
            await make_request(bot, note)
        except TelegramAPIError as error:
            log.warning("could not send the still-working note: %s", error.message)
            return False
        return True


def _still_working(seconds: int) -> str:
    """The note in the language of the update being answered (English outside one)."""
    i18n = CatalogI18n.get_current(no_error=True)
    if i18n is None:
        return ENGLISH(texts.STILL_WORKING, seconds=seconds)
    return i18n.catalogs.translator(i18n.current_locale)(texts.STILL_WORKING, seconds=seconds)


class ResilientSession(AiohttpSession):
    """Skips malformed updates one by one instead of failing the whole getUpdates batch.

    aiogram validates a batch as a whole, so one bad update would block polling forever.
    A malformed update is replaced by an empty one with its id, so the offset still advances.
    """

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            content = self._drop_malformed_updates(bot, content)
        return super().check_response(bot, method, status_code, content)

    def _drop_malformed_updates(self, bot: Bot, content: str) -> str:
        try:
            payload: Any = self.json_loads(content)
            updates = payload["result"]
        except (ValueError, KeyError, TypeError):
            return content
        if not isinstance(updates, list):
            return content
        cleaned = []
        for raw in updates:
            try:
                Update.model_validate(raw, context={"bot": bot})
                cleaned.append(raw)
            except ValidationError as error:
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                log.warning(
                    "skipped malformed update %s: %s", update_id, error.errors()[0].get("msg")
                )
                if isinstance(update_id, int):
                    cleaned.append({"update_id": update_id})
        payload["result"] = cleaned
        return self.json_dumps(payload)


def create_session(api_base: str, clock: Clock) -> AiohttpSession:
    session = ResilientSession(api=TelegramAPIServer.from_base(api_base))
    session.middleware(RetryRequestMiddleware(clock))
    return session
