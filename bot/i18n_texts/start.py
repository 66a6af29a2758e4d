"""/start and /help."""

from services.i18n import Messages, Translator

# texts.NAME here, start_texts.NAME elsewhere: the message start-name, its English in
# services/locales/start.pot.
texts = Messages("start")
__getattr__ = texts.__getattr__

# /help's lines in order; a line belongs to the command its name starts with.
HELP_LINES = texts.each(
    "HELP",
    """channels add remove stats export share shares links insights score plan alerts
    alerts_history settings webhooks api watch check compare watermark subscribe cancel billing
    help""".split(),  # noqa: SIM905 (names, as words)
)


def help_text(t: Translator, switched_off: frozenset[str]) -> str:
    """/help: the commands of the features that are on, and what to expect of the bot."""
    lines = [t(texts.HELP_TITLE)]
    lines += [
        t(line) for name, line in HELP_LINES.items() if name.split("_")[0] not in switched_off
    ]
    paragraphs = ["\n".join(lines), t(texts.HELP_PRIVACY)]
    if "watermark" not in switched_off:
        paragraphs.append(t(texts.HELP_PHOTOS))
    return "\n\n".join(paragraphs)
