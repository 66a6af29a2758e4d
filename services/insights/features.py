"""What is known about a post before it is published, as the model's features.

The slot (hour and weekday in the owner's time zone), the media kind, the text's length, links,
hashtags, mentions, emoji, a question, and the words themselves: hashed word and character
n-grams, which need no vocabulary and work for Russian and English alike.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sparse
from sklearn.feature_extraction.text import HashingVectorizer

HOURS_PER_BLOCK = 3  # slots are 0–2 h, 3–5 h, ..., 21–23 h
HOUR_BLOCKS = 24 // HOURS_PER_BLOCK
LONG_TEXT_CHARS = 1000
# The media kinds a claim may name; anything else counts as "other media".
MEDIA_KINDS = ("photo", "video", "animation", "document", "audio", "voice", "poll", "mixed")
FLAGS = ("long_text", "link", "hashtag", "mention", "emoji", "question")

_LINK = re.compile(r"https?://|t\.me/|www\.", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_MENTION = re.compile(r"(?<!\w)@\w{4,}")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b55]")
_WORD = re.compile(r"[^\W\d_]{4,}")
# The n-grams of a long text say little more than those of its start, and cost time.
_WORD_NGRAM_CHARS = 500
_CHAR_NGRAM_CHARS = 150

_WORDS = HashingVectorizer(
    analyzer="word",
    ngram_range=(1, 2),
    n_features=2**16,
    alternate_sign=False,
    token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
)
_CHARS = HashingVectorizer(
    analyzer="char", ngram_range=(3, 4), n_features=2**16, alternate_sign=False
)


@dataclass(frozen=True)
class PostFacts:
    """A post (or a draft) as the model sees it: its local publication time and content."""

    local_time: datetime  # in the owner's time zone
    text: str
    media_kind: str | None


def hour_block(hour: int) -> int:
    return hour // HOURS_PER_BLOCK


def media_of(media_kind: str | None) -> str | None:
    """The media kind a claim names: None for a text post, "other" for the rare kinds."""
    if not media_kind:
        return None
    return media_kind if media_kind in MEDIA_KINDS else "other"


def flags_of(text: str) -> dict[str, bool]:
    return {
        "long_text": len(text) > LONG_TEXT_CHARS,
        "link": bool(_LINK.search(text)),
        "hashtag": bool(_HASHTAG.search(text)),
        "mention": bool(_MENTION.search(text)),
        "emoji": bool(_EMOJI.search(text)),
        "question": "?" in text,
    }


def words_of(text: str) -> set[str]:
    """The words a claim may name: letters only, four or more of them, lower case."""
    return {word.lower() for word in _WORD.findall(text)}


def structured_names() -> list[str]:
    """The columns of the structured features, in order."""
    return (
        [f"hours:{block}" for block in range(HOUR_BLOCKS)]
        + [f"weekday:{day}" for day in range(7)]
        + [f"media:{kind}" for kind in (*MEDIA_KINDS, "other")]
        + list(FLAGS)
    )


_COLUMN = {name: index for index, name in enumerate(structured_names())}


def structured_matrix(posts: Sequence[PostFacts]) -> np.ndarray:
    """One row of 0/1 per post: its slot, weekday, media kind and flags."""
    matrix = np.zeros((len(posts), len(_COLUMN)))
    for row, post in enumerate(posts):
        matrix[row, _COLUMN[f"hours:{hour_block(post.local_time.hour)}"]] = 1
        matrix[row, _COLUMN[f"weekday:{post.local_time.weekday()}"]] = 1
        if (media := media_of(post.media_kind)) is not None:
            matrix[row, _COLUMN[f"media:{media}"]] = 1
        for flag, present in flags_of(post.text).items():
            matrix[row, _COLUMN[flag]] = float(present)
    return matrix


def model_matrix(
    posts: Sequence[PostFacts], structured: np.ndarray | None = None
) -> sparse.csr_matrix:
    """The prediction model's features: the structured ones (given, if computed already), then
    the hashed n-grams."""
    texts = [post.text for post in posts]
    if structured is None:
        structured = structured_matrix(posts)
    return sparse.hstack(
        [
            sparse.csr_matrix(structured),
            _WORDS.transform([text[:_WORD_NGRAM_CHARS] for text in texts]),
            _CHARS.transform([text[:_CHAR_NGRAM_CHARS] for text in texts]),
        ],
        format="csr",
    )
