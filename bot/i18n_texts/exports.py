"""/export and the export buttons under /stats: progress, the files' caption, refusals."""

from html import escape

from bot.i18n_texts.stats import period_range
from services.exports import ChannelExport, CsvLayout, ExportKind, ExportTooLarge
from services.i18n import Messages, Translator
from services.i18n_texts import sources as sources_texts

# texts.NAME here, exports_texts.NAME elsewhere: the message exports-name, its English in
# services/locales/exports.pot.
texts = Messages("exports")
__getattr__ = texts.__getattr__

KIND_NAMES = texts.each(
    "KIND", ExportKind, elsewhere={ExportKind.SOURCES: sources_texts.EXPORT_KIND}
)
LAYOUT_NOTES = texts.each("LAYOUT_NOTES", CsvLayout)


def progress(t: Translator, kind: ExportKind, rows: int) -> str:
    return t.plural(texts.PROGRESS, rows, kind=t(KIND_NAMES[kind]))


def caption(t: Translator, export: ChannelExport) -> str:
    posts = export.file(ExportKind.POSTS).rows
    files = t.plural(
        texts.CAPTION,
        posts,
        title=escape(export.channel.title),
        period=period_range(t, export.period),
    )
    return files + "\n" + t(LAYOUT_NOTES[export.layout])


def too_large(t: Translator, error: ExportTooLarge) -> str:
    megabytes = t.number(error.max_bytes / 1024 / 1024, digits=0)
    return t(texts.TOO_LARGE, kind=t(KIND_NAMES[error.kind]), megabytes=megabytes)
