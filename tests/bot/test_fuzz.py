"""Fuzzing the bot through the fake Telegram: random and hostile commands, forged callback data
and mutated presses on the bot's own buttons.

After every case: nothing at ERROR (and no traceback) in the log, an answer to the user (a
message or a callback answer: never silence), and no call that Telegram refused. The commands
are read from the commands menu and the routers, the callback data from bot/callbacks.py, so
what is added later is fuzzed without editing this file. Runs are derandomized: CI repeats them.
"""

import logging
from dataclasses import dataclass
from datetime import date
from enum import Enum

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from channel_history import SAMPLE_NOW, write_sample_history
from fake_telegram import BOT_USERNAME, Call, FakeChannel, FakeTelegram, FakeUser
from helpers import ManualClock
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot import callbacks
from bot.i18n_texts.commands import COMMANDS
from services.bounds import INT64_MAX

ADMIN_ID = 1001  # the first user the world makes
MAX_TEXT = 4096  # what a Telegram client lets a user send
MAX_CALLBACK_DATA = 64  # bytes; Telegram refuses buttons carrying more

# A bot that answers every update: no throttling between the fuzzer's quick updates.
pytestmark = pytest.mark.settings(admin_ids=frozenset({ADMIN_ID}), throttle_burst=1_000_000)

fuzz = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    # Every case acts on the same bot, whose state moves on: a case cannot be replayed to
    # shrink it. The failure is reported as it first happened.
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A case of the button walk sends up to three updates and may draw charts: fewer of them.
fuzz_walk = settings(fuzz, max_examples=80)

# Words a hostile user would try where the bot expects a number, a date, a period or a name.
HOSTILE_WORDS = [
    "",
    "0",
    "-1",
    "1",
    str(INT64_MAX),
    str(INT64_MAX + 1),
    str(-INT64_MAX - 1),
    str(-INT64_MAX - 2),
    "9" * 400,
    "²",
    "٣",
    "１２",
    "1e9",
    "nan",
    "-inf",
    "0x1F",
    "1_000",
    "7d",
    "0d",
    "-7d",
    "9999d",
    "²d",
    "٣٠d",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-10-25",
    "2026-11-01",
    "2026-10-31..2026-10-01",
    "@",
    "@channel1",
    "@adminschannel",
    "@bobschannel",
    "@nobody_here",
    "@" + "a" * 40,
    "<b>",
    "</b>",
    "<a href='javascript:x'>",
    "&",
    "&amp;",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "🙂",
    "pro",
    "business",
    "free",
    "r_AAAAAAAAAAAAAAAA",
    "x" * 300,
]


@dataclass(repr=False)
class World:
    """The users the fuzzer writes as, and the channels it names."""

    alice: FakeUser  # on the Free plan, two tracked channels, one with a history
    admin: FakeUser  # the bot's admin, on the Business plan, with a channel of his own
    channels: list[FakeChannel]  # Alice's, the admin's, and Bob's (tracked by Bob only)

    @property
    def users(self) -> list[FakeUser]:
        return [self.alice, self.admin]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


@pytest.fixture
async def world(app, tg: FakeTelegram, db) -> World:
    admin = tg.user("Admin")
    alice = tg.user("Alice")
    bob = tg.user("Bob")
    assert admin.id == ADMIN_ID
    for user in (admin, alice, bob):
        await tg.send_text(user, "/start")
    owned = [
        (tg.channel("Channel 1", "channel1", owner=alice, subscribers=1500), alice),
        (tg.channel("Channel 2", "channel2", owner=alice, subscribers=12), alice),
        (tg.channel("Admin's", "adminschannel", owner=admin, subscribers=90), admin),
        (tg.channel("Bob's", "bobschannel", owner=bob, subscribers=40), bob),
    ]
    for channel, owner in owned:
        await tg.add_bot_to_channel(channel, by=owner)
    await write_sample_history(db, owned[0][0].id)
    await tg.send_text(admin, f"/grant {admin.id} business 30")
    return World(alice, admin, [channel for channel, _ in owned])


def _routers(router: Router):
    yield router
    for child in router.sub_routers:
        yield from _routers(child)


def known_commands(app) -> list[str]:
    """Every command in the menu and every command a router's filter takes."""
    names = set(COMMANDS)
    for router in _routers(app.app.dispatcher):
        for handler in router.message.handlers:
            for flt in handler.filters or ():
                if isinstance(flt.callback, Command):
                    names.update(c for c in flt.callback.commands if isinstance(c, str))
    return sorted(names)


def callback_data_classes() -> list[type[CallbackData]]:
    return [
        value
        for value in vars(callbacks).values()
        if isinstance(value, type) and issubclass(value, CallbackData) and value is not CallbackData
    ]


def hostile_text(*, max_size: int = 60) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_WORDS), st.text(max_size=max_size))


def user_text(words: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    """Words as one message a client could send: at most 4096 UTF-16 units."""
    return words.map(" ".join).map(_fit_message)


def _fit_message(text: str) -> str:
    units = 0
    for at, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:at]
    return text


def command_texts(commands: list[str]) -> st.SearchStrategy[str]:
    """A command, sometimes addressed to the bot by name, with hostile arguments."""
    command = st.tuples(st.sampled_from(commands), st.sampled_from(["", f"@{BOT_USERNAME}"]))
    arguments = st.lists(hostile_text(), max_size=4)
    huge = st.sampled_from(["<b>" * 1400, "9" * MAX_TEXT, "٣" * 2000, "&" * 2000])
    return st.tuples(command, st.one_of(arguments, huge.map(lambda text: [text]))).map(
        lambda parts: _fit_message(" ".join([f"/{parts[0][0]}{parts[0][1]}", *parts[1]]))
    )


def _fit_callback_data(data: str) -> str:
    """Telegram carries at most 64 bytes of callback data; a client cannot send more."""
    encoded = data.encode()[:MAX_CALLBACK_DATA]
    return encoded.decode(errors="ignore") or "x"


def _field_values(annotation: object, world: World) -> list[str]:
    """Values a field of this type really carries, to mix with hostile ones."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    if annotation is date:
        return ["2026-10-01", "2026-10-25", "2026-10-31", "2026-11-01"]
    ids = [channel.id for channel in world.channels]
    return [str(number) for number in (*ids, 1, 2, 3, 7, 30, 90)]


def forged_callback_data(world: World) -> st.SearchStrategy[str]:
    """Every CallbackData class packed with hostile field values, or its prefix and noise."""
    packed = []
    for cls in callback_data_classes():
        fields = [
            st.one_of(
                st.sampled_from(_field_values(info.annotation, world)),
                st.sampled_from(HOSTILE_WORDS).map(lambda word: word.replace(":", "")),
            )
            for info in cls.model_fields.values()
        ]
        packed.append(st.tuples(st.just(cls.__prefix__), *fields).map(":".join))
    prefixes = st.sampled_from([cls.__prefix__ for cls in callback_data_classes()])
    noise = st.tuples(prefixes, st.text(max_size=40)).map(":".join)
    return st.one_of(*packed, noise, st.text(min_size=1, max_size=64)).map(_fit_callback_data)


def _buttons_sent(tg: FakeTelegram, user: FakeUser) -> list[tuple[dict, str]]:
    """(message as it is now, callback_data) for every button on the bot's messages to `user`."""
    found = {}
    for call in tg.sent(chat_id=user):
        if call.ok and isinstance(call.response, dict) and "message_id" in call.response:
            try:
                message = tg.message(user, call.response["message_id"])
            except KeyError:  # deleted since
                continue
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if "callback_data" in button:
                        found[(message["message_id"], button["callback_data"])] = message
    return [(message, data) for (_, data), message in found.items()]


@dataclass(frozen=True)
class Mutation:
    """What to do to a real button's data; drawn without looking at it, so that every case
    draws the same way whatever buttons the bot has sent so far."""

    kind: str
    position: int
    word: str

    def apply(self, data: str) -> str:
        parts = data.split(":")
        match self.kind:
            case "swap":  # a field swapped for a hostile value
                at = self.position % len(parts)
                parts[at] = self.word.replace(":", "")
                data = ":".join(parts)
            case "cut":
                data = data[: 1 + self.position % len(data)]
            case "extend":
                data = f"{data}:{self.word}"
        return _fit_callback_data(data)


# As often the real press as any mutation: real presses walk the product.
mutations = st.builds(
    Mutation,
    kind=st.sampled_from(["as sent", "as sent", "as sent", "swap", "cut", "extend"]),
    position=st.integers(0, 2**16),
    word=hostile_text(max_size=10),
)


def _how_the_bot_asks(call: Call) -> bool:
    """A refusal that is Telegram's answer to a question, not a fault: a read that finds
    nothing (getChat of an unknown @name), or an edit to what the message shows already."""
    if call.method.lower().startswith("get"):
        return True
    return call.method.lower().startswith("edit") and "not modified" in call.error["description"]


class Reply:
    """What the bot did for one fuzzed update, checked as the module docstring says."""

    def __init__(self, tg: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
        self._tg = tg
        self._caplog = caplog
        caplog.clear()
        self._mark = tg.mark()

    def calls(self) -> list[Call]:
        return [c for c in self._tg.calls[self._mark :] if c.method.lower() != "getupdates"]

    def check(self, what: str, user: FakeUser, query_id: str | None = None) -> None:
        logged = [
            f"{r.levelname} {r.name}: {r.getMessage()}"
            for r in self._caplog.records
            if r.levelno >= logging.ERROR or r.exc_info
        ]
        assert logged == [], f"{what!r} logged errors"
        refused = [c for c in self.calls() if not c.ok and not _how_the_bot_asks(c)]
        assert refused == [], f"{what!r}: Telegram refused calls"
        if query_id is not None:
            assert self._tg.callback_answer(query_id) is not None, f"{what!r} was not answered"
        else:
            answers = [
                c
                for c in self.calls()
                if c.ok and c.chat_id == user.id and c.method.lower() != "sendchataction"
            ]
            assert answers, f"{what!r} got no answer"


async def send_and_check(tg: FakeTelegram, caplog, user: FakeUser, text: str) -> None:
    reply = Reply(tg, caplog)
    await tg.send_text(user, text)
    reply.check(text, user)


@fuzz
@given(data=st.data())
async def test_commands_with_hostile_arguments_are_answered(
    app, tg: FakeTelegram, world: World, caplog, data
) -> None:
    text = data.draw(command_texts(known_commands(app)), label="text")
    user = data.draw(st.sampled_from(world.users), label="user")

    await send_and_check(tg, caplog, user, text)


@fuzz
@given(data=st.data())
async def test_forged_callback_data_is_answered(
    app, tg: FakeTelegram, world: World, caplog, data
) -> None:
    callback_data = data.draw(forged_callback_data(world), label="callback_data")
    user = data.draw(st.sampled_from(world.users), label="user")
    under = tg.last_to(user, "sendMessage")
    reply = Reply(tg, caplog)

    query_id = await tg.press(user, under, callback_data, strict=False)

    reply.check(callback_data, user, query_id)


@fuzz_walk
@given(data=st.data())
async def test_pressing_the_bots_buttons_mutated_and_typing_anything_is_answered(
    app, tg: FakeTelegram, world: World, caplog, data
) -> None:
    user = data.draw(st.sampled_from(world.users), label="user")
    # Now and then a command opens new buttons; else the buttons already sent are pressed on.
    opener = data.draw(st.none() | st.sampled_from(known_commands(app)), label="opener")
    if opener is not None:
        await send_and_check(tg, caplog, user, f"/{opener}")
    if not _buttons_sent(tg, user):
        await send_and_check(tg, caplog, user, "/channels")  # both users have channels
    buttons = _buttons_sent(tg, user)
    # The bot's messages change between cases: pick by a number that does not depend on them.
    pick = data.draw(st.integers(0, 2**16), label="button")
    message, real = buttons[pick % len(buttons)]
    callback_data = data.draw(mutations, label="mutation").apply(real)
    reply = Reply(tg, caplog)

    query_id = await tg.press(user, message, callback_data, strict=False)

    reply.check(callback_data, user, query_id)
    # A button may have opened a step that waits for typed input: answer it with anything.
    typed = data.draw(user_text(st.lists(hostile_text(), min_size=1, max_size=3)), label="typed")
    if typed.strip():
        await send_and_check(tg, caplog, user, typed)


async def test_the_fuzzer_finds_the_commands_left_out_of_the_menu(app) -> None:
    assert {"admin", "grant", "refund"} <= set(known_commands(app)) - set(COMMANDS)
