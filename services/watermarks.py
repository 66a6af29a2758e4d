"""Watermarking a user's images with their mark: presets, the default mark, the daily limit."""

import asyncio
import dataclasses
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Final

from db.watermarks import WatermarksRepository
from services.channels import ChannelAccessError, ChannelService, NoChannels
from services.domain.channels import ChannelRecord
from services.domain.watermarks import PresetName, WatermarkStateRecord
from services.entitlements import EntitlementsService
from services.errors import not_found_as
from services.i18n_texts import watermark as texts
from services.plans import Allowance
from services.telegram import FileTooBig, FileUnavailable, TelegramGateway
from services.watermark_image import (
    MAX_LOGO_BYTES,
    ImageTooLarge,
    InvalidMark,
    NotAnImage,
    Position,
    WatermarkedImage,
    WatermarkError,
    WatermarkSpec,
    render_preview,
    watermark_image,
)

log = logging.getLogger(__name__)

# The preset that "Apply" creates when the user had none (their mark was the default).
DEFAULT_PRESET_NAME: Final = "Main"
MAX_PRESET_NAME: Final = 32
# Each press of "larger"/"smaller" scales the mark by this factor, within these bounds.
SIZE_STEP: Final = 1.25
SIZE_RANGE: Final = (0.02, 0.6)
OPACITY_STEP: Final = 0.15
OPACITY_RANGE: Final = (0.15, 1.0)
# Decoded 12 MP photos take ~40 MB each: a few at a time keeps memory flat under load.
_PARALLEL_IMAGES: Final = 2
# Documents whose type says they are not pictures are refused without downloading them.
_MAYBE_IMAGE: Final = re.compile(r"image/.*|application/octet-stream")


class WatermarkUnavailable(WatermarkError):
    """Telegram would not give us the file."""

    default_reason = texts.DOWNLOAD_FAILED


class MarkRejected(WatermarkError):
    """A text, logo or preset name that can't be used; its reason is safe to show."""


class PresetNotFound(LookupError):
    """The user has no preset of this id (a button of a deleted preset, or forged)."""


@dataclass(frozen=True)
class ImageUpload:
    """One image a user sent, as Telegram describes it before anything is downloaded."""

    file_id: str
    file_size: int | None
    file_name: str | None  # documents only
    mime_type: str | None  # documents only
    as_document: bool


@dataclass(frozen=True)
class WatermarkOutcome:
    upload: ImageUpload
    image: WatermarkedImage | None = None
    error: WatermarkError | None = None

    @property
    def file_name(self) -> str:
        """A clear name for the result: "holiday.png" comes back as "holiday_watermarked.png"."""
        assert self.image is not None
        stem = (self.upload.file_name or "photo").rsplit(".", 1)[0].strip() or "photo"
        return f"{stem[:60]}_watermarked{self.image.extension}"


@dataclass(frozen=True)
class MarkChange:
    """One adjustment of the mark; a text or logo also starts a mark where there is none."""

    position: Position | None = None
    size_step: int = 0  # +1 larger, -1 smaller
    opacity_step: int = 0  # +1 stronger, -1 fainter
    color: str | None = None
    text: str | None = None
    logo: bytes | None = None

    def applied_to(self, spec: WatermarkSpec | None) -> WatermarkSpec:
        """The spec with this change; raises MarkRejected for an unusable text or logo."""
        try:
            if self.text is not None or self.logo is not None:
                return _with_content(spec, text=self.text, logo=self.logo)
        except InvalidMark as error:
            raise MarkRejected(error.reason, **error.values) from error
        if spec is None:
            raise ValueError("only a text or a logo can start a mark")
        changes: dict[str, Any] = {}
        if self.position is not None:
            changes["position"] = self.position
        if self.size_step:
            size = (spec.relative_size or 0) * SIZE_STEP**self.size_step
            changes["relative_size"] = round(_clamp(size, SIZE_RANGE), 4)
        if self.opacity_step:
            opacity = spec.opacity + OPACITY_STEP * self.opacity_step
            changes["opacity"] = round(_clamp(opacity, OPACITY_RANGE), 2)
        if self.color is not None:
            changes["color"] = self.color
        return dataclasses.replace(spec, **changes)


@dataclass(frozen=True)
class MarkPanel:
    """What /watermark shows: the mark (the draft if there is one) and its preview."""

    spec: WatermarkSpec
    preset_name: str | None  # None: the default mark, not saved as a preset
    has_draft: bool
    preview: bytes  # JPEG


@dataclass(frozen=True)
class WatermarkingService:
    watermarks: WatermarksRepository
    channels: ChannelService
    entitlements: EntitlementsService
    telegram: TelegramGateway
    _: KW_ONLY
    max_bytes: int
    _parallel: asyncio.Semaphore = field(
        init=False, default_factory=lambda: asyncio.Semaphore(_PARALLEL_IMAGES)
    )

    # ------------------------------------------------------------------ the mark

    async def current_mark(self, *, user_id: int) -> tuple[WatermarkSpec, str | None]:
        """The applied mark and its preset name (None for the default @username mark).

        Without a preset, raises ChannelChoiceNeeded (several channels: ask which) or another
        ChannelAccessError (no channel to name: ask for a text).
        """
        state = await self.watermarks.state(user_id=user_id)
        if state.preset is not None:
            return _spec(state.preset.settings, state.preset.logo), state.preset.name
        return await self._channel_mark(user_id=user_id), None

    async def open_panel(self, *, user_id: int) -> MarkPanel:
        """The applied mark, dropping any change left unapplied."""
        await self.watermarks.discard_draft(user_id=user_id)
        return await self.panel(user_id=user_id)

    async def panel(self, *, user_id: int) -> MarkPanel:
        """The mark as previewed now: the unapplied change if there is one."""
        state = await self.watermarks.state(user_id=user_id)
        spec = _previewed(state) or await self._channel_mark(user_id=user_id)
        name = state.preset.name if state.preset else None
        return await self._panel(spec, name, has_draft=state.draft is not None)

    async def change(self, *, user_id: int, change: MarkChange) -> MarkPanel:
        """Preview a change without applying it; with no mark at all, a text or logo starts one.

        Raises MarkRejected, or ChannelAccessError when there is no mark to change yet.
        """
        state = await self.watermarks.state(user_id=user_id)
        base = _previewed(state)
        if base is None:
            try:
                base = await self._channel_mark(user_id=user_id)
            except ChannelAccessError:
                if change.text is None and change.logo is None:
                    raise
                # Nothing to preview a change against: the first text or logo is the mark.
                spec = change.applied_to(None)
                await self._store(user_id=user_id, name=DEFAULT_PRESET_NAME, spec=spec)
                return await self._panel(spec, DEFAULT_PRESET_NAME, has_draft=False)
        spec = change.applied_to(base)
        await self.watermarks.save_draft(user_id=user_id, **_columns(spec))
        name = state.preset.name if state.preset else None
        return await self._panel(spec, name, has_draft=True)

    async def apply(self, *, user_id: int) -> MarkPanel:
        """Make the previewed change the user's mark, in their current preset."""
        panel = await self.panel(user_id=user_id)
        name = panel.preset_name or DEFAULT_PRESET_NAME
        await self._store(user_id=user_id, name=name, spec=panel.spec)
        return dataclasses.replace(panel, preset_name=name, has_draft=False)

    async def save_as(self, *, user_id: int, name: str) -> MarkPanel:
        """Save the mark as previewed under a name (replacing a preset of that name), and use it."""
        name = _preset_name(name)
        panel = await self.panel(user_id=user_id)
        await self._store(user_id=user_id, name=name, spec=panel.spec)
        return dataclasses.replace(panel, preset_name=name, has_draft=False)

    async def preset_names(self, *, user_id: int) -> list[PresetName]:
        return await self.watermarks.preset_names(user_id=user_id)

    async def use_preset(self, *, user_id: int, preset_id: int) -> MarkPanel:
        """Switch to one of the user's presets; raises PresetNotFound if it isn't theirs."""
        with not_found_as(PresetNotFound(preset_id)):
            await self.watermarks.select_preset(user_id=user_id, preset_id=preset_id)
        return await self.panel(user_id=user_id)

    async def use_channel(self, *, user_id: int, channel_id: int) -> MarkPanel:
        """Mark with this channel's @username from now on; the user must administer it.

        Raises NoChannels when the font can't draw the channel's name (a title with emoji).
        """
        channel = await self.channels.require_admin(user_id=user_id, channel_id=channel_id)
        spec = _channel_spec(channel)
        await self._store(user_id=user_id, name=channel.display_name[:MAX_PRESET_NAME], spec=spec)
        return await self.panel(user_id=user_id)

    # ------------------------------------------------------------------ images

    async def watermark(
        self, *, user_id: int, uploads: Sequence[ImageUpload]
    ) -> list[WatermarkOutcome]:
        """Watermark each image with the user's mark; results come in the order of uploads.

        Counts each image that gets past the cheap checks against the daily allowance (raises
        LimitReached, counting nothing, when they don't all fit) and gives back the ones that
        then fail. Raises what current_mark raises when the user has no mark yet.
        """
        spec, _ = await self.current_mark(user_id=user_id)
        refusals = [self._refusal(upload) for upload in uploads]
        pairs = list(zip(uploads, refusals, strict=True))
        accepted = [upload for upload, refusal in pairs if refusal is None]
        if not accepted:
            return [WatermarkOutcome(upload, error=refusal) for upload, refusal in pairs]
        await self.entitlements.consume(
            user_id=user_id, allowance=Allowance.WATERMARKS_PER_DAY, amount=len(accepted)
        )
        results = await asyncio.gather(*(self._watermark_one(u, spec) for u in accepted))
        failed = sum(1 for result in results if result.image is None)
        if failed:
            await self.entitlements.refund(
                user_id=user_id, allowance=Allowance.WATERMARKS_PER_DAY, amount=failed
            )
        done = iter(results)
        return [
            WatermarkOutcome(upload, error=refusal) if refusal else next(done)
            for upload, refusal in pairs
        ]

    async def download_logo(self, upload: ImageUpload) -> bytes:
        """A logo file the user sent; raises MarkRejected before downloading one too large."""
        if upload.file_size is not None and upload.file_size > MAX_LOGO_BYTES:
            raise MarkRejected(texts.LOGO_TOO_LARGE, size=MAX_LOGO_BYTES // (1024 * 1024))
        try:
            return await self.telegram.download_file(upload.file_id)
        except FileUnavailable as error:
            raise MarkRejected(texts.DOWNLOAD_FAILED) from error

    def _refusal(self, upload: ImageUpload) -> WatermarkError | None:
        """What can be said without downloading: too large, or a document that is no picture."""
        if upload.file_size is not None and upload.file_size > self.max_bytes:
            return ImageTooLarge.file_over(upload.file_size, self.max_bytes)
        if upload.as_document and upload.mime_type and not _MAYBE_IMAGE.fullmatch(upload.mime_type):
            return NotAnImage()
        return None

    async def _watermark_one(self, upload: ImageUpload, spec: WatermarkSpec) -> WatermarkOutcome:
        async with self._parallel:
            try:
                data = await self.telegram.download_file(upload.file_id)
                image = await asyncio.to_thread(
                    watermark_image, data, spec, max_bytes=self.max_bytes
                )
            except FileTooBig:
                return WatermarkOutcome(upload, error=ImageTooLarge())
            except FileUnavailable:
                return WatermarkOutcome(upload, error=WatermarkUnavailable())
            except WatermarkError as error:
                return WatermarkOutcome(upload, error=error)
            except Exception:
                # One image that trips a bug must not cost the user the rest of the album.
                log.exception("watermarking file %s failed", upload.file_id)
                return WatermarkOutcome(upload, error=WatermarkError())
        return WatermarkOutcome(upload, image=image)

    # ------------------------------------------------------------------ helpers

    async def _channel_mark(self, *, user_id: int) -> WatermarkSpec:
        channel = await self.channels.resolve_for_user(user_id=user_id, ref=None)
        return _channel_spec(channel)

    async def _store(self, *, user_id: int, name: str, spec: WatermarkSpec) -> None:
        await self.watermarks.store_preset(user_id=user_id, name=name, **_columns(spec))

    @staticmethod
    async def _panel(spec: WatermarkSpec, name: str | None, *, has_draft: bool) -> MarkPanel:
        preview = await asyncio.to_thread(render_preview, spec)
        return MarkPanel(spec=spec, preset_name=name, has_draft=has_draft, preview=preview)


def _columns(spec: WatermarkSpec) -> dict[str, Any]:
    """The spec as stored: settings as JSON, the logo as bytes beside them."""
    settings = spec.to_dict()
    del settings["logo"]
    return {"settings": settings, "logo": spec.logo}


def _spec(settings: dict[str, Any], logo: bytes | None) -> WatermarkSpec:
    return WatermarkSpec(**settings, logo=logo)


def _with_content(
    spec: WatermarkSpec | None, *, text: str | None, logo: bytes | None
) -> WatermarkSpec:
    """Swap the mark's text or logo, keeping its placement; the size restarts with the kind."""
    if spec is None:
        return WatermarkSpec(text=text, logo=logo)
    same_kind = (spec.text is None) == (text is None)
    size = spec.relative_size if same_kind else None
    return dataclasses.replace(spec, text=text, logo=logo, relative_size=size)


def _previewed(state: WatermarkStateRecord) -> WatermarkSpec | None:
    """The unapplied change, else the current preset; None when the user has neither."""
    if state.draft is not None:
        return _spec(state.draft.settings, state.draft.logo)
    if state.preset is not None:
        return _spec(state.preset.settings, state.preset.logo)
    return None


def _channel_spec(channel: ChannelRecord) -> WatermarkSpec:
    """The default mark, the channel's @username (or title); NoChannels if it can't be drawn."""
    try:
        return WatermarkSpec(text=channel.display_name)
    except ValueError as error:
        # A private channel whose title has emoji: the user has to type a mark instead.
        raise NoChannels() from error


def _preset_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_PRESET_NAME:
        raise MarkRejected(texts.PRESET_NAME_LENGTH, limit=MAX_PRESET_NAME)
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise MarkRejected(texts.PRESET_NAME_CONTROL_CHARACTERS)
    return name


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])
