"""/stats, its charts and /export in the user's language, and the Excel (Russian) export.

The channel's history is the sample of channel_history.write_sample_history, seen at SAMPLE_NOW
by an owner in Moscow.
"""

import csv
import io
import re

import pytest
from channel_history import SAMPLE_NOW
from fake_telegram import Call, FakeTelegram
from helpers import ManualClock
from stories import owner_with_sample_history

from bot.handlers.exports import ExportStatus
from services.exports import ExportKind

NBSP = "\xa0"  # Babel's Russian thousands separator and the space before %


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


def csv_files(call: Call, delimiter: str = ",") -> dict[str, list[list[str]]]:
    """The CSV files of a sendMediaGroup, by file name, parsed back."""
    files = {}
    for index in range(len(call.params["media"])):
        upload = call.files[f"media[{index}]"]
        text = upload.data.decode("utf-8-sig")
        files[upload.filename] = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return files


@pytest.mark.settings(throttle_burst=20)
async def test_stats_speaks_russian_to_a_russian_user(app, tg: FakeTelegram, db) -> None:
    olga = await owner_with_sample_history(tg, db, name="Olga", language_code="ru")

    await tg.send_text(olga, "/stats 7d")

    reply = tg.last_to(olga, "sendMessage")
    text = reply.plain_text.replace(NBSP, " ")
    assert "25 окт. – 31 окт. 2026 (7 дней)" in text
    assert "👥 Подписчики: 1 100 (+100) ▲ 10 %" in text
    assert "➕ Подписались 3 · ➖ Отписались 1 · прирост +2 ▲ 300 %" in text
    assert "📝 Посты: 5 ▲ 400 %" in text
    assert "👁 Средний охват: 750 ▲ 25 %" in text
    assert "📈 ERR: 68,2 % ▲ 14 %" in text
    assert "❤️ Вовлечённость: 2,00 % ▲ 100 %" in text
    assert "⏱ Просмотры за 24 ч: медиана 800 (+14 % к медиане канала)" in text
    assert "1. Пост номер 3 — 👁 1 500 · ❤️ 2,0 % · 24 ч: 1 200 (+71 % к медиане канала)" in text
    assert "🔥 Самая высокая вовлечённость: Пост номер 1 — ❤️ 2,8 %" in text
    assert "Лучшее время для публикации (Europe/Moscow): пт 18:00–19:00, просмотры +100 %" in text
    assert "Лучшие дни: пт, вс · лучшие часы: 18:00, 09:00" in text
    assert reply.labels() == [
        "• 7 дн. •",
        "30 дн.",
        "90 дн.",
        "📈 Графики",
        "📄 Выгрузка CSV",
        "📊 Excel (русский)",
        "🔗 Поделиться",
        "💡 Аналитика",
    ]
    await tg.press_button(olga, reply, "Графики")
    caption = tg.last_to(olga, "sendMediaGroup").params["media"][0]["caption"]
    assert caption == "📈 <b>Test Channel</b> · 25 окт. – 31 окт. 2026"


@pytest.mark.settings(throttle_burst=20)
@pytest.mark.parametrize(
    ("days", "russian", "english"),
    [
        pytest.param(
            1, ("(1 день)", "с 1 предыдущим днём"), ("(1 day)", "the 1 day before"), id="1"
        ),
        pytest.param(
            2, ("(2 дня)", "с 2 предыдущими днями"), ("(2 days)", "the 2 days before"), id="2"
        ),
        pytest.param(
            5, ("(5 дней)", "с 5 предыдущими днями"), ("(5 days)", "the 5 days before"), id="5"
        ),
    ],
)
async def test_the_period_length_takes_the_plural_form_of_the_language(
    app, tg: FakeTelegram, db, days: int, russian: tuple[str, str], english: tuple[str, str]
) -> None:
    olga = await owner_with_sample_history(tg, db, name="Olga", language_code="ru")

    await tg.send_text(olga, f"/stats {days}d")
    text = tg.last_to(olga, "sendMessage").plain_text
    assert all(words in text for words in russian)

    await tg.send_text(olga, "/settings")
    await tg.press_button(olga, tg.last_to(olga, "sendMessage"), "English")
    await tg.send_text(olga, f"/stats {days}d")
    text = tg.last_to(olga, "sendMessage").plain_text
    assert all(words in text for words in english)


async def test_stats_speaks_english_to_an_english_user(app, tg: FakeTelegram, db) -> None:
    alice = await owner_with_sample_history(tg, db, language_code="en")

    await tg.send_text(alice, "/stats 7d")

    reply = tg.last_to(alice, "sendMessage")
    assert "25 Oct – 31 Oct 2026 (7 days)" in reply.plain_text
    assert "Best time to post (Europe/Moscow): Fri 18:00–19:00" in reply.plain_text
    assert "Arrows compare with the 7 days before." in reply.plain_text
    assert reply.button("📊 Excel (Russian)")


async def test_a_bad_period_is_explained_in_russian(app, tg: FakeTelegram, db) -> None:
    olga = await owner_with_sample_history(tg, db, name="Olga", language_code="ru")

    await tg.send_text(olga, "/stats 2026-10-09 2026-10-01")

    reply = tg.texts_to(olga)[-1]
    assert reply.startswith("Диапазон заканчивается раньше, чем начинается.")
    assert "<code>/stats</code> — последние 30 дней" in reply


async def test_an_export_speaks_russian(app, tg: FakeTelegram, db, clock) -> None:
    olga = await owner_with_sample_history(tg, db, name="Olga", language_code="ru")

    await tg.send_text(olga, "/export 7d")

    album = tg.last_to(olga, "sendMediaGroup")
    caption = album.params["media"][-1]["caption"]
    assert caption.startswith("📄 <b>Test Channel</b> · 25 окт. – 31 окт. 2026: 5 постов,")
    assert "CSV в UTF-8" in caption
    files = csv_files(album)
    headers = [rows[0] for rows in files.values()]
    assert headers == [
        [
            "№ сообщения",
            "Опубликовано (Europe/Moscow)",
            "Текст",
            "Медиа",
            "Просмотры",
            "Просмотры за 24 ч",
            "Реакции",
            "Вовлечённость, %",
            "Ссылка",
        ],
        ["Дата", "Подписчики"],
        ["Дата", "Подписались", "Отписались", "Прирост"],
        ["Дата", "Источник", "Подписались", "Отписались"],
    ]


@pytest.mark.parametrize(
    ("rows", "status"),
    [
        pytest.param(1, "⏳ Готовлю посты… 1 строка", id="1"),
        pytest.param(2, "⏳ Готовлю посты… 2 строки", id="2"),
        pytest.param(5, "⏳ Готовлю посты… 5 строк", id="5"),
        pytest.param(5_000, f"⏳ Готовлю посты… 5{NBSP}000 строк", id="5000"),
    ],
)
async def test_the_export_status_counts_rows_in_russian(
    app, tg: FakeTelegram, clock, rows: int, status: str
) -> None:
    olga = tg.user("Olga", language_code="ru")
    await tg.send_text(olga, "/start")
    russian = app.app.catalogs.translator("ru")

    await ExportStatus(app.app.bot, olga.id, clock, russian, show_after=0).on_progress(
        ExportKind.POSTS, rows
    )

    assert tg.texts_to(olga)[-1] == status


_EXCEL_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})(.*)$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def from_russian_excel(cell: str) -> str:
    """A cell as a Russian Excel reads it, written back the way the default export writes it."""
    if match := _EXCEL_DATE.match(cell):
        day, month, year, time_of_day = match.groups()
        return f"{year}-{month}-{day}{time_of_day}"
    if _DECIMAL_COMMA.match(cell):
        return cell.replace(",", ".")
    return cell


@pytest.mark.settings(throttle_burst=20)
async def test_an_excel_russian_export_parses_back_to_the_numbers_of_the_default_one(
    app, tg: FakeTelegram, db
) -> None:
    alice = await owner_with_sample_history(tg, db)
    await tg.send_text(alice, "/export @testchannel 7d")
    default = csv_files(tg.last_to(alice, "sendMediaGroup"))

    await tg.send_text(alice, "/export @testchannel 7d excel")

    album = tg.last_to(alice, "sendMediaGroup")
    excel = csv_files(album, delimiter=";")
    assert list(excel) == list(default)
    posts = next(name for name in excel if "_posts_" in name)
    assert excel[posts][1][1] == "25.10.2026 09:00:00" and excel[posts][1][7] == "2,78"
    for name, rows in excel.items():
        assert [[from_russian_excel(cell) for cell in row] for row in rows] == default[name]
    assert "Excel with Russian settings" in album.params["media"][-1]["caption"]


async def test_the_excel_button_under_stats_sends_the_russian_excel_files(
    app, tg: FakeTelegram, db
) -> None:
    olga = await owner_with_sample_history(tg, db, name="Olga", language_code="ru")
    await tg.send_text(olga, "/stats 7d")

    await tg.press_button(olga, tg.last_to(olga, "sendMessage"), "Excel (русский)")

    album = tg.last_to(olga, "sendMediaGroup")
    subscribers = next(
        rows for name, rows in csv_files(album, ";").items() if "_subscribers_" in name
    )
    assert subscribers[:2] == [["Дата", "Подписчики"], ["25.10.2026", "1000"]]
    assert "столбцы разделены точкой с запятой" in album.params["media"][-1]["caption"]
