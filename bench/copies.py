"""Copy detection: recall and precision on a generated corpus, and one lookup among 1,000,000
stored fingerprints through the band index against a plain scan of them.

The corpus: originals (texts of 25-70 words, Russian and English, and pictures of shapes), their
copies (a tenth of the words changed, emoji and links added or removed; photos re-encoded as JPEG
at quality 60, resized to half, 10 % cropped, a small watermark added) and unrelated posts. Each
copy and each unrelated post is looked up among the originals as the bot looks up a watched post:
candidates sharing a band, verified against the thresholds. Goal: recall >= 95 % at precision
>= 99 %.

The lookup timing stores 1,000,000 fingerprints with COPY (the corpus's originals among random
ones) and times finding a copy's original through the GIN index of bands, against fetching every
stored fingerprint of the kind and verifying each, in the same process. Uses DATABASE_URL's
server (in a database of its own, dropped after) or an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from copies_corpus import ENGLISH, copied_picture, copied_text, picture, post_text
from helpers import create_database, drop_database

from db.copies import FingerprintsRepository
from db.embedded import EmbeddedPostgres
from db.migrate import migrate
from db.pool import create_pool
from services.domain.copies import Fingerprint, FingerprintKind
from services.fingerprints import (
    photo_fingerprints,
    similarity,
    text_fingerprint,
)

ORIGINALS = 400
PHOTO_ORIGINALS = 150
STORED = 1_000_000
LOOKUPS = 20
NOW = datetime.now(UTC).replace(microsecond=0)


def _match(query: Fingerprint, stored: list[tuple[int, Fingerprint]]) -> int | None:
    """The stored original the query is a copy of, as the index finds it: a shared band, then
    the threshold; the most similar wins."""
    bands = set(query.bands)
    best: tuple[float, int] | None = None
    for original, fingerprint in stored:
        if fingerprint.kind is not query.kind or not bands.intersection(fingerprint.bands):
            continue
        score = similarity(query.kind, query.signature, fingerprint.signature)
        if score is not None and (best is None or score > best[0]):
            best = (score, original)
    return best[1] if best else None


def _report(kind: str, copies: int, found: int, wrong: int) -> tuple[float, float]:
    recall = found / copies
    precision = found / (found + wrong) if found + wrong else 1.0
    print(
        f"{kind}: recall {recall:.1%} ({found}/{copies}), precision {precision:.1%} "
        f"({wrong} false matches among {copies} copies and as many unrelated posts)"
    )
    return recall, precision


def accuracy(r: random.Random) -> tuple[list[tuple[int, Fingerprint]], list[Fingerprint]]:
    """Recall and precision printed; returns the originals' fingerprints and the copies'."""
    texts = [post_text(r) for _ in range(ORIGINALS)]
    stored = [(n, fp) for n, text in enumerate(texts) if (fp := text_fingerprint(text))]
    found = wrong = 0
    queries = []
    for n, text in enumerate(texts):
        copy = text_fingerprint(copied_text(text, r))
        assert copy is not None
        queries.append(copy)
        matched = _match(copy, stored)
        found += matched == n
        wrong += matched is not None and matched != n
        unrelated = text_fingerprint(post_text(r))
        wrong += unrelated is not None and _match(unrelated, stored) is not None
    text_scores = _report("texts", ORIGINALS, found, wrong)

    pictures = [picture(r) for _ in range(PHOTO_ORIGINALS)]
    photos = [
        (ORIGINALS + n, fp)
        for n, data in enumerate(pictures)
        for fp in photo_fingerprints(data, with_crops=True)
    ]
    found = wrong = 0
    for n, data in enumerate(pictures):
        (copy,) = photo_fingerprints(copied_picture(data, r), with_crops=False)
        queries.append(copy)
        matched = _match(copy, photos)
        found += matched == ORIGINALS + n
        wrong += matched is not None and matched != ORIGINALS + n
        (unrelated,) = photo_fingerprints(picture(r), with_crops=False)
        wrong += _match(unrelated, photos) is not None
    photo_scores = _report("photos", PHOTO_ORIGINALS, found, wrong)
    goal = all(
        recall >= 0.95 and precision >= 0.99 for recall, precision in (text_scores, photo_scores)
    )
    print(f"goal (recall >= 95 % at precision >= 99 %): {'met' if goal else 'NOT met'}")
    return stored + photos, queries


def _random_fingerprint(r: random.Random, kind: FingerprintKind) -> Fingerprint:
    """A filler fingerprint: random values in the shape of the kind's real ones."""
    if kind is FingerprintKind.TEXT:
        template = text_fingerprint(" ".join(r.choice(ENGLISH) for _ in range(30)))
        assert template is not None
        return Fingerprint(
            kind,
            0,
            tuple(r.randrange(1 << 31) for _ in template.signature),
            tuple(r.randrange(-(1 << 63), 1 << 63) for _ in template.bands),
        )
    (template,) = photo_fingerprints(picture(r), with_crops=False)
    return Fingerprint(
        kind,
        0,
        (r.randrange(-(1 << 63), 1 << 63),),
        tuple(r.randrange(-(1 << 63), 1 << 63) for _ in template.bands),
    )


async def lookup_speed(pool, originals: list[tuple[int, Fingerprint]], queries, r) -> None:
    repository = FingerprintsRepository(pool)
    channel_id = -1001
    await pool.execute(
        "INSERT INTO channels (id, title, username) VALUES ($1, 'Bench', 'bench')", channel_id
    )
    rows = [(channel_id, n, NOW, fp) for n, fp in originals]
    filler = STORED - len(rows)
    started = time.perf_counter()
    # Fillers: random values shaped like the real ones, three texts to one photo.
    templates = {
        kind: _random_fingerprint(r, kind) for kind in (FingerprintKind.TEXT, FingerprintKind.PHOTO)
    }
    for n in range(filler):
        kind = FingerprintKind.PHOTO if n % 4 == 0 else FingerprintKind.TEXT
        size = len(templates[kind].signature)
        rows.append(
            (
                channel_id,
                1_000_000 + n,
                NOW,
                Fingerprint(
                    kind,
                    0,
                    tuple(r.randrange(1 << 31) for _ in range(size))
                    if kind is FingerprintKind.TEXT
                    else (r.randrange(-(1 << 63), 1 << 63),),
                    tuple(r.randrange(-(1 << 63), 1 << 63) for _ in templates[kind].bands),
                ),
            )
        )
    print(f"generated {len(rows):,} fingerprints in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    await repository.copy_tracked(rows)
    await pool.execute("ANALYZE post_fingerprints")
    print(f"stored with COPY in {time.perf_counter() - started:.0f} s")

    async def indexed(query: Fingerprint):
        return await repository.candidates(kind=query.kind, bands=query.bands, channel_ids=None)

    async def scanned(query: Fingerprint):
        return await repository.every_fingerprint(kind=query.kind, channel_ids=None)

    timings = {}
    for name, lookup in (("band index", indexed), ("plain scan", scanned)):
        durations = []
        for query in queries[:LOOKUPS]:
            started = time.perf_counter()
            candidates = await lookup(query)
            hits = [
                c
                for c in candidates
                if similarity(query.kind, query.signature, c.signature) is not None
            ]
            durations.append(time.perf_counter() - started)
            assert hits, "the copy's original must be found"
        timings[name] = statistics.median(durations)
        print(f"{name}: {timings[name] * 1000:.1f} ms per lookup (median of {LOOKUPS})")
    print(
        f"the index finds a post's original {timings['plain scan'] / timings['band index']:.0f}"
        f"× faster than a plain scan of {STORED:,} fingerprints"
    )


async def on_a_server(originals, queries, r) -> None:
    embedded: EmbeddedPostgres | None = None
    folder: str | None = None
    if url := os.environ.get("DATABASE_URL"):
        server_dsn = url
    else:
        folder = tempfile.mkdtemp(prefix="abc-")
        embedded = EmbeddedPostgres(Path(folder))
        server_dsn = await asyncio.to_thread(embedded.start)
    name = f"analyticbot_copies_{os.getpid()}"
    try:
        dsn = await create_database(server_dsn, name)
        pool = await create_pool(dsn, min_size=1, max_size=2)
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            await lookup_speed(pool, originals, queries, r)
        finally:
            await pool.close()
            await drop_database(server_dsn, name)
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


async def main() -> int:
    r = random.Random(11)
    originals, queries = accuracy(r)
    if "--accuracy-only" not in sys.argv:
        await on_a_server(originals, queries, r)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
