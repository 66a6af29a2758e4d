"""A fake Telegram Bot API server for the test suite.

The real aiogram ``Bot`` talks HTTP to it::

    async with FakeTelegram() as tg:
        session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
        bot = Bot(BOT_TOKEN, session=session)

It keeps a small world (users, channels, messages, files), answers the Bot API methods the bot
uses with objects aiogram parses, records every request as a :class:`Call`, rejects what Telegram
rejects with Telegram's status codes and wording, and feeds updates through long polling.

Every helper that produces an update (``send_text``, ``press``, ``post``, ``join``, ...) returns
only after the bot confirmed it, i.e. asked ``getUpdates`` with a higher offset. With
``dp.start_polling(..., handle_as_tasks=False)`` that happens after the handler has finished, so a
test can assert on what the bot did right after the ``await``.

As on Telegram, the bot receives only the update kinds it asked for in ``allowed_updates`` (by
default not ``chat_member``/``message_reaction``/``message_reaction_count``), and channel updates
only from channels where it is an administrator; other updates are dropped with a warning.

A typical test::

    alice = tg.user("Alice")
    channel = tg.channel("Cooking", "cooking", owner=alice, subscribers=1500)
    await tg.add_bot_to_channel(channel, by=alice)  # my_chat_member
    await tg.send_text(alice, "/channels")  # returns after the handler ran
    reply = tg.last_to(alice, "sendMessage")
    await tg.press_button(alice, reply, "Cooking")  # callback_query on that message
    assert "1,500" in tg.texts_to(alice)[-1]
    tg.fail_next("sendMessage", error_code=429, retry_after=1)  # Telegram-shaped failures
    await tg.join(channel, invite_link_name="Promo")  # another admin's link, shown shortened
    await tg.request_join(channel, invite_link_name=url)  # chat_join_request; approve follows

Answers are checked against aiogram's types (``self_check``); if the fake itself crashes or
answers wrongly, the bot gets a 500 and ``stop()`` raises, so such bugs never pass silently.

The package keeps one module per part of the server (``server``: HTTP and the method table;
``world``: users, channels and members; ``updates``: what users do and the getUpdates queue;
``messages``, ``chats``, ``payments``: the Bot API methods; ``observation``; ``failures``);
:class:`FakeTelegram` combines them.
"""

from .constants import BOT_ID, BOT_NAME, BOT_TOKEN, BOT_USER, BOT_USERNAME, DEFAULT_BOT_RIGHTS
from .decoding import decode_param
from .errors import ApiError, FloodLimits
from .helpers import utf16_len
from .parse_mode import parse_html
from .records import ApiRequest, Call, FakeChannel, FakeUser, Handler, UploadedFile
from .server import FakeTelegram
from .web_apps import DARK_THEME, LIGHT_THEME
from .webhook import WEBHOOK_SECRET_HEADER, Webhook

__all__ = [
    "BOT_ID",
    "BOT_NAME",
    "BOT_TOKEN",
    "BOT_USER",
    "BOT_USERNAME",
    "DARK_THEME",
    "DEFAULT_BOT_RIGHTS",
    "LIGHT_THEME",
    "WEBHOOK_SECRET_HEADER",
    "ApiError",
    "ApiRequest",
    "Call",
    "FakeChannel",
    "FakeTelegram",
    "FakeUser",
    "FloodLimits",
    "Handler",
    "UploadedFile",
    "Webhook",
    "decode_param",
    "parse_html",
    "utf16_len",
]
