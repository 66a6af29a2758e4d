"""The translator: languages from Telegram's codes, plural forms, merged domains, Babel formats."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from services.i18n import Catalogs, Message, PluralMessage, locale_for, user_locale

SUBSCRIBERS = PluralMessage("demo-subscribers")
GREETING = Message("other-greeting")


def _write_domain(directory: Path, domain: str, entries: dict, *, compile: bool = True) -> None:
    """A domain's template and its Russian: {(key, English or (singular, plural)): translation}."""
    template = Catalog(domain=domain)
    catalog = Catalog(locale="ru", domain=domain)
    for (key, msgid), translation in entries.items():
        template.add(msgid, context=key)
        catalog.add(msgid, translation, context=key)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{domain}.pot").open("wb") as file:
        write_po(file, template)
    folder = directory / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{domain}.po").open("wb") as file:
        write_po(file, catalog)
    if compile:
        with (folder / f"{domain}.mo").open("wb") as file:
            write_mo(file, catalog)


@pytest.fixture
def catalogs(tmp_path: Path) -> Catalogs:
    _write_domain(
        tmp_path,
        "demo",
        {
            ("demo-subscribers", ("{n} subscriber", "{n} subscribers")): (
                "{n} подписчик",
                "{n} подписчика",
                "{n} подписчиков",
            )
        },
    )
    _write_domain(tmp_path, "other", {("other-greeting", "Hello, {name}"): "Привет, {name}"})
    return Catalogs(tmp_path)


@pytest.mark.parametrize(
    ("n", "english", "russian"),
    [
        pytest.param(1, "1 subscriber", "1 подписчик", id="1"),
        pytest.param(2, "2 subscribers", "2 подписчика", id="2"),
        pytest.param(5, "5 subscribers", "5 подписчиков", id="5"),
        pytest.param(11, "11 subscribers", "11 подписчиков", id="11"),
        pytest.param(21, "21 subscribers", "21 подписчик", id="21"),
        pytest.param(1234, "1,234 subscribers", "1\xa0234 подписчика", id="1234"),
    ],
)
def test_plural_forms_follow_each_language(
    catalogs: Catalogs, n: int, english: str, russian: str
) -> None:
    assert catalogs.translator("en").plural(SUBSCRIBERS, n) == english
    assert catalogs.translator("ru").plural(SUBSCRIBERS, n) == russian


def test_every_domain_of_a_locale_is_merged_into_its_translator(catalogs: Catalogs) -> None:
    russian = catalogs.translator("ru")
    assert russian(GREETING, name="Оля") == "Привет, Оля"
    assert russian.plural(SUBSCRIBERS, 3) == "3 подписчика"
    assert catalogs.translator("de")(GREETING, name="Olga") == "Hello, Olga"


def test_a_catalog_not_compiled_is_refused(tmp_path: Path) -> None:
    _write_domain(tmp_path, "demo", {("demo-x", "X"): "Икс"}, compile=False)
    with pytest.raises(RuntimeError, match="make catalogs"):
        Catalogs(tmp_path)


@pytest.mark.parametrize(
    ("language_code", "locale"),
    [
        pytest.param("ru", "ru", id="ru"),
        pytest.param("uk", "ru", id="uk"),
        pytest.param("be", "ru", id="be"),
        pytest.param("kk", "ru", id="kk"),
        pytest.param("ru-RU", "ru", id="ru-RU"),
        pytest.param("en", "en", id="en"),
        pytest.param("de", "en", id="de"),
        pytest.param(None, "en", id="none"),
    ],
)
def test_telegram_language_codes_map_to_russian_or_english(
    language_code: str | None, locale: str
) -> None:
    assert locale_for(language_code) == locale


def test_the_language_chosen_in_settings_wins_over_telegrams() -> None:
    assert user_locale(chosen_language="en", language_code="ru") == "en"
    assert user_locale(chosen_language="ru", language_code="de") == "ru"
    assert user_locale(chosen_language=None, language_code="uk") == "ru"


def test_numbers_percentages_dates_and_months_are_formatted_for_the_locale(
    catalogs: Catalogs,
) -> None:
    english, russian = catalogs.translator("en"), catalogs.translator("ru")
    day = date(2026, 10, 1)
    assert (english.number(12345.6), russian.number(12345.6)) == ("12,345.6", "12\xa0345,6")
    assert (english.percent(0.1234), russian.percent(0.1234)) == ("12.3%", "12,3\xa0%")
    assert (english.date(day), russian.date(day)) == ("Oct 1, 2026", "1 окт. 2026\u202fг.")
    assert (english.month(day), russian.month(day)) == ("October 2026", "октябрь 2026")
    moment = datetime(2026, 10, 1, 14, 5, tzinfo=UTC)
    assert (english.moment(moment), russian.moment(moment)) == ("1 Oct, 14:05", "1 окт., 14:05")
