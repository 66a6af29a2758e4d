"""Channels, /plan and the /watermark panel in the user's language, with Russian plural forms."""

import pytest
from fake_telegram import FakeTelegram, FakeUser
from helpers import ManualClock

MANY_TAPS = pytest.mark.settings(throttle_burst=30)
LANGUAGES = pytest.mark.parametrize("language_code", ["ru", "en"])

CHANNELS = {
    "ru": {
        "added": "✅ Теперь отслеживаю <b>One</b>.",
        "title": "<b>Ваши каналы</b>",
        "one": "👥 1 подписчик · 📝 последний пост 5 минут назад",
        "two": "👥 2 подписчика · 📝 постов пока нет",
        "five": "👥 5 подписчиков · 📝 постов пока нет",
        "remove_button": "🗑 Убрать One",
        "confirm": "Перестать отслеживать <b>One</b>?",
        "keep_button": "Остановить, сохранить данные",
        "kept": "⏸ Больше не отслеживаю <b>One</b>. Данные сохранены;",
        "paused": "⏸ не отслеживается",
        "limit": (
            "🔒 На тарифе Free доступно: 3 канала. Перейдите на тариф выше, чтобы получить больше."
        ),
    },
    "en": {
        "added": "✅ Now tracking <b>One</b>.",
        "title": "<b>Your channels</b>",
        "one": "👥 1 subscriber · 📝 last post 5 min ago",
        "two": "👥 2 subscribers · 📝 no posts yet",
        "five": "👥 5 subscribers · 📝 no posts yet",
        "remove_button": "🗑 Remove One",
        "confirm": "Stop tracking <b>One</b>?",
        "keep_button": "Stop, keep data",
        "kept": "⏸ Stopped tracking <b>One</b>. Its data is kept;",
        "paused": "⏸ not tracked",
        "limit": "🔒 Your Free plan allows 3 channels tracked. Upgrade to get more.",
    },
}


@MANY_TAPS
@LANGUAGES
async def test_channels_list_remove_and_the_channel_limit(
    app, tg: FakeTelegram, clock: ManualClock, language_code: str
) -> None:
    expected = CHANNELS[language_code]
    olga = tg.user("Olga", language_code=language_code)
    await tg.send_text(olga, "/start")
    one = tg.channel("One", "onechan", owner=olga, subscribers=1)
    await tg.add_bot_to_channel(one, by=olga)
    assert tg.texts_to(olga)[-1].startswith(expected["added"])
    await tg.add_bot_to_channel(tg.channel("Two", "twochan", owner=olga, subscribers=2), by=olga)
    await tg.add_bot_to_channel(tg.channel("Five", "fivechan", owner=olga, subscribers=5), by=olga)
    await tg.post(one, "Hello")
    await app.services.ingestion.flush()
    await app.services.subscribers.snapshot_all()
    clock.advance(minutes=5, seconds=30)  # the post's date is in whole seconds

    await tg.send_text(olga, "/channels")

    listing = tg.last_to(olga, "sendMessage")
    for part in ("title", "one", "two", "five"):
        assert expected[part] in listing.text
    confirm = await tg.choose(olga, listing, expected["remove_button"])
    assert confirm.text.startswith(expected["confirm"])
    await tg.press_button(olga, confirm, expected["keep_button"])
    assert tg.texts_to(olga)[-1].startswith(expected["kept"])
    assert expected["paused"] in await tg.ask(olga, "/channels")

    fourth = tg.channel("Four", "fourchan", owner=olga)
    fourth.bot_status = "administrator"
    await tg.send_text(olga, "/add @onechan")
    await tg.send_text(olga, "/add @fourchan")
    assert tg.texts_to(olga)[-1] == expected["limit"]


REFUSALS = {
    "ru": {
        "/add": "Отправьте после команды @username или идентификатор канала",
        "/add hello world!": "Это не похоже на канал.",
        "/add @nosuchchannel": "Не могу найти этот канал.",
        "/remove": "У вас пока нет каналов.",
    },
    "en": {
        "/add": "Send the channel's @username or id after the command",
        "/add hello world!": "That doesn't look like a channel.",
        "/add @nosuchchannel": "I can't find that channel.",
        "/remove": "You have no channels yet.",
    },
}


@MANY_TAPS
@LANGUAGES
async def test_bad_channel_arguments_are_refused_in_the_users_language(
    app, tg: FakeTelegram, language_code: str
) -> None:
    olga = tg.user("Olga", language_code=language_code)
    for command, refusal in REFUSALS[language_code].items():
        await tg.send_text(olga, command)
        assert tg.texts_to(olga)[-1].startswith(refusal), command


PLAN = {
    "ru": {
        "status": [
            "<b>Ваш тариф: Free</b>",
            "• Каналы: 1 из 3",
            "• 30 дней истории",
            "• 168 часов жизни ссылки на отчёт",
            "• Выгрузки CSV в день: 0 из 3",
        ],
        "upgrade": "Улучшить тариф",
        "overview": [
            "<b>Тарифы</b>",
            "<b>Free</b> (бесплатно)\n• 3 канала\n• 30 дней истории",
            "<b>Pro</b> ($9 в месяц)\n• 10 каналов\n• 365 дней истории",
            "• Срок жизни ссылки на отчёт: без ограничений",
            "• 200 правил уведомлений",
        ],
        "insights": "• ИИ-аналитика в месяц: 0 из 10",
        "insights_amount": "• 200 ИИ-анализов в месяц",
    },
    "en": {
        "status": [
            "<b>Your plan: Free</b>",
            "• channels tracked: 1 of 3",
            "• 30 days of history",
            "• 168 hours a share link can live",
            "• CSV exports a day: 0 of 3",
        ],
        "upgrade": "Upgrade",
        "overview": [
            "<b>Plans</b>",
            "<b>Free</b> (free)\n• 3 channels tracked\n• 30 days of history",
            "<b>Pro</b> ($9 a month)\n• 10 channels tracked\n• 365 days of history",
            "• unlimited hours a share link can live",
            "• 200 alert rules",
        ],
        "insights": "• AI insights a month: 0 of 10",
        "insights_amount": "• 200 AI insights a month",
    },
}


@pytest.mark.settings(feature_billing=False)
@LANGUAGES
async def test_plan_and_the_plans_overview(app, tg: FakeTelegram, language_code: str) -> None:
    expected = PLAN[language_code]
    olga = tg.user("Olga", language_code=language_code)
    await tg.add_bot_to_channel(tg.channel("One", "onechan", owner=olga), by=olga)

    await tg.send_text(olga, "/plan")

    status = tg.last_to(olga, "sendMessage")
    for line in expected["status"]:
        assert line in status.text
    await tg.press_button(olga, status, expected["upgrade"])
    overview = tg.texts_to(olga)[-1]
    for part in expected["overview"]:
        assert part in overview
    assert expected["insights"] in status.text and expected["insights_amount"] in overview


async def test_plan_follows_the_language_chosen_in_settings(app, tg: FakeTelegram) -> None:
    ivan = tg.user("Ivan", language_code="en")
    await tg.send_text(ivan, "/settings")
    await tg.press_button(ivan, tg.last_to(ivan, "sendMessage"), "Русский")

    await tg.send_text(ivan, "/plan")

    assert "<b>Ваш тариф: Free</b>" in tg.texts_to(ivan)[-1]


WATERMARK = {
    "ru": {
        "panel": [
            "🖋 Ваш водяной знак (название вашего канала)",
            "Знак: «@onechan»",
            "Положение: внизу справа · размер",
            "· цвет белый",
            "Пришлите фото, файл или альбом",
        ],
        "button": "💾 Сохранить как шаблон",
        "moved": ["Положение: вверху слева", "Это предпросмотр"],
        "apply": "Применить",
        "applied": "✅ Применено: теперь ваши изображения получают этот знак.",
    },
    "en": {
        "panel": [
            "🖋 Your watermark (your channel's name)",
            "Mark: “@onechan”",
            "Position bottom right · size",
            "· colour white",
            "Send me a photo, a file or an album",
        ],
        "button": "💾 Save as preset",
        "moved": ["Position top left", "This is a preview"],
        "apply": "Apply",
        "applied": "✅ Applied: your images get this mark now.",
    },
}


async def _owner(tg: FakeTelegram, language_code: str) -> FakeUser:
    olga = tg.user("Olga", language_code=language_code)
    await tg.send_text(olga, "/start")
    await tg.add_bot_to_channel(tg.channel("One", "onechan", owner=olga), by=olga)
    return olga


@MANY_TAPS
@LANGUAGES
async def test_the_watermark_panel(app, tg: FakeTelegram, language_code: str) -> None:
    expected = WATERMARK[language_code]
    olga = await _owner(tg, language_code)

    await tg.send_text(olga, "/watermark")

    panel = tg.last_to(olga, "sendPhoto")
    for part in expected["panel"]:
        assert part in panel.plain_text
    panel.button(expected["button"])
    await tg.press_button(olga, panel, "↖")
    caption = tg.last_to(olga, "editMessageMedia").params["media"]["caption"]
    for part in expected["moved"]:
        assert part in caption
    query = await tg.press_button(olga, panel, expected["apply"])
    assert tg.callback_answer(query)["text"] == expected["applied"]


REJECTIONS = {
    "ru": {
        "not_an_image": (
            "⚠️ Этот файл не читается как изображение. Пришлите картинку JPEG, PNG или WebP."
        ),
        "save": "Сохранить как шаблон",
        "long_name": "⚠️ Название шаблона — от 1 до 32 символов.",
        "saved": "💾 Сохранено как <b>Main</b>",
    },
    "en": {
        "not_an_image": "⚠️ This file isn't a readable image. Send a JPEG, PNG or WebP picture.",
        "save": "Save as preset",
        "long_name": "⚠️ A preset name is 1 to 32 characters.",
        "saved": "💾 Saved as <b>Main</b>",
    },
}


@MANY_TAPS
@LANGUAGES
async def test_watermark_refusals_speak_the_users_language(
    app, tg: FakeTelegram, language_code: str
) -> None:
    expected = REJECTIONS[language_code]
    olga = await _owner(tg, language_code)

    await tg.send_document(olga, b"not a picture", filename="notes.bin", mime_type="image/png")

    assert tg.texts_to(olga)[-1] == expected["not_an_image"]
    await tg.send_text(olga, "/watermark")
    await tg.press_button(olga, tg.last_to(olga, "sendPhoto"), expected["save"])
    await tg.send_text(olga, "x" * 40)
    assert tg.texts_to(olga)[-1] == expected["long_name"]
    await tg.send_text(olga, "Main")
    assert tg.texts_to(olga)[-1].startswith(expected["saved"])
