"""Copy detection and competitors: fingerprints of tracked posts, watched public channels read
from the web preview, copy alerts, /check on demand, and /compare.

Tracked posts are fingerprinted as ingestion writes them (photos downloaded from Telegram) and as
the views collector reads their history from the preview (photos from the addresses it shows).
Watched channels are read every WATCH_POLL_SECONDS; each new post that is no forward is looked
up among the tracked posts of its watchers through the band index, and a match with an earlier
post becomes a copy alert, announced once through the alert outbox.
"""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

import aiohttp

from db.copies import CopyAlertsRepository, FingerprintsRepository, WatchRepository
from services.alert_delivery import AlertDeliveryService
from services.channels import ChannelService, InvalidChannelRef, parse_channel_ref
from services.clock import Clock
from services.domain.copies import (
    CheckMatch,
    ComparedChannel,
    CopyMatch,
    Fingerprint,
    FingerprintKind,
    PostFingerprint,
    WatchedChannelRecord,
    WatchedPost,
)
from services.domain.ingestion import PostRow
from services.entitlements import EntitlementsService
from services.fingerprints import NotAnImage, photo_fingerprints, similarity, text_fingerprint
from services.ingestion import IngestedChannels
from services.plans import Allowance
from services.telegram import FileUnavailable, TelegramGateway
from services.views.preview import (
    PhotoUnavailable,
    PreviewClient,
    PreviewNotPublic,
    PreviewPage,
    PreviewPost,
    PreviewUnavailable,
)

log = logging.getLogger(__name__)

# Posts a day and average views in /watch cover this many days.
LIST_DAYS = 30
COMPARE_PERIODS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_COMPARE_DAYS = 30


class WatchProblem(StrEnum):
    INVALID = "invalid"  # not a channel username
    PRIVATE = "private"  # no public preview: private, a group, a user or a bot
    NOT_FOUND = "not_found"
    EMPTY = "empty"  # a public channel with no posts on its preview
    UNAVAILABLE = "unavailable"  # the preview could not be read now
    OWN = "own"  # one of the user's own tracked channels


class WatchRefused(Exception):
    def __init__(self, problem: WatchProblem, username: str) -> None:
        super().__init__(f"@{username}: {problem.value}")
        self.problem = problem
        self.username = username


class CopyAlertGone(Exception):
    """No such copy alert among the user's."""


@dataclass(frozen=True)
class WatchAdded:
    channel: WatchedChannelRecord
    added: bool  # False: the user watched it already
    posts_read: int  # the posts its preview showed


@dataclass(frozen=True)
class CheckResult:
    match: CheckMatch | None
    posts: int  # the user's fingerprinted posts it was compared with


@dataclass
class CopyService:
    fingerprints: FingerprintsRepository
    watched_channels: WatchRepository
    copy_alerts: CopyAlertsRepository
    channels: ChannelService
    entitlements: EntitlementsService
    gateway: TelegramGateway
    delivery: AlertDeliveryService
    clock: Clock
    _: KW_ONLY
    preview_base_url: str
    photo_max_bytes: int
    # Opened on first use, inside the running loop; close() ends it.
    _session: aiohttp.ClientSession | None = field(init=False, default=None)

    def _preview(self) -> PreviewClient:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return PreviewClient(self._session, base_url=self.preview_base_url)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ tracked posts

    async def on_ingested(self, batch: IngestedChannels) -> None:
        """Fingerprint the posts a written batch brought (their photos from Telegram)."""
        if batch.written_posts:
            await self.fingerprint_posts(batch.written_posts)

    async def fingerprint_posts(self, posts: Sequence[PostRow]) -> None:
        rows = []
        for post in posts:
            photo = None
            if post.photo_file_id is not None:
                with contextlib.suppress(FileUnavailable):
                    photo = await self.gateway.download_file(post.photo_file_id)
            found = await asyncio.to_thread(
                _original_fingerprints, post.text, [photo] if photo else []
            )
            rows += [
                PostFingerprint(post.channel_id, post.message_id, post.posted_at, f) for f in found
            ]
        await self.fingerprints.replace(
            message_ids=[(post.channel_id, post.message_id) for post in posts], rows=rows
        )

    async def on_history(self, channel_id: int, posts: Sequence[PreviewPost]) -> None:
        """Fingerprint tracked posts the views collector read from the preview."""
        rows = []
        for post in posts:
            photos = await self._download_photos(post.photo_urls)
            found = await asyncio.to_thread(_original_fingerprints, post.text, photos)
            rows += [PostFingerprint(channel_id, post.message_id, post.posted_at, f) for f in found]
        await self.fingerprints.replace(
            message_ids=[(channel_id, post.message_id) for post in posts], rows=rows
        )

    async def _download_photos(self, urls: Sequence[str]) -> list[bytes]:
        """The photos that could be downloaded within the size limit; the others are skipped."""
        photos = []
        for url in urls:
            try:
                photos.append(
                    await self._preview().fetch_photo(url, max_bytes=self.photo_max_bytes)
                )
            except PhotoUnavailable as error:
                log.info("photo skipped: %s", error)
        return photos

    # ------------------------------------------------------------------ watched channels

    async def watch(self, *, user_id: int, reference: str) -> WatchAdded:
        """Watch a public channel; its posts on the preview now are compared at once.

        Raises WatchRefused, or LimitReached when the plan allows no further channel.
        """
        username = _username(reference)
        now = self.clock.now()
        watched = await self.watched_channels.list_for_user(
            user_id=user_id, since=now - timedelta(days=LIST_DAYS), now=now
        )
        if username not in {w.username for w in watched}:
            await self.entitlements.ensure_within(
                user_id=user_id, allowance=Allowance.WATCHED_CHANNELS, current=len(watched)
            )
        own = await self.channels.list_for_user(user_id=user_id)
        if username in {(s.channel.username or "").lower() for s in own}:
            raise WatchRefused(WatchProblem.OWN, username)
        page = await self._read_page(username)
        if not page.posts:
            raise WatchRefused(WatchProblem.EMPTY, username)
        watched_id, added = await self.watched_channels.add(
            user_id=user_id,
            username=username,
            title=page.title or username,
            subscribers=page.subscribers,
            now=now,
        )
        await self.copy_alerts.ensure_rules(user_id=user_id, now=now)
        # The posts on the preview now are compared for this user, new to the bot or not.
        await self._store_and_compare(watched_id, username, page, for_user=user_id)
        record = next(w for w in await self.list_watched(user_id=user_id) if w.id == watched_id)
        posts = sum(not post.is_service for post in page.posts)
        return WatchAdded(channel=record, added=added, posts_read=posts)

    async def _read_page(self, username: str) -> PreviewPage:
        try:
            return await self._preview().fetch_page(username)
        except PreviewNotPublic as error:
            raise WatchRefused(WatchProblem.PRIVATE, username) from error
        except PreviewUnavailable as error:
            problem = WatchProblem.NOT_FOUND if error.status == 404 else WatchProblem.UNAVAILABLE
            raise WatchRefused(problem, username) from error

    async def list_watched(self, *, user_id: int) -> list[WatchedChannelRecord]:
        """The user's watched channels; copy alerts cover every channel they track now."""
        now = self.clock.now()
        await self.copy_alerts.ensure_rules(user_id=user_id, now=now)
        return await self.watched_channels.list_for_user(
            user_id=user_id, since=now - timedelta(days=LIST_DAYS), now=now
        )

    async def unwatch(self, *, user_id: int, watched_id: int) -> bool:
        return await self.watched_channels.remove(user_id=user_id, watched_id=watched_id)

    async def read_watched(self) -> int:
        """Read every watched channel's newest page and compare its new posts; the job run
        every WATCH_POLL_SECONDS. Returns how many copy alerts fired."""
        fired = 0
        for watched_id, username in await self.watched_channels.due():
            try:
                page = await self._preview().fetch_page(username)
            except PreviewUnavailable as error:
                log.info("watched @%s not read: %s", username, error.reason)
                continue
            except Exception:
                log.exception("reading watched @%s failed", username)
                continue
            fired += await self._store_and_compare(watched_id, username, page)
        return fired

    async def _store_and_compare(
        self, watched_id: int, username: str, page: PreviewPage, *, for_user: int | None = None
    ) -> int:
        """Store the page; compare its posts the bot had not seen with the tracked posts of
        every watcher, or, for_user, every post on it with that user's. Returns alerts fired."""
        posts = [_watched_post(post) for post in page.posts if not post.is_service]
        new = set(
            await self.watched_channels.store_page(
                watched_id=watched_id,
                title=page.title,
                subscribers=page.subscribers,
                posts=posts,
                read_at=self.clock.now(),
            )
        )
        # A forward says where it comes from: it is no copy.
        fresh = [
            post
            for post in posts
            if post.forwarded_from is None and (for_user is not None or post.message_id in new)
        ]
        if not fresh:
            return 0
        watchers = await self.watched_channels.watchers(watched_id=watched_id)
        if for_user is not None:
            watchers = [watcher for watcher in watchers if watcher.user_id == for_user]
        channel_ids = sorted({c for watcher in watchers for c in watcher.channel_ids})
        if not channel_ids:
            return 0
        matches = []
        for post in fresh:
            photos = await self._download_photos(post.photo_urls)
            found = await asyncio.to_thread(_copy_fingerprints, post.text, photos)
            originals = await self._originals(found, channel_ids, before=post.posted_at)
            for watcher in watchers:
                for (channel_id, message_id), (kind, score, posted_at) in originals.items():
                    if channel_id in watcher.channel_ids:
                        matches.append(
                            CopyMatch(
                                user_id=watcher.user_id,
                                channel_id=channel_id,
                                message_id=message_id,
                                original_at=posted_at,
                                watched_id=watched_id,
                                watched_username=username,
                                watched_message_id=post.message_id,
                                copied_at=post.posted_at,
                                kind=kind,
                                similarity=score,
                            )
                        )
        if not matches:
            return 0
        fired = await self.copy_alerts.fire(matches=matches, now=self.clock.now())
        if fired:
            log.info("%d copy alert(s) fired for @%s", fired, username)
            self.delivery.wake()
        return fired

    async def _originals(
        self,
        found: Sequence[Fingerprint],
        channel_ids: Sequence[int],
        *,
        before: datetime | None,
    ) -> dict[tuple[int, int], tuple[FingerprintKind, float, datetime]]:
        """The tracked posts the fingerprints match, each with its best kind and similarity."""
        best: dict[tuple[int, int], tuple[FingerprintKind, float, datetime]] = {}
        for fingerprint in found:
            for candidate in await self.fingerprints.candidates(
                kind=fingerprint.kind, bands=fingerprint.bands, channel_ids=channel_ids
            ):
                if before is not None and candidate.posted_at >= before:
                    continue  # a later post is no original of this one
                score = similarity(fingerprint.kind, fingerprint.signature, candidate.signature)
                key = (candidate.channel_id, candidate.message_id)
                if score is not None and (key not in best or score > best[key][1]):
                    best[key] = (fingerprint.kind, score, candidate.posted_at)
        return best

    # ------------------------------------------------------------------ the alert's buttons

    async def dismiss(self, *, user_id: int, firing_id: int) -> None:
        """Not a copy: the alert's pair is never reported again. Raises CopyAlertGone."""
        if not await self.copy_alerts.dismiss(
            user_id=user_id, firing_id=firing_id, now=self.clock.now()
        ):
            raise CopyAlertGone(firing_id)

    async def ignore_channel(self, *, user_id: int, firing_id: int) -> str:
        """No more copy alerts from the alert's watched channel; its username."""
        watched_id = await self.copy_alerts.watched_of_firing(user_id=user_id, firing_id=firing_id)
        if watched_id is None or not await self.watched_channels.ignore(
            user_id=user_id, watched_id=watched_id
        ):
            raise CopyAlertGone(firing_id)
        now = self.clock.now()
        watched = await self.watched_channels.list_for_user(user_id=user_id, since=now, now=now)
        return next(w.username for w in watched if w.id == watched_id)

    # ------------------------------------------------------------------ /check, /compare

    async def check(
        self, *, user_id: int, text: str, photo_file_id: str | None
    ) -> CheckResult | None:
        """The user's post that a text and/or a photo (sent to the bot) copies, among their
        tracked channels; None when there is nothing to compare (a few words, no photo)."""
        photos = []
        if photo_file_id is not None:
            with contextlib.suppress(FileUnavailable):
                photos.append(await self.gateway.download_file(photo_file_id))
        found = await asyncio.to_thread(_copy_fingerprints, text, photos)
        if not found:
            return None
        # A post of a channel the user no longer administers is not theirs to see.
        administered = await self.channels.administered_channels(user_id=user_id)
        channels = {channel.id: channel for channel in administered}
        count = await self.fingerprints.count_posts(channel_ids=list(channels))
        originals = await self._originals(found, list(channels), before=None)
        if not originals:
            return CheckResult(match=None, posts=count)
        (channel_id, message_id), (_, score, posted_at) = max(
            originals.items(), key=lambda item: item[1][1]
        )
        channel = channels[channel_id]
        return CheckResult(
            match=CheckMatch(
                channel_title=channel.title,
                channel_username=channel.username,
                message_id=message_id,
                posted_at=posted_at,
                similarity=score,
            ),
            posts=count,
        )

    async def compare(self, *, user_id: int, channel_id: int, days: int) -> list[ComparedChannel]:
        """The user's channel (they administer it), then their watched ones, over `days`."""
        await self.channels.require_admin(user_id=user_id, channel_id=channel_id)
        now = self.clock.now()
        return await self.watched_channels.compare(
            user_id=user_id, channel_id=channel_id, since=now - timedelta(days=days), now=now
        )


def _username(reference: str) -> str:
    try:
        parsed = parse_channel_ref(reference)
    except InvalidChannelRef as error:
        raise WatchRefused(WatchProblem.INVALID, reference.strip()[:64]) from error
    if isinstance(parsed, int):
        raise WatchRefused(WatchProblem.INVALID, reference.strip()[:64])
    return parsed.lstrip("@").lower()


def _watched_post(post: PreviewPost) -> WatchedPost:
    return WatchedPost(
        message_id=post.message_id,
        posted_at=post.posted_at,
        text=post.text,
        views=post.views,
        forwarded_from=post.forwarded_from,
        photo_urls=post.photo_urls,
    )


def _fingerprints(text: str, photos: Sequence[bytes], *, with_crops: bool) -> list[Fingerprint]:
    """The text's fingerprint and the photos', numbered on across an album's photos; what is
    no image is skipped."""
    found = [fp] if (fp := text_fingerprint(text)) is not None else []
    variant = 0
    for photo in photos:
        try:
            for fingerprint in photo_fingerprints(photo, with_crops=with_crops):
                found.append(replace(fingerprint, variant=variant))
                variant += 1
        except NotAnImage as error:
            log.info("not an image, skipped: %s", error)
    return found


def _original_fingerprints(text: str, photos: Sequence[bytes]) -> list[Fingerprint]:
    """An original's: its photos also as the crops a copier would make."""
    return _fingerprints(text, photos, with_crops=True)


def _copy_fingerprints(text: str, photos: Sequence[bytes]) -> list[Fingerprint]:
    return _fingerprints(text, photos, with_crops=False)
