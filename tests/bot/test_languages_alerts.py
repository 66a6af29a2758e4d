"""Alerts in the user's language: the /alerts wizard and list for the user who asks, a fired
alert, its buttons and the history for the rule's owner, who is not there when it fires."""

from datetime import timedelta

import pytest
from fake_telegram import FakeChannel, FakeTelegram, FakeUser
from helpers import ManualClock
from stories import owner_with_channel, tracked_channel, views_alert_fired

from services.domain.alerts import AlertKind, AlertThresholds

NBSP = "\xa0"  # Babel's Russian number grouping and the space before %


async def drop_rule(app, owner: FakeUser, channel: FakeChannel, amount: int) -> None:
    await app.services.alerts.create_rule(
        user_id=owner.id,
        channel_id=channel.id,
        kind=AlertKind.SUBSCRIBER_DROP,
        thresholds=AlertThresholds(amount=amount, hours=1),
    )


async def lose(app, tg: FakeTelegram, channel: FakeChannel, clock: ManualClock, count: int):
    await tg.leave(channel, count=count, date=clock.now())
    await app.services.ingestion.flush()
    await app.services.alert_delivery.deliver_due()


def alerts_to(tg: FakeTelegram, user: FakeUser) -> list:
    return [call for call in tg.sent("sendMessage", chat_id=user) if "🔔" in (call.text or "")]


WIZARD = {
    "ru": {
        "empty": "У вас пока нет уведомлений.",
        "add": "Добавить уведомление",
        "kinds": "📉 <b>Отток подписчиков</b>: за несколько часов канал теряет",
        "kind": "Отток подписчиков",
        "first": "📉 Отток подписчиков · <b>Cooking Daily</b> · шаг 1 из 2\n\n"
        "Насколько большой отток? Отправьте долю, например <code>5%</code>, число подписчиков, "
        "например <code>100</code>, или и то и другое: <code>5% или 100</code>.\n"
        f"Отправьте долю до 100% или целое число от 1 до 10{NBSP}000{NBSP}000 — или нажмите "
        "кнопку с предложенным значением.",
        "wrong": "много",
        "invalid": "⚠️ Здесь это не подойдёт. Отправьте долю до 100% или целое число от 1 до "
        f"10{NBSP}000{NBSP}000, например <code>5%</code>.",
        "both": "5% или 100",
        "second": "За сколько часов?",
        "step": "шаг 2 из 2",
        "default": "Выбрать 24",
        "created": "✅ Уведомление для <b>Cooking Daily</b> настроено: 📉 Отток подписчиков, "
        f"минус 5{NBSP}% или 100 подписчиков за 24 часа.\n"
        "Я напишу вам, как только оно сработает. Управлять уведомлениями: /alerts.",
        "listed": f"1. 📉 Отток подписчиков: минус 5{NBSP}% или 100 подписчиков за 24 часа",
        "buttons": ("Пауза 1", "Удалить 1", "Проверить 1", "История"),
    },
    "en": {
        "empty": "You have no alerts yet.",
        "add": "Add alert",
        "kinds": "📉 <b>Subscriber drop</b>: the channel loses",
        "kind": "Subscriber drop",
        "first": "📉 Subscriber drop · <b>Cooking Daily</b> · step 1 of 2\n\n"
        "How big a loss? Send a share like <code>5%</code>, a number of subscribers like "
        "<code>100</code>, or both: <code>5% or 100</code>.\n"
        "Send a share up to 100%, or a whole number from 1 to 10,000,000, or tap the button "
        "for the suggested value.",
        "wrong": "a lot",
        "invalid": "⚠️ That doesn't work here. Send a share up to 100%, or a whole number from "
        "1 to 10,000,000, for example <code>5%</code>.",
        "both": "5% or 100",
        "second": "Within how many hours?",
        "step": "step 2 of 2",
        "default": "Use 24",
        "created": "✅ Alert set for <b>Cooking Daily</b>: 📉 Subscriber drop, "
        "lose 5% or 100 subscribers within 24 h.\n"
        "I'll message you the moment it fires. Manage your alerts with /alerts.",
        "listed": "1. 📉 Subscriber drop: lose 5% or 100 subscribers within 24 h",
        "buttons": ("Pause 1", "Delete 1", "Test 1", "History"),
    },
}


@pytest.mark.settings(throttle_burst=20)
@pytest.mark.parametrize("language_code", ["ru", "en"])
async def test_the_alerts_wizard_speaks_the_users_language(
    app, tg: FakeTelegram, db, language_code: str
) -> None:
    expected = WIZARD[language_code]
    olga, _ = await owner_with_channel(tg, "Olga", language_code=language_code)
    listing = await tg.reply_to(olga, "/alerts")
    assert expected["empty"] in listing.text

    kinds = await tg.choose(olga, listing, expected["add"])
    assert expected["kinds"] in kinds.text
    await tg.press_button(olga, kinds, expected["kind"])
    assert tg.texts_to(olga)[-1] == expected["first"]
    await tg.send_text(olga, expected["wrong"])
    assert tg.texts_to(olga)[-1] == expected["invalid"]
    await tg.send_text(olga, expected["both"])  # the example the question gives, as typed
    question = tg.last_to(olga, "sendMessage")
    assert expected["second"] in question.text and expected["step"] in question.text
    await tg.press_button(olga, question, expected["default"])

    assert tg.texts_to(olga)[-1] == expected["created"]
    row = await db.fetchrow("SELECT amount, percent, hours FROM alert_rules")
    assert dict(row) == {"amount": 100, "percent": 5, "hours": 24}
    listing = await tg.reply_to(olga, "/alerts")
    assert expected["listed"] in listing.text
    assert all(listing.button(text) for text in expected["buttons"])


async def test_a_fired_alert_reaches_a_russian_owner_in_russian_with_plural_forms(
    app, tg: FakeTelegram, clock: ManualClock
) -> None:
    olga, first = await owner_with_channel(tg, "Olga", language_code="ru")
    channels = [
        first,
        await tracked_channel(tg, olga, "Second", "secondchan"),
        await tracked_channel(tg, olga, "Third", "thirdchan"),
    ]
    for channel, count in zip(channels, (1, 2, 5), strict=True):
        await drop_rule(app, olga, channel, amount=count)
        await lose(app, tg, channel, clock, count)
    clock.advance(hours=2)  # past the first rule's cooldown
    await lose(app, tg, first, clock, 12)

    alerts = [call.plain_text for call in alerts_to(tg, olga)]
    assert alerts == [
        "🔔 📉 Отток подписчиков в Cooking Daily\n"
        f"Минус 1 подписчик (0,1{NBSP}%) за 1 час: пришли: 0, ушли: 1.\nОткрыть канал",
        "🔔 📉 Отток подписчиков в Second\n"
        f"Минус 2 подписчика (0,1{NBSP}%) за 1 час: пришли: 0, ушли: 2.\nОткрыть канал",
        "🔔 📉 Отток подписчиков в Third\n"
        f"Минус 5 подписчиков (0,3{NBSP}%) за 1 час: пришли: 0, ушли: 5.\nОткрыть канал",
        "🔔 📉 Отток подписчиков в Cooking Daily\n"
        f"Минус 12 подписчиков (0,8{NBSP}%) за 1 час: пришли: 0, ушли: 12.\nОткрыть канал",
    ]
    alert = alerts_to(tg, olga)[0]
    assert alert.button("📊 Статистика")
    query = await tg.press_button(olga, alert, "Заглушить на 24 ч")
    assert tg.callback_answer(query)["text"] == "🔕 Заглушено на 24 часа."

    await tg.send_text(olga, "/alerts history")
    history = tg.texts_to(olga)[-1]
    assert history.startswith("📜 <b>Последние уведомления</b>")
    assert f"Минус <b>12</b> подписчиков (0,8{NBSP}%) за 1 час" in history


async def test_a_post_views_alert_counts_minutes_in_russian(
    app, tg: FakeTelegram, db, clock: ManualClock
) -> None:
    olga, channel = await owner_with_channel(tg, "Olga", language_code="ru")
    await views_alert_fired(
        app, tg, db, clock, olga, channel, "Суп дня", views=1234, after=timedelta(minutes=5)
    )

    (alert,) = alerts_to(tg, olga)
    assert alert.plain_text == (
        "🔔 👀 Просмотры поста в Cooking Daily\n"
        f"Пост набрал 1{NBSP}234 просмотра за 5 минут после публикации "
        f"(ваш порог: 1{NBSP}000 за 24 часа).\nОткрыть пост"
    )


@pytest.mark.settings(throttle_burst=20)
async def test_a_fired_alert_follows_the_language_chosen_in_settings(
    app, tg: FakeTelegram, clock: ManualClock
) -> None:
    olga, channel = await owner_with_channel(tg, "Olga", language_code="en")
    await drop_rule(app, olga, channel, amount=1)
    await lose(app, tg, channel, clock, 1)
    assert "Lost <b>1</b> subscriber (0.1%) in the last 1 h: 0 joined, 1 left." in (
        alerts_to(tg, olga)[-1].text
    )
    await tg.send_text(olga, "/settings")
    await tg.press_button(olga, tg.last_to(olga, "sendMessage"), "Русский")

    clock.advance(hours=2)  # past the rule's cooldown
    await lose(app, tg, channel, clock, 2)

    assert len(alerts_to(tg, olga)) == 2
    assert f"Минус <b>2</b> подписчика (0,1{NBSP}%) за 1 час" in alerts_to(tg, olga)[-1].text


async def test_a_test_alert_is_sent_in_the_users_language(app, tg: FakeTelegram) -> None:
    olga, channel = await owner_with_channel(tg, "Olga", language_code="ru")
    await drop_rule(app, olga, channel, amount=3)
    await tg.send_text(olga, "/alerts")

    query = await tg.press_button(olga, tg.last_to(olga, "sendMessage"), "Проверить 1")

    assert tg.callback_answer(query)["text"] == "Тестовое уведомление отправлено."
    sample = tg.last_to(olga, "sendMessage").text
    assert sample.startswith(
        "🧪 <b>Тестовое уведомление</b> с выдуманными числами. Настоящее выглядит так:\n\n"
        "🔔 <b>📉 Отток подписчиков</b> в <b>Cooking Daily</b>\nМинус <b>3</b> подписчика"
    )


async def test_the_history_without_alerts_speaks_russian(app, tg: FakeTelegram) -> None:
    olga = tg.user("Olga", language_code="ru")
    await tg.send_text(olga, "/alerts history")
    assert tg.texts_to(olga)[-1] == "📜 Уведомления ещё не срабатывали. Ваши уведомления: /alerts."
