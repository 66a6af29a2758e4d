"""Every text of every feature is in the catalogs, complete in Russian, and renders in both
languages. A new text module (bot/i18n_texts/<domain>.py, services/i18n_texts/<domain>.py) is a
new domain and is checked here without any change to this file."""

import re
import shlex
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po

from services.i18n import LOCALES_DIR, placeholders

ROOT = Path(__file__).resolve().parents[2]
TEXT_MODULE_DIRS = (ROOT / "bot" / "i18n_texts", ROOT / "services" / "i18n_texts")
TRANSLATED_LOCALES = ("ru",)
SAMPLE = "42"  # every placeholder's value: a number reads the same in any language
# Latin words a Russian text may keep: names, units and literal examples stay as they are.
NAMES_AND_UNITS = frozenset(
    {"AnalyticBot", "Telegram", "Stars", "Stripe", "ERR", "CSV", "UTC", "PNG", "JPEG", "URL"}
    # the spreadsheets an export opens in, and its encoding
    | {"Excel", "Google", "Sheets", "Numbers", "UTF"}
    | {"WebP"}
    # where webhooks go, and the specification they follow
    | {"HubSpot", "Salesforce", "Zapier", "Make", "JSON", "Standard", "Webhooks", "HTTP"}
    # the REST API keeps its name in Russian too
    | {"API", "CRM"}
)


def _domains() -> dict[str, list[Path]]:
    """Each domain's text modules, by the module name they share."""
    modules: dict[str, list[Path]] = {}
    for directory in TEXT_MODULE_DIRS:
        for module in sorted(directory.glob("*.py")):
            if module.name != "__init__.py":
                modules.setdefault(module.stem, []).append(module)
    return modules


def _keywords() -> dict:
    """The extraction keywords `make catalogs-extract` uses, read from the Makefile."""
    line = next(
        line
        for line in (ROOT / "Makefile").read_text().splitlines()
        if line.startswith("BABEL_KEYWORDS")
    )
    words = shlex.split(line.split(":=", 1)[1])
    return parse_keywords([words[i + 1] for i, word in enumerate(words) if word == "-k"])


def _in_code(modules: list[Path]) -> dict[tuple[str, str], str | tuple[str, ...]]:
    """(key, English) of every message the domain's modules declare."""
    found = {}
    for module in modules:
        for _, message, _, context in extract_from_file(
            "python", str(module), keywords=_keywords()
        ):
            singular = message[0] if isinstance(message, tuple) else message
            found[(context, singular)] = message
    return found


def _catalog(domain: str, locale: str) -> Catalog:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path} is missing: run `make catalogs-update` and translate it"
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _render(text: str) -> str:
    return text.format(**dict.fromkeys(placeholders(text), SAMPLE))


def _english_words(rendered: str) -> set[str]:
    """Latin words outside code examples, commands, @usernames and tags."""
    text = re.sub(r"<code>.*?</code>", " ", rendered, flags=re.S)
    text = re.sub(r"<[^>]+>|[/@][\w\[\]|]+", " ", text)
    return set(re.findall(r"[A-Za-z]{2,}", text)) - NAMES_AND_UNITS


DOMAINS = _domains()
CASES = [
    pytest.param(domain, locale, id=f"{domain}-{locale}")
    for domain in DOMAINS
    for locale in TRANSLATED_LOCALES
]


def test_every_catalog_has_its_text_module() -> None:
    for locale in TRANSLATED_LOCALES:
        catalogs = {po.stem for po in (LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")}
        assert catalogs <= DOMAINS.keys(), "a catalog whose feature has no text module"


@pytest.mark.parametrize(("domain", "locale"), CASES)
def test_the_catalog_holds_exactly_the_messages_in_code(domain: str, locale: str) -> None:
    in_code = _in_code(DOMAINS[domain])
    catalog = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0])
        for m in _catalog(domain, locale)
        if m.id
    }

    assert sorted(set(in_code) - catalog) == [], "in code but not in the catalog"
    assert sorted(catalog - set(in_code)) == [], "in the catalog but no longer in code"
    assert [key for key, _ in in_code if not key.startswith(f"{domain}-")] == [], (
        f"keys must start with {domain}-, so merged domains never collide"
    )


@pytest.mark.parametrize(("domain", "locale"), CASES)
def test_every_message_is_translated_and_renders(domain: str, locale: str) -> None:
    catalog = _catalog(domain, locale)
    for message in catalog:
        if not message.id:
            continue
        english = list(message.id) if isinstance(message.id, tuple) else [message.id]
        forms = _forms(message)
        where = f"{domain}.po {message.context!r}"
        assert not message.fuzzy, f"{where} is fuzzy: check the translation, drop the flag"
        assert len(forms) == (catalog.num_plurals if message.pluralizable else 1), where
        assert all(forms), f"{where} is not translated"
        wanted = placeholders(english[-1])
        for form in forms:
            # A plural form may leave out {n} ("one subscriber"), never add a name.
            got = placeholders(form)
            assert got <= wanted if message.pluralizable else got == wanted, (
                f"{where}: placeholders {sorted(got)} instead of {sorted(wanted)}"
            )
            for text in (*english, form):
                _render(text)
            assert _english_words(_render(form)) == set(), f"{where} has English words"
