"""What an insight claims, named: shared by the chat, the weekly digest and the figures a
language model is given (in English)."""

from services.i18n import Messages, Translator
from services.insights.features import HOURS_PER_BLOCK

# texts.NAME here, insights_texts.NAME elsewhere: the message insights-name, its English in
# services/locales/insights.pot.
texts = Messages("insights")
__getattr__ = texts.__getattr__

MEDIA = texts.each(
    "MEDIA",
    "photo video animation document audio voice poll mixed other".split(),  # noqa: SIM905 (names, as words)
)
FLAGS = texts.each(
    "FEATURE",
    "long_text link hashtag mention emoji question".split(),  # noqa: SIM905 (names, as words)
)


def feature_label(t: Translator, feature: str) -> str:
    """ "media:photo" as "posts with a photo", "hours:6" as "posts published 18–20 h", ..."""
    kind, _, value = feature.partition(":")
    if kind == "media":
        return t(MEDIA.get(value, MEDIA["other"]))
    if kind == "hours":
        first = int(value) * HOURS_PER_BLOCK
        return t(texts.HOURS, first=first, last=first + HOURS_PER_BLOCK - 1)
    if kind == "weekday":
        return t(texts.WEEKDAY, weekday=t.weekday(int(value)))
    if kind == "word":
        return t(texts.WORD, word=value)
    return t(FLAGS[feature])
