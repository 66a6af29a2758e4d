"""Share links, paying and plan notices in the user's language: the public page speaks its owner's
language whoever opens it, invoices the buyer's, notices from background work the recipient's."""

import json
from datetime import timedelta

import aiohttp
import pytest
from fake_stripe import FakeStripe
from fake_telegram import FakeTelegram
from helpers import russian_day
from stories import channel_with_history, share

# Babel groups Russian thousands with a no-break space: 1 503.
NBSP = "\xa0"


async def _get(http: aiohttp.ClientSession, app, path: str, *, visitor_language: str):
    headers = {"Accept-Language": visitor_language}
    async with http.get(app.app.web_url + path, headers=headers) as response:
        return response.status, await response.text()


# What the share page says in each owner's language, and its JSON's labels of two numbers.
RUSSIAN_PAGE = (
    '<html lang="ru">',
    "@cookingdaily · последние 7 дней",
    '<span class="label">Подписчики</span>',
    f"1{NBSP}503",  # 1500 + 4 joins − 1 leave
    "<h2>Топ постов</h2>",
    "<th>Дата</th>",
    "Отчёт подготовлен в AnalyticBot. Ссылка работает до",
)
RUSSIAN_LABELS = {"subscribers": "Подписчики", "engagement_rate": "Вовлечённость"}
ENGLISH_PAGE = (
    '<html lang="en">',
    "@cookingdaily · last 7 days",
    '<span class="label">Subscribers</span>',
    "1,503",
    "Shared with AnalyticBot. This link works until",
)
ENGLISH_LABELS = {"subscribers": "Subscribers", "engagement_rate": "Engagement rate"}


@pytest.mark.parametrize(
    ("owner_language", "visitor_language", "says", "labels"),
    [
        pytest.param("ru", "en-US,en", RUSSIAN_PAGE, RUSSIAN_LABELS, id="russian-owner"),
        pytest.param("en", "ru-RU,ru", ENGLISH_PAGE, ENGLISH_LABELS, id="english-owner"),
    ],
)
async def test_the_share_page_speaks_its_owners_language_to_any_visitor(
    app,
    tg: FakeTelegram,
    db,
    clock,
    http,
    owner_language: str,
    visitor_language: str,
    says: tuple[str, ...],
    labels: dict[str, str],
) -> None:
    shared = await channel_with_history(app, tg, db, clock, language_code=owner_language)
    link = await share(app, shared)

    status, page = await _get(http, app, f"/r/{link.token}", visitor_language=visitor_language)

    assert status == 200
    assert [text for text in says if text not in page] == []
    _, report = await _get(http, app, f"/r/{link.token}.json", visitor_language=visitor_language)
    numbers = {number["name"]: number["label"] for number in json.loads(report)["key_numbers"]}
    assert {name: numbers[name] for name in labels} == labels


async def test_a_dead_link_answers_in_the_visitors_language(app, tg, http) -> None:
    status, page = await _get(http, app, "/r/" + "x" * 32, visitor_language="ru")

    assert status == 404
    assert '<html lang="ru">' in page and "<h1>Эта ссылка не работает</h1>" in page


@pytest.mark.settings(throttle_burst=20)
async def test_share_and_shares_in_russian_count_openings_with_plural_forms(
    app, tg: FakeTelegram, db, clock, http
) -> None:
    shared = await channel_with_history(app, tg, db, clock, language_code="ru")
    olga = shared.owner

    periods = await tg.reply_to(olga, "/share @cookingdaily")
    assert "🔗 Поделиться отчётом канала <b>Cooking Daily</b>" in periods.text
    lifetimes = await tg.choose(olga, periods, "30 дней")
    assert "<b>Cooking Daily</b>, последние 30 дней." in lifetimes.text
    # Beyond Free's week a lifetime is locked, in Russian too.
    assert lifetimes.labels() == ["1 час", "24 часа", "7 дней", "🔒 30 дней", "🔒 Бессрочно"]
    await tg.press_button(olga, lifetimes, "7 дней")
    created = tg.texts_to(olga)[-1]
    assert "✅ Ссылка на отчёт <b>Cooking Daily</b>, последние 30 дней, до " in created
    url = created.split("\n")[1]
    token = url.rsplit("/", 1)[1]

    assert "👁 ещё не открывали" in await tg.ask(olga, "/shares")
    for openings, shown in ((1, "открыли 1 раз"), (2, "открыли 2 раза"), (5, "открыли 5 раз")):
        while (await db.fetchval("SELECT open_count FROM share_links")) < openings:
            await _get(http, app, f"/r/{token}", visitor_language="en")
        listing = await tg.reply_to(olga, "/shares")
        assert f"UTC · 👁 {shown}" in listing.text
        assert listing.button("🗑 Отозвать №1")


async def test_a_russian_user_subscribes_and_pays_in_stars_in_russian(
    app, tg: FakeTelegram, clock
) -> None:
    olga = tg.user("Olga", language_code="ru")

    offer = await tg.reply_to(olga, "/subscribe")
    assert "<b>Улучшить тариф</b>: сейчас у вас тариф Free." in offer.text
    assert "<b>Pro</b>: 450 ⭐ за 30 дней" in offer.text
    assert "Stars оплачивают 30 дней за раз и сами не продлеваются." in offer.text
    assert offer.button(f"⭐ Business · 1{NBSP}450 звёзд")
    await tg.press_button(olga, offer, "⭐ Pro · 450 звёзд")

    invoice = tg.last_to(olga, "sendInvoice")
    assert invoice.params["title"] == "AnalyticBot Pro"
    assert invoice.params["description"] == (
        "30 дней тарифа Pro: 10 отслеживаемых каналов, 365 дней истории, "
        "50 выгрузок CSV в день и многое другое. Сам не продлевается."
    )
    assert invoice.params["prices"] == [{"label": "Pro, 30 дней", "amount": 450}]
    payload = invoice.params["payload"]
    await tg.pre_checkout(olga, payload=payload, total_amount=450)
    await tg.successful_payment(olga, payload=payload, total_amount=450)

    until = clock.now() + timedelta(days=30)
    assert tg.texts_to(olga)[-1].startswith(
        f"⭐ Спасибо! Тариф <b>Pro</b> действует до {russian_day(until)}; его лимиты уже работают"
    )


async def test_an_english_user_gets_the_same_invoice_in_english(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice", language_code="en")

    await tg.send_text(alice, "/subscribe")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "⭐ Business · 1,450 Stars")

    invoice = tg.last_to(alice, "sendInvoice")
    assert invoice.params["title"] == "AnalyticBot Business"
    assert invoice.params["description"] == (
        "30 days of Business: 50 channels tracked, unlimited days of history, "
        "unlimited CSV exports a day, and more. It does not renew by itself."
    )
    assert invoice.params["prices"] == [{"label": "Business, 30 days", "amount": 1450}]


async def test_a_plan_started_by_card_is_announced_to_a_russian_user_in_russian(
    app, tg: FakeTelegram, stripe_api: FakeStripe, clock
) -> None:
    olga = tg.user("Olga", language_code="ru")

    await tg.send_text(olga, "/subscribe")
    checkout = await tg.choose(olga, tg.last_to(olga, "sendMessage"), "💳 Pro · $9/мес.")
    assert "Оформите подписку на <b>Pro</b> за $9 в месяц" in checkout.text
    url = checkout.button("💳 Оплатить $9 в месяц")["url"]
    events = stripe_api.complete_checkout(stripe_api.session_by_url(url)["id"])
    assert await stripe_api.deliver_all(events) == [200] * len(events)

    renewal = russian_day(clock.now() + timedelta(days=30))
    assert (
        "🎉 Добро пожаловать в <b>Pro</b>! Новые лимиты уже действуют (см. /plan). "
        f"Следующее продление {renewal}."
    ) in tg.texts_to(olga)


@pytest.mark.settings(admin_ids=frozenset({1001}))
async def test_a_plan_granted_by_an_english_admin_reaches_a_russian_user_in_russian(
    app, tg: FakeTelegram
) -> None:
    admin = tg.user("Admin", language_code="en")  # 1001
    olga = tg.user("Olga", language_code="ru")
    await tg.send_text(olga, "/start")

    await tg.send_text(admin, f"/grant {olga.id} pro 7")

    assert tg.texts_to(admin)[-1].startswith(f"🎁 User <code>{olga.id}</code> has <b>Pro</b>")
    assert tg.texts_to(olga)[-1].startswith("🎁 Вам подарили <b>Pro</b> до ")


async def test_a_report_opened_in_telegram_speaks_the_readers_language(
    app, tg: FakeTelegram, db, clock
) -> None:
    shared = await channel_with_history(app, tg, db, clock, language_code="en")
    link = await share(app, shared)
    olga = tg.user("Olga", language_code="ru")

    await tg.send_text(olga, f"/start r_{link.token}")

    report = tg.texts_to(olga)[-1]
    assert "📊 <b>Cooking Daily</b> (@cookingdaily)\nПоследние 7 дней, " in report
    assert f"• Подписчики: <b>1{NBSP}503</b>" in report
    assert f"1. Sourdough, step by step\n    2{NBSP}400 просмотров · 130 реакций" in report
    assert "Графики и файлы CSV: " in report
