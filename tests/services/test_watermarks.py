"""The watermarking use case: marks stored per user, images counted, failures given back."""

import io
from datetime import timedelta

import pytest
from helpers import ManualClock
from PIL import Image

from db.channels import ChannelsRepository
from db.ingestion import IngestionRepository
from db.plans import PlansRepository
from db.watermarks import WatermarksRepository
from services.channels import ChannelService
from services.entitlements import EntitlementsService
from services.plans import Allowance
from services.subscribers import SubscriberSnapshotService
from services.telegram import FileTooBig, FileUnavailable
from services.watermark_image import (
    ImageTooLarge,
    NotAnImage,
    Position,
    WatermarkedImage,
    WatermarkSpec,
)
from services.watermarks import (
    SIZE_RANGE,
    ImageUpload,
    MarkChange,
    WatermarkingService,
    WatermarkOutcome,
    WatermarkUnavailable,
)

USER = 501


def png(size: tuple[int, int] = (300, 200), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal").save(out, "PNG")
    return out.getvalue()


class FilesOnTelegram:
    """The part of the Telegram gateway watermarking uses: downloads, some refused."""

    def __init__(self, files: dict[str, bytes], too_big: frozenset[str] = frozenset()) -> None:
        self.files = files
        self.too_big = too_big
        self.downloaded: list[str] = []

    async def download_file(self, file_id: str) -> bytes:
        self.downloaded.append(file_id)
        if file_id in self.too_big:
            raise FileTooBig(file_id)
        if file_id not in self.files:
            raise FileUnavailable(file_id)
        return self.files[file_id]


def upload(file_id: str, *, size: int | None = None, mime: str | None = "image/png"):
    return ImageUpload(
        file_id=file_id,
        file_size=size,
        file_name=f"{file_id}.png",
        mime_type=mime,
        as_document=True,
    )


@pytest.fixture
async def service_for(db, clock: ManualClock):
    await db.execute("INSERT INTO users (id, first_name) VALUES ($1, 'Alice')", USER)
    entitlements = EntitlementsService(PlansRepository(db), clock, standing_counts={})

    def build(telegram: FilesOnTelegram) -> WatermarkingService:
        channels = ChannelService(
            ChannelsRepository(db),
            telegram,  # no channels here, so it is never asked about one
            entitlements,
            SubscriberSnapshotService(
                ChannelsRepository(db), IngestionRepository(db), telegram, clock, concurrency=1
            ),
            clock,
            admin_verify_ttl=timedelta(minutes=10),
            concurrency=1,
        )
        return WatermarkingService(
            WatermarksRepository(db), channels, entitlements, telegram, max_bytes=100_000
        )

    return build


async def test_only_images_that_come_back_are_counted(service_for, db) -> None:
    telegram = FilesOnTelegram(
        {"good": png(), "broken": b"\x89PNG\r\n\x1a\n not really"}, too_big=frozenset({"huge"})
    )
    service = service_for(telegram)
    await service.change(user_id=USER, change=MarkChange(text="© Alice"))

    outcomes = await service.watermark(
        user_id=USER,
        uploads=[
            upload("good"),
            upload("broken"),
            upload("huge"),
            upload("report", mime="application/pdf"),
            upload("declared-large", size=100_001),
        ],
    )

    assert [type(o.error) for o in outcomes] == [
        type(None),
        NotAnImage,
        ImageTooLarge,
        NotAnImage,
        ImageTooLarge,
    ]
    assert outcomes[0].image is not None and outcomes[0].image.format == "PNG"
    # What can be refused from Telegram's description is never downloaded.
    assert telegram.downloaded == ["good", "broken", "huge"]
    used = await db.fetchval(
        "SELECT used FROM usage_counters WHERE user_id = $1 AND allowance = $2",
        USER,
        Allowance.WATERMARKS_PER_DAY.value,
    )
    assert used == 1


async def test_a_download_that_fails_is_explained(service_for) -> None:
    service = service_for(FilesOnTelegram({}))  # every download fails: unknown file
    await service.change(user_id=USER, change=MarkChange(text="© Alice"))

    (outcome,) = await service.watermark(user_id=USER, uploads=[upload("gone")])

    assert isinstance(outcome.error, WatermarkUnavailable)
    assert "Please send it again" in outcome.error.user_message


async def test_a_logo_is_stored_as_bytes_beside_its_settings(service_for, db) -> None:
    service = service_for(FilesOnTelegram({}))
    logo = png((120, 60), "RGBA")
    await service.change(user_id=USER, change=MarkChange(text="© Alice"))

    preview = await service.change(user_id=USER, change=MarkChange(logo=logo))
    assert preview.has_draft and preview.spec.logo == logo
    await service.apply(user_id=USER)

    row = await db.fetchrow("SELECT name, settings, logo FROM watermark_presets")
    assert row["name"] == "Main"
    assert row["logo"] == logo
    assert "logo" not in row["settings"] and row["settings"]["text"] is None
    spec, name = await service.current_mark(user_id=USER)
    assert (spec.logo, name) == (logo, "Main")


def test_size_and_opacity_stop_at_their_bounds() -> None:
    spec = WatermarkSpec(text="x")
    for _ in range(30):
        spec = MarkChange(size_step=1, opacity_step=1).applied_to(spec)
    assert (spec.relative_size, spec.opacity) == (SIZE_RANGE[1], 1.0)
    for _ in range(30):
        spec = MarkChange(size_step=-1, opacity_step=-1).applied_to(spec)
    assert spec.relative_size == SIZE_RANGE[0] and spec.opacity > 0


def test_switching_between_text_and_logo_keeps_the_placement() -> None:
    spec = WatermarkSpec(text="x", position=Position.TILED, relative_size=0.1, opacity=0.9)
    as_logo = MarkChange(logo=png((50, 50), "RGBA")).applied_to(spec)
    assert (as_logo.text, as_logo.position, as_logo.opacity) == (None, Position.TILED, 0.9)
    assert as_logo.relative_size == WatermarkSpec(logo=as_logo.logo).relative_size


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        pytest.param(None, "photo_watermarked.jpg", id="photo"),
        pytest.param("holiday.JPG", "holiday_watermarked.jpg", id="document"),
        pytest.param("noextension", "noextension_watermarked.jpg", id="no-extension"),
    ],
)
def test_results_get_a_clear_file_name(file_name: str | None, expected: str) -> None:
    image = WatermarkedImage(
        data=b"", format="JPEG", width=1, height=1, mime_type="image/jpeg", extension=".jpg"
    )
    sent = ImageUpload(
        file_id="f", file_size=1, file_name=file_name, mime_type=None, as_document=True
    )
    assert WatermarkOutcome(sent, image=image).file_name == expected
