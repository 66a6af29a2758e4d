"""Names of the sources of subscribers, wherever they show: chat, charts, CSV exports, alerts."""

from services.domain.sources import SourceKind
from services.i18n import Message, Messages, Translator
from services.i18n_texts.exports import JOINS_LEAVES_HEADER

# texts.NAME here, sources_texts.NAME elsewhere: the message sources-name, its English in
# services/locales/sources.pot.
texts = Messages("sources")
__getattr__ = texts.__getattr__

SOURCE_NAMES = texts.each(
    "KIND", (SourceKind.FOLDER, SourceKind.REQUEST, SourceKind.ORGANIC, SourceKind.UNKNOWN)
)


# The day, joins and leaves are named as in the joins and leaves file.
_DAY, _JOINS, _LEAVES, _ = JOINS_LEAVES_HEADER
DAILY_HEADER = (_DAY, Message("sources-csv-source"), _JOINS, _LEAVES)


def source_label(t: Translator, kind: SourceKind, link_name: str | None) -> str:
    """A source by its link's name (or shortened URL), or by what kind of source it is."""
    if kind is SourceKind.LINK:
        return link_name or t(texts.UNNAMED_LINK)
    return t(SOURCE_NAMES[kind])


def source_names(t: Translator) -> dict[str, str]:
    """Each kind of source but links (named by their own names), by its stored value."""
    return {kind.value: t(name) for kind, name in SOURCE_NAMES.items()}
