"""Every text of every feature has its English in the domain's template, is complete in Russian,
and renders in both languages. A new text module (bot/i18n_texts/<domain>.py,
services/i18n_texts/<domain>.py) is a new domain and is checked here without any change to this
file."""

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.catalog import Message as CatalogMessage
from babel.messages.pofile import read_po

from services.i18n import LOCALES_DIR, Message, PluralMessage, message_key, placeholders

ROOT = Path(__file__).resolve().parents[2]
TEXT_MODULE_DIRS = (ROOT / "bot" / "i18n_texts", ROOT / "services" / "i18n_texts")
TEXT_PACKAGES = ("bot.i18n_texts", "services.i18n_texts")
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


def _module_name(module: Path) -> str:
    return ".".join(module.relative_to(ROOT).with_suffix("").parts)


@cache
def _defined_in_modules(domain: str) -> set[str]:
    """What a domain's text modules define themselves: tables, functions, imports other than
    messages (a message one module imports from the other is still that message)."""
    return {
        name
        for module in DOMAINS[domain]
        for name, value in vars(importlib.import_module(_module_name(module))).items()
        if not isinstance(value, Message | PluralMessage)
    }


def _text_modules(node: ast.AST) -> dict[str, str]:
    """The names a source file binds to a domain's messages, with the domain of each: `from
    bot.i18n_texts import alerts as texts`, and a text module's own `texts = Messages(...)`."""
    bound = {}
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and child.module in TEXT_PACKAGES:
            bound |= {alias.asname or alias.name: alias.name for alias in child.names}
        elif (
            isinstance(child, ast.Assign)
            and isinstance(child.value, ast.Call)
            and isinstance(child.value.func, ast.Name)
            and child.value.func.id == "Messages"
        ):
            bound |= {target.id: child.value.args[0].value for target in child.targets}
    return bound


def _code_files() -> list[Path]:
    """The bot's and the services' code, but for services/i18n.py, which makes messages by key."""
    files = (ROOT / "bot").rglob("*.py"), (ROOT / "services").rglob("*.py")
    return sorted(p for group in files for p in group if p != ROOT / "services" / "i18n.py")


def _messages_named_in_code() -> dict[str, set[str]]:
    """Each domain's keys that the bot and the services name: by attribute (`texts.LIST_TITLE`,
    `alerts_texts.LIST_TITLE`), by import from a text module, as `Message("<key>")`, or in a text
    module's tables. A name a text module defines itself (a table, a function) is not a message."""
    named: dict[str, set[str]] = {}

    def name(domain: str, attribute: str) -> None:
        if attribute.isupper() and attribute not in _defined_in_modules(domain):
            named.setdefault(domain, set()).add(message_key(domain, attribute))

    for source in _code_files():
        tree = ast.parse(source.read_text())
        bound = _text_modules(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id in bound:
                    name(bound[node.value.id], node.attr)
            elif isinstance(node, ast.ImportFrom) and node.module:
                package, _, domain = node.module.rpartition(".")
                if package in TEXT_PACKAGES:
                    for alias in node.names:
                        name(domain, alias.name)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("Message", "PluralMessage")
            ):
                (key,) = node.args
                assert isinstance(key, ast.Constant), f"{source}:{node.lineno}: a key in quotes"
                named.setdefault(key.value.split("-", 1)[0], set()).add(key.value)
    for modules in DOMAINS.values():
        for module in modules:
            for value in vars(importlib.import_module(_module_name(module))).values():
                for key in _messages_in(value):  # a table may hold another domain's message
                    named.setdefault(key.split("-", 1)[0], set()).add(key)
    return named


def _messages_in(value: object) -> set[str]:
    """The keys of the messages in a text module's table (`texts.each(...)`, nested tuples)."""
    if isinstance(value, Message | PluralMessage):
        return {value.key}
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple | set | frozenset):
        return {key for item in value for key in _messages_in(item)}
    return set()


def _template(domain: str) -> Catalog:
    path = LOCALES_DIR / f"{domain}.pot"
    assert path.exists(), f"{path} is missing: it holds the English of the domain's texts"
    with path.open("rb") as file:
        return read_po(file)


def _entries(catalog: Catalog) -> set[tuple[str, str | tuple[str, ...]]]:
    """(key, English) of every message of a template or a translation."""
    return {(m.context, m.id) for m in catalog if m.id}


def _catalog(domain: str, locale: str) -> Catalog:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path} is missing: run `make catalogs-update` and translate it"
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _forms(message: CatalogMessage) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _render(text: str) -> str:
    return text.format(**dict.fromkeys(placeholders(text), SAMPLE))


def _english_words(rendered: str) -> set[str]:
    """Latin words outside code examples, commands, @usernames and tags."""
    text = re.sub(r"<code>.*?</code>", " ", rendered, flags=re.S)
    text = re.sub(r"<[^>]+>|[/@][\w\[\]|]+", " ", text)
    return set(re.findall(r"[A-Za-z]{2,}", text)) - NAMES_AND_UNITS


DOMAINS = _domains()
NAMED_IN_CODE = _messages_named_in_code()
CASES = [
    pytest.param(domain, locale, id=f"{domain}-{locale}")
    for domain in DOMAINS
    for locale in TRANSLATED_LOCALES
]


def test_every_catalog_has_its_text_module() -> None:
    templates = {pot.stem for pot in LOCALES_DIR.glob("*.pot")}
    assert templates == DOMAINS.keys(), "a text module without a template, or the other way"
    for locale in TRANSLATED_LOCALES:
        catalogs = {po.stem for po in (LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")}
        assert catalogs == DOMAINS.keys(), f"{locale}: run `make catalogs-update` and translate"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_exactly_the_messages_in_code(domain: str) -> None:
    in_code = NAMED_IN_CODE.get(domain, set())
    template = {m.context for m in _template(domain) if m.id}

    assert sorted(in_code - template) == [], "named in code but without English in the template"
    assert sorted(template - in_code) == [], "in the template but no longer named in code"
    assert [key for key in template if not key.startswith(f"{domain}-")] == [], (
        f"keys must start with {domain}-, so merged domains never collide"
    )


def test_a_message_named_in_a_table_says_whether_it_has_plural_forms() -> None:
    """`Message("<key>")` in a table is explicit; a name's kind comes from the template."""
    for domain in DOMAINS:
        plural = {m.context: m.pluralizable for m in _template(domain) if m.id}
        for source in DOMAINS[domain]:
            for node in ast.walk(ast.parse(source.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                    "Message",
                    "PluralMessage",
                ):
                    key = node.args[0].value
                    assert plural[key] == (node.func.id == "PluralMessage"), f"{source}: {key}"


@pytest.mark.parametrize(("domain", "locale"), CASES)
def test_the_translation_follows_the_templates_english(domain: str, locale: str) -> None:
    template = _entries(_template(domain))
    translation = _entries(_catalog(domain, locale))

    assert sorted(template - translation, key=str) == [], "run `make catalogs-update`"
    assert sorted(translation - template, key=str) == [], "run `make catalogs-update`"


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
