"""Fingerprints: what a text's normalising drops, and how copies and other posts compare."""

import random

import pytest
from copies_corpus import copied_picture, picture

from services.fingerprints import (
    NotAnImage,
    photo_fingerprints,
    similarity,
    text_fingerprint,
    words,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Ёжик В ТУМАНЕ! Смотрите https://t.me/films/12 и @kino 🎬🎬",
            ["ежик", "в", "тумане", "смотрите", "и"],
            id="cyrillic",
        ),
        pytest.param(
            "Hello, WORLD... see www.example.com/page #news 👋",
            ["hello", "world", "see"],
            id="latin",
        ),
    ],
)
def test_words_drop_links_mentions_emoji_punctuation_and_case(text, expected) -> None:
    assert words(text) == expected


def test_a_text_too_short_has_no_fingerprint() -> None:
    assert text_fingerprint("Good morning, everyone! ☀️") is None


def test_an_edited_copy_matches_and_another_text_does_not() -> None:
    original = text_fingerprint(
        "The new bakery on Main Street opens on Monday with sourdough, rye and sweet buns, "
        "and the first hundred visitors get a free coffee"
    )
    copy = text_fingerprint(
        "🔥 The new bakery on Main Street opens on Monday with sourdough, rye and sweet rolls, "
        "and the first hundred guests get a free coffee https://t.me/thief"
    )
    other = text_fingerprint(
        "Tomorrow's match starts at seven; the coach names the team in the morning and tickets "
        "are still on sale at the stadium"
    )
    assert original and copy and other
    assert set(original.bands) & set(copy.bands)
    assert similarity(original.kind, original.signature, copy.signature) is not None
    assert similarity(original.kind, original.signature, other.signature) is None


def test_a_cropped_reencoded_photo_matches_one_of_the_originals_crops() -> None:
    data = picture(random.Random(21))
    originals = photo_fingerprints(data, with_crops=True)
    (copy,) = photo_fingerprints(copied_picture(data, random.Random(22)), with_crops=False)
    (other,) = photo_fingerprints(picture(random.Random(23)), with_crops=False)
    assert len(originals) == 10
    assert any(similarity(copy.kind, o.signature, copy.signature) for o in originals)
    assert not any(similarity(other.kind, o.signature, other.signature) for o in originals)


def test_what_is_no_image_is_refused() -> None:
    with pytest.raises(NotAnImage):
        photo_fingerprints(b"<html>not a picture</html>", with_crops=False)
