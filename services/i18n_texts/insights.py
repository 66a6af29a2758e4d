"""What an insight claims, named: shared by the chat, the weekly digest and the figures a
language model is given (in English)."""

from services.i18n import Message, Translator
from services.insights.features import HOURS_PER_BLOCK

MEDIA = {
    "photo": Message("insights-feature-photo", "posts with a photo"),
    "video": Message("insights-feature-video", "posts with a video"),
    "animation": Message("insights-feature-animation", "posts with a GIF"),
    "document": Message("insights-feature-document", "posts with a file"),
    "audio": Message("insights-feature-audio", "posts with audio"),
    "voice": Message("insights-feature-voice", "posts with a voice message"),
    "poll": Message("insights-feature-poll", "polls"),
    "mixed": Message("insights-feature-mixed", "mixed albums"),
    "other": Message("insights-feature-other-media", "posts with other media"),
}
FLAGS = {
    "long_text": Message("insights-feature-long-text", "texts over 1,000 characters"),
    "link": Message("insights-feature-link", "posts with a link"),
    "hashtag": Message("insights-feature-hashtag", "posts with a hashtag"),
    "mention": Message("insights-feature-mention", "posts mentioning a channel or a person"),
    "emoji": Message("insights-feature-emoji", "posts with emoji"),
    "question": Message("insights-feature-question", "posts asking a question"),
}
HOURS = Message("insights-feature-hours", "posts published {first}–{last} h")
WEEKDAY = Message("insights-feature-weekday", "posts published on {weekday}")
WORD = Message("insights-feature-word", "posts with the word «{word}»")


def feature_label(t: Translator, feature: str) -> str:
    """ "media:photo" as "posts with a photo", "hours:6" as "posts published 18–20 h", ..."""
    kind, _, value = feature.partition(":")
    if kind == "media":
        return t(MEDIA.get(value, MEDIA["other"]))
    if kind == "hours":
        first = int(value) * HOURS_PER_BLOCK
        return t(HOURS, first=first, last=first + HOURS_PER_BLOCK - 1)
    if kind == "weekday":
        return t(WEEKDAY, weekday=t.weekday(int(value)))
    if kind == "word":
        return t(WORD, word=value)
    return t(FLAGS[feature])
