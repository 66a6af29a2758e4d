"""Names of the sources of subscribers, wherever they show: chat, charts, CSV exports, alerts."""

from services.domain.sources import SourceKind
from services.i18n import Message, Translator
from services.i18n_texts.exports import JOINS_LEAVES_HEADER

SOURCE_NAMES = {
    SourceKind.FOLDER: Message("sources-kind-folder", "📁 Chat folder links"),
    SourceKind.REQUEST: Message("sources-kind-request", "🙋 Join requests"),
    SourceKind.ORGANIC: Message(
        "sources-kind-organic", "🌱 No link (search, the username, forwarded posts)"
    ),
    SourceKind.UNKNOWN: Message("sources-kind-unknown", "❔ Joined before tracking began"),
}
UNNAMED_LINK = Message("sources-kind-unnamed-link", "🔗 A link without a name")

CHART_TITLE = Message("sources-chart-title", "Joins by source")
CHART_NO_JOINS = Message("sources-chart-no-joins", "No joins in this period")
CHART_OTHER = Message("sources-chart-other", "Other")

EXPORT_KIND = Message("sources-export-kind", "daily joins by source")
# The day, joins and leaves are named as in the joins and leaves file.
_DAY, _JOINS, _LEAVES, _ = JOINS_LEAVES_HEADER
DAILY_HEADER = (_DAY, Message("sources-csv-source", "Source"), _JOINS, _LEAVES)


def source_label(t: Translator, kind: SourceKind, link_name: str | None) -> str:
    """A source by its link's name (or shortened URL), or by what kind of source it is."""
    if kind is SourceKind.LINK:
        return link_name or t(UNNAMED_LINK)
    return t(SOURCE_NAMES[kind])


def source_names(t: Translator) -> dict[str, str]:
    """Each kind of source but links (named by their own names), by its stored value."""
    return {kind.value: t(name) for kind, name in SOURCE_NAMES.items()}
