"""/export and the export buttons under /stats: progress, the files' caption, refusals."""

from html import escape

from bot.i18n_texts.stats import period_range
from services.exports import ChannelExport, CsvLayout, ExportKind, ExportTooLarge
from services.i18n import Message, PluralMessage, Translator
from services.i18n_texts import sources as sources_texts

EXCEL_BUTTON = Message("exports-excel-button", "📊 Excel (Russian)")
USAGE = Message(
    "exports-usage",
    "\n\nFor example:\n<code>/export</code> — the last 30 days\n"
    "<code>/export @yourchannel 7d</code>\n"
    "<code>/export from 2026-10-01 to 2026-10-31</code>\n"
    "<code>/export @yourchannel 30d excel</code> — for Excel with Russian settings",
)
KIND_NAMES = {
    ExportKind.POSTS: Message("exports-kind-posts", "posts"),
    ExportKind.SUBSCRIBERS: Message("exports-kind-subscribers", "daily subscribers"),
    ExportKind.JOINS_LEAVES: Message("exports-kind-joins-leaves", "daily joins and leaves"),
    ExportKind.SOURCES: sources_texts.EXPORT_KIND,
}
PROGRESS = PluralMessage(
    "exports-progress", "⏳ Preparing {kind}… {n} row", "⏳ Preparing {kind}… {n} rows"
)
DONE = Message("exports-done", "✅ Done. Your files are below.")
CAPTION = PluralMessage(
    "exports-caption",
    "📄 <b>{title}</b> · {period}: {n} post, daily subscribers, daily joins and leaves.",
    "📄 <b>{title}</b> · {period}: {n} posts, daily subscribers, daily joins and leaves.",
)
LAYOUT_NOTES = {
    CsvLayout.STANDARD: Message(
        "exports-csv-note", "CSV in UTF-8: opens in Excel, Google Sheets and Numbers."
    ),
    CsvLayout.EXCEL_RU: Message(
        "exports-excel-note",
        "For Excel with Russian settings: columns split by semicolons, decimal commas, "
        "dates as 31.10.2026.",
    ),
}
TOO_LARGE = Message(
    "exports-too-large",
    "📦 The {kind} file would be larger than {megabytes} MB, more than I can send. "
    "Try a shorter period.",
)


def progress(t: Translator, kind: ExportKind, rows: int) -> str:
    return t.plural(PROGRESS, rows, kind=t(KIND_NAMES[kind]))


def caption(t: Translator, export: ChannelExport) -> str:
    posts = export.file(ExportKind.POSTS).rows
    files = t.plural(
        CAPTION, posts, title=escape(export.channel.title), period=period_range(t, export.period)
    )
    return files + "\n" + t(LAYOUT_NOTES[export.layout])


def too_large(t: Translator, error: ExportTooLarge) -> str:
    megabytes = t.number(error.max_bytes / 1024 / 1024, digits=0)
    return t(TOO_LARGE, kind=t(KIND_NAMES[error.kind]), megabytes=megabytes)
