"""Texts in the user's language: catalog messages, the compiled catalogs, a translator per locale.

A feature names its texts as `Message`s in its text module (`bot/i18n_texts/<feature>.py`,
`services/i18n_texts/<feature>.py`), by key; their English is the gettext domain's template,
`services/locales/<feature>.pot`, and each translation is a `.po` per feature and locale under
`services/locales/<locale>/LC_MESSAGES/`. At load time the domains of a locale are merged into
one catalog. Nothing here imports aiogram, so background work
(alerts, billing, the share page) renders texts the same way as handlers.
"""

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from babel.core import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).parent / "locales"


class Language(StrEnum):
    """The languages the bot speaks; the value is the locale of its catalogs."""

    EN = "en"
    RU = "ru"


DEFAULT_LOCALE = Language.EN.value  # the source language: msgids are English, no catalog needed
# Telegram's language_code of people who read Russian more readily than English.
RUSSIAN_READERS = frozenset({"ru", "uk", "be", "kk"})


@dataclass(frozen=True)
class Message:
    """A catalog message, by its key (its msgctxt, `<domain>-<where it appears>`)."""

    key: str


@dataclass(frozen=True)
class PluralMessage:
    """A message whose words follow a number `n`; Russian has three forms, English two."""

    key: str


class EnglishTexts:
    """The English of every message: the domains' templates (`<domain>.pot`), read when first used.

    The English is the msgid a translation is looked up by, so code names a text by key alone.
    """

    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        self.directory = directory

    @cached_property
    def _texts(self) -> dict[str, str | tuple[str, str]]:
        texts: dict[str, str | tuple[str, str]] = {}
        for template in sorted(self.directory.glob("*.pot")):
            with template.open("rb") as file:
                for message in read_po(file):
                    if message.id:
                        texts[message.context] = message.id
        return texts

    def text(self, key: str) -> str:
        """The English of a message."""
        english = self._english(key)
        if not isinstance(english, str):
            raise TypeError(f"{key!r} has plural forms: render it with Translator.plural")
        return english

    def forms(self, key: str) -> tuple[str, str]:
        """The singular and the plural of a plural message."""
        english = self._english(key)
        if isinstance(english, str):
            raise TypeError(f"{key!r} has no plural forms: render it by calling the Translator")
        return english

    def has(self, key: str) -> bool:
        return key in self._texts

    def is_plural(self, key: str) -> bool:
        return isinstance(self._english(key), tuple)

    def _english(self, key: str) -> str | tuple[str, str]:
        try:
            return self._texts[key]
        except KeyError:
            domain = key.split("-", 1)[0]
            raise KeyError(f"{key!r} has no English in {self.directory}/{domain}.pot") from None


def locale_for(language_code: str | None) -> str:
    """The locale for Telegram's language_code (`ru`, `uk-UA`, ...): Russian or English."""
    language = (language_code or "").replace("_", "-").split("-")[0].lower()
    return Language.RU.value if language in RUSSIAN_READERS else DEFAULT_LOCALE


def user_locale(*, chosen_language: str | None, language_code: str | None) -> str:
    """The language a user chose in /settings, else the one their Telegram speaks."""
    if chosen_language in set(Language):
        return Language(chosen_language).value
    return locale_for(language_code)


def placeholders(text: str) -> set[str]:
    """The named placeholders of a text (`{ref}` gives `ref`)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def message_key(domain: str, name: str) -> str:
    """The key a text module's NAME stands for: LIST_TITLE in alerts is alerts-list-title."""
    return f"{domain}-{name.strip('_').lower().replace('_', '-')}"


# What every translator and text module reads the English from.
ENGLISH_TEXTS = EnglishTexts()


class Messages:
    """A domain's messages by name: `Messages("alerts").LIST_TITLE` is the message
    `alerts-list-title`. A text module binds it as `texts`, and as its own `__getattr__`, so
    `alerts_texts.LIST_TITLE` elsewhere is the same; a name without English is an AttributeError.
    """

    def __init__(self, domain: str, english: EnglishTexts = ENGLISH_TEXTS) -> None:
        self.domain = domain
        self._english = english

    def __getattr__(self, name: str) -> Message | PluralMessage:
        # Only NAMES are messages: importers and inspect ask modules for __path__, __wrapped__...
        if not name.isupper():
            raise AttributeError(name)
        key = message_key(self.domain, name)
        if not self._english.has(key):
            raise AttributeError(f"{name}: {key!r} has no English in {self.domain}.pot")
        return PluralMessage(key) if self._english.is_plural(key) else Message(key)

    def each(
        self,
        prefix: str,
        names: Iterable[Enum | str],
        elsewhere: Mapping[Any, Message | PluralMessage] | None = None,
    ) -> dict[Any, Message | PluralMessage]:
        """The message `<PREFIX>_<NAME>` (`<NAME>` with no prefix) for each member of an enum or
        each name: a table such as {PeriodProblem.BAD_DATE: texts.PROBLEM_BAD_DATE, ...}.
        Members whose text another feature owns take it from `elsewhere`, in the same order."""
        elsewhere = elsewhere or {}
        table = {}
        for name in names:
            attribute = name.name if isinstance(name, Enum) else name.upper()
            table[name] = elsewhere.get(name) or getattr(
                self, f"{prefix}_{attribute}" if prefix else attribute
            )
        return table


class Translator:
    """Renders messages, numbers and dates for one locale."""

    def __init__(self, locale: str, translations: NullTranslations, english: EnglishTexts) -> None:
        self.locale = locale
        self._babel_locale = Locale.parse(locale)
        self._translations = translations
        self._english = english

    def __call__(self, message: Message, **values: Any) -> str:
        """The message in this locale, its placeholders filled with `values`."""
        english = self._english.text(message.key)
        return self._translations.pgettext(message.key, english).format(**values)

    def unfilled(self, message: Message) -> str:
        """The message in this locale with its placeholders left as `{name}`, for a page's
        script to fill."""
        return self._translations.pgettext(message.key, self._english.text(message.key))

    def plural(self, message: PluralMessage, n: int, **values: Any) -> str:
        """The form of the message for `n`; `n` is also there as the placeholder `{n}`."""
        singular, plural = self._english.forms(message.key)
        text = self._translations.npgettext(message.key, singular, plural, n)
        return text.format(n=self.number(n), **values)

    def number(self, value: int | float | Decimal, *, digits: int | None = None) -> str:
        """12,345.6 in English, 12 345,6 in Russian; `digits` decimals exactly, if given."""
        if digits is None:
            return format_decimal(value, locale=self._babel_locale)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, pattern, locale=self._babel_locale)

    def percent(self, fraction: float | Decimal, *, digits: int = 1) -> str:
        """0.123 as 12.3% in English, 12,3 % in Russian."""
        # The locale's own pattern (where the sign goes, a space before it) with `digits` decimals.
        pattern = self._babel_locale.percent_formats[None].pattern
        if digits:
            pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
        return format_percent(fraction, pattern, locale=self._babel_locale)

    def date(self, day: date, pattern: str = "medium") -> str:
        """Oct 1, 2026 in English, 1 окт. 2026 г. in Russian; or a Babel pattern such as d MMM."""
        return format_date(day, pattern, locale=self._babel_locale)

    def weekday(self, weekday: int) -> str:
        """The short name of a weekday, Monday being 0: Mon in English, пн in Russian."""
        return self._babel_locale.days["format"]["abbreviated"][weekday]

    def month(self, day: date) -> str:
        """The month and year alone, as a chart or a calendar names them (October 2026)."""
        return format_date(day, "LLLL y", locale=self._babel_locale)

    def moment(self, when: datetime) -> str:
        """A day and a time of day in the time zone `when` carries (1 Oct, 14:05)."""
        return format_datetime(when, "d MMM, HH:mm", tzinfo=when.tzinfo, locale=self._babel_locale)


# The source language needs no catalog: for what has no reader yet (a benchmark; the share
# page, until it speaks its owner's language).
ENGLISH = Translator(DEFAULT_LOCALE, NullTranslations(), ENGLISH_TEXTS)


class Catalogs:
    """The compiled catalogs of every domain, merged per locale; a translator for any locale."""

    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        self.directory = directory
        self.translations = {language.value: self._load(language.value) for language in Language}
        english = EnglishTexts(directory)
        self._translators = {
            locale: Translator(locale, translations, english)
            for locale, translations in self.translations.items()
        }

    def _load(self, locale: str) -> NullTranslations:
        catalog_dir = self.directory / locale / "LC_MESSAGES"
        sources = sorted(catalog_dir.glob("*.po"))
        merged: NullTranslations = NullTranslations()
        for po in sources:
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                raise RuntimeError(f"{po} is not compiled (or changed since): run `make catalogs`")
            with mo.open("rb") as file:
                domain = Translations(file, domain=po.stem)
            if isinstance(merged, Translations):
                # Keys start with their domain, so merging never lets one feature hide another's.
                merged.merge(domain)
            else:
                merged = domain
        return merged

    def translator(self, locale: str) -> Translator:
        """The translator for a locale; an unknown locale gets English."""
        return self._translators.get(locale) or self._translators[DEFAULT_LOCALE]
