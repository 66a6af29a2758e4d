"""Fingerprints of posts that survive small edits, and the LSH bands that find them in an index.

A text's fingerprint is a MinHash signature of its word shingles after normalising (links,
mentions, emoji, punctuation and case dropped; Cyrillic and Latin alike); its bands are hashes of
groups of the signature's values, so two texts whose shingle sets overlap well share a band with
high probability. A photo's fingerprint is a pair of 64-bit difference hashes (dHash across and
down, `imagehash`); its bands are hashes of fixed samples of the first one's bits. An original
photo is also hashed as the crops a copier would make, so a cropped copy lands next to one of
them. Candidates that share a band are
verified by the estimated Jaccard similarity or the Hamming distance of both hashes.

Everything here is CPU-bound and pure: services call it in a thread executor.
"""

import hashlib
import io
import random
import re
from collections.abc import Sequence
from itertools import pairwise

import imagehash
import numpy as np
from PIL import Image, UnidentifiedImageError

from services.domain.copies import Fingerprint, FingerprintKind

# MinHash: NUM_PERM values, in TEXT_BANDS bands of TEXT_ROWS (bench/copies.py tunes them).
NUM_PERM = 64
TEXT_BANDS = 21
TEXT_ROWS = 3
# A copy keeps at least this estimated Jaccard similarity of word shingles.
TEXT_THRESHOLD = 0.45
# Shorter texts ("Good morning!") say too little to call anything a copy.
MIN_TEXT_WORDS = 8
# dHash: PHOTO_BANDS samples of PHOTO_SAMPLE_BITS bits each; a copy differs in at most
# PHOTO_THRESHOLD of the PHOTO_BITS bits of both hashes.
PHOTO_BANDS = 16
PHOTO_SAMPLE_BITS = 12
PHOTO_BITS = 128
PHOTO_THRESHOLD = 26
# The crops of an original photo hashed besides the whole: this share off, at these offsets.
CROP_SHARE = 0.1
_CROP_OFFSETS = (0.0, 0.5, 1.0)
# Pillow refuses pictures bigger than this many pixels (decompression bombs).
MAX_PIXELS = 40_000_000

# A Mersenne prime small enough that a·x + b of values below it stays within uint64.
_PRIME = (1 << 31) - 1
_permutations = random.Random(20261202)
_A = np.array([_permutations.randrange(1, _PRIME) for _ in range(NUM_PERM)], dtype=np.uint64)
_B = np.array([_permutations.randrange(0, _PRIME) for _ in range(NUM_PERM)], dtype=np.uint64)
_PHOTO_SAMPLES = tuple(
    tuple(sorted(_permutations.sample(range(64), PHOTO_SAMPLE_BITS))) for _ in range(PHOTO_BANDS)
)

_LINK = re.compile(r"(?:https?://|www\.|t\.me/)\S+|\b\S+\.(?:com|ru|org|net|me|io)\S*", re.I)
_MENTION = re.compile(r"[@#]\w+")
# Letters and digits of any script; emoji, punctuation and symbols fall between the words.
_WORD = re.compile(r"[^\W_]+")


class NotAnImage(ValueError):
    """The bytes are no picture Pillow can read."""


def words(text: str) -> list[str]:
    """The text's words, lower-cased, without links, mentions, emoji or punctuation."""
    text = _MENTION.sub(" ", _LINK.sub(" ", text))
    return _WORD.findall(text.casefold().replace("ё", "е"))


def _shingles(tokens: Sequence[str]) -> set[str]:
    if len(tokens) < 2:
        return set(tokens)
    return {f"{a} {b}" for a, b in pairwise(tokens)}


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _signed(value: int) -> int:
    """A 64-bit value as PostgreSQL's signed bigint holds it."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _band(kind: FingerprintKind, number: int, values: Sequence[int]) -> int:
    payload = f"{kind.value}:{number}:" + ",".join(map(str, values))
    return _signed(_hash64(payload.encode()))


def minhash(text: str) -> tuple[int, ...] | None:
    """The text's MinHash signature; None for a text too short to fingerprint."""
    tokens = words(text)
    if len(tokens) < MIN_TEXT_WORDS:
        return None
    hashes = np.array([_hash64(s.encode()) % _PRIME for s in _shingles(tokens)], dtype=np.uint64)
    # (a·x + b) mod p for every shingle and permutation at once.
    values = (hashes[:, None] * _A + _B) % np.uint64(_PRIME)
    return tuple(int(v) for v in values.min(axis=0))


def text_fingerprint(text: str) -> Fingerprint | None:
    signature = minhash(text)
    if signature is None:
        return None
    bands = tuple(
        _band(FingerprintKind.TEXT, n, signature[n * TEXT_ROWS : (n + 1) * TEXT_ROWS])
        for n in range(TEXT_BANDS)
    )
    return Fingerprint(FingerprintKind.TEXT, 0, signature, bands)


def text_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """The estimated Jaccard similarity of two texts' shingles: the share of equal values."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def _photo_bands(value: int) -> tuple[int, ...]:
    return tuple(
        _band(FingerprintKind.PHOTO, n, [(value >> bit) & 1 for bit in sample])
        for n, sample in enumerate(_PHOTO_SAMPLES)
    )


def _dhashes(image: Image.Image) -> tuple[int, int]:
    return (
        _signed(int(str(imagehash.dhash(image)), 16)),
        _signed(int(str(imagehash.dhash_vertical(image)), 16)),
    )


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise NotAnImage("too many pixels")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise NotAnImage(str(error)) from error
    return image.convert("RGB")


def _crops(image: Image.Image) -> list[Image.Image]:
    width, height = image.size
    cut_x, cut_y = int(width * CROP_SHARE), int(height * CROP_SHARE)
    crops = []
    for fx in _CROP_OFFSETS:
        for fy in _CROP_OFFSETS:
            left, top = int(cut_x * fx), int(cut_y * fy)
            crops.append(image.crop((left, top, left + width - cut_x, top + height - cut_y)))
    return crops


def photo_fingerprints(data: bytes, *, with_crops: bool) -> list[Fingerprint]:
    """The photo's dHash, and with_crops those of its crops too (for originals).

    Raises NotAnImage.
    """
    image = _open(data)
    pictures = [image, *_crops(image)] if with_crops else [image]
    result = []
    for variant, picture in enumerate(pictures):
        values = _dhashes(picture)
        result.append(Fingerprint(FingerprintKind.PHOTO, variant, values, _photo_bands(values[0])))
    return result


def photo_distance(a: Sequence[int], b: Sequence[int]) -> int:
    """Bits that differ between two photos' dHashes (signed bigints)."""
    return sum(((x ^ y) & ((1 << 64) - 1)).bit_count() for x, y in zip(a, b, strict=True))


def photo_similarity(distance: int) -> float:
    """A distance as the share of agreeing bits, shown to users as a percentage."""
    return 1 - distance / PHOTO_BITS


def similarity(kind: FingerprintKind, a: Sequence[int], b: Sequence[int]) -> float | None:
    """How alike two fingerprints of a kind are, or None when they are no copy of each other."""
    if kind is FingerprintKind.TEXT:
        value = text_similarity(a, b)
        return value if value >= TEXT_THRESHOLD else None
    distance = photo_distance(a, b)
    return photo_similarity(distance) if distance <= PHOTO_THRESHOLD else None
