"""The bot speaks the user's language: Russian for ru/uk/be/kk, English for the rest, or the
language chosen in /settings."""

import pytest
from fake_telegram import FakeTelegram

RUSSIAN = {
    "start": "ведёт статистику вашего Telegram-канала",
    "start_button": "Добавить в мой канал",
    "help": "<b>Команды</b>",
    "settings": "⚙️ <b>Настройки</b>",
    "settings_button": "Часовой пояс",
    "chosen": "✓ Русский",
}
ENGLISH = {
    "start": "keeps the numbers of your Telegram channel",
    "start_button": "Add to my channel",
    "help": "<b>Commands</b>",
    "settings": "⚙️ <b>Settings</b>",
    "settings_button": "Time zone",
    "chosen": "✓ English",
}


@pytest.mark.settings(throttle_burst=20)
@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        pytest.param("ru", RUSSIAN, id="ru"),
        pytest.param("uk", RUSSIAN, id="uk"),
        pytest.param("en", ENGLISH, id="en"),
        pytest.param("de", ENGLISH, id="de"),
    ],
)
async def test_start_help_and_settings_speak_the_users_language(
    app, tg: FakeTelegram, language_code: str, expected: dict[str, str]
) -> None:
    user = tg.user("Sasha", language_code=language_code)

    start = await tg.reply_to(user, "/start")
    assert expected["start"] in start.text
    assert start.button(expected["start_button"])
    assert expected["help"] in await tg.ask(user, "/help")
    settings = await tg.reply_to(user, "/settings")
    assert expected["settings"] in settings.text
    assert settings.button(expected["settings_button"])
    assert settings.button(expected["chosen"])


@pytest.mark.settings(throttle_burst=20)
async def test_a_language_chosen_in_settings_takes_effect_on_the_next_message(
    app, tg: FakeTelegram, db
) -> None:
    user = tg.user("Ivan", language_code="en")
    settings = await tg.reply_to(user, "/settings")

    await tg.press_button(user, settings, "Русский")

    assert tg.texts_to(user)[-1] == "✅ Теперь я говорю с вами по-русски. Смотрите /settings."
    assert await db.fetchval("SELECT chosen_language FROM users WHERE id = $1", user.id) == "ru"
    assert RUSSIAN["help"] in await tg.ask(user, "/help")
    await tg.send_text(user, "/nonsense")
    assert tg.texts_to(user)[-1].startswith("🤔 Я не знаю команды /nonsense.")

    await tg.press_button(user, settings, "English")
    assert ENGLISH["help"] in await tg.ask(user, "/help")


async def test_the_fallback_answers_speak_russian(app, tg: FakeTelegram) -> None:
    user = tg.user("Olga", language_code="ru")
    await tg.send_text(user, "hello")
    assert tg.texts_to(user)[-1].startswith("Я работаю с командами.")
    await tg.send_text(user, "/settings")

    query = await tg.press(
        user, tg.last_to(user, "sendMessage"), "lang:de", strict=False
    )  # a forged language

    assert tg.callback_answer(query)["text"] == (
        "Эта кнопка больше не работает. Отправьте команду ещё раз."
    )


async def test_the_apology_speaks_russian(app, tg: FakeTelegram, db) -> None:
    user = tg.user("Olga", language_code="ru")
    await db.execute("ALTER TABLE users RENAME TO users_away")
    try:
        await tg.send_text(user, "/help")
    finally:
        await db.execute("ALTER TABLE users_away RENAME TO users")

    assert tg.texts_to(user)[-1].startswith("😔 Извините, у нас что-то пошло не так.")


async def test_the_commands_menu_is_set_in_russian_and_by_default(app, tg: FakeTelegram) -> None:
    default = {c["command"]: c["description"] for c in tg.commands()}
    russian = {c["command"]: c["description"] for c in tg.commands(language_code="ru")}

    assert default["help"] == "All commands"
    assert russian["help"] == "Все команды"
    assert russian.keys() == default.keys()
    assert tg.commands(language_code="uk") == tg.commands(language_code="ru")
