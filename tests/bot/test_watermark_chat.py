"""Watermarking in chat: images come back marked, in the form they were sent, as set up."""

import io

import pytest
from fake_telegram import Call, FakeTelegram
from helpers import background, bomb_png, decode, encode, inside
from PIL import Image, ImageChops
from stories import owner_of, started

from bot.callbacks import WatermarkAction, WatermarkCb
from services.watermark_image import Position, WatermarkSpec, render_preview, watermark_image

W, H = 900, 600
# Album tests wait this long for the rest of an album instead of a second.
QUICK_ALBUMS = pytest.mark.settings(watermark_album_wait_seconds=0.2)
# Setting a mark up takes a dozen taps in a few seconds, more than the flood guard lets through.
MANY_TAPS = pytest.mark.settings(throttle_burst=100)


def photo(size: tuple[int, int] = (W, H), fmt: str = "JPEG") -> bytes:
    """A smooth two-way gradient: any stamped pixel shows against it."""
    return encode(background(size), fmt)


def marked_box(before: bytes, after: bytes) -> tuple[int, int, int, int] | None:
    """Where the images differ by more than re-encoding noise."""
    difference = ImageChops.difference(decode(before).convert("L"), decode(after).convert("L"))
    return difference.point(lambda v: 255 if v > 24 else 0).getbbox()


BOTTOM_RIGHT = (W * 2 // 3, H * 2 // 3, W, H)
TOP_LEFT = (0, 0, W // 3, H // 3)


def sent_files(call: Call) -> list[bytes]:
    return [upload.data for upload in call.files.values()]


async def test_photo_comes_back_as_a_watermarked_photo(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg, "cookingdaily")
    original = photo()

    await tg.send_photo(alice, original)

    reply = tg.last_to(alice)
    assert reply.method == "sendPhoto"
    marked = reply.files["photo"].data
    assert decode(marked).size == (W, H)
    # The default mark is the channel's @username, at the bottom right.
    assert inside(marked_box(original, marked), BOTTOM_RIGHT)
    expected = watermark_image(original, WatermarkSpec(text="@cookingdaily")).data
    assert marked_box(expected, marked) is None
    actions = [c.params["action"] for c in tg.sent("sendChatAction", chat_id=alice)]
    assert actions == ["upload_photo"]


@pytest.mark.parametrize(
    ("fmt", "name", "mime"),
    [
        pytest.param("PNG", "diagram.png", "image/png", id="png"),
        pytest.param("JPEG", "holiday.jpg", "image/jpeg", id="jpeg"),
        pytest.param("WEBP", "sticker.webp", "image/webp", id="webp"),
    ],
)
async def test_file_comes_back_as_a_file_in_its_format_and_size(
    app, tg: FakeTelegram, fmt: str, name: str, mime: str
) -> None:
    alice = await owner_of(tg, "cookingdaily")
    original = photo((640, 480), fmt)

    await tg.send_document(alice, original, filename=name, mime_type=mime)

    reply = tg.last_to(alice)
    assert reply.method == "sendDocument"
    document = reply.files["document"]
    stem, extension = name.rsplit(".", 1)
    assert document.filename == f"{stem}_watermarked.{extension}"
    result = decode(document.data)
    assert (result.format, result.size) == (fmt, (640, 480))
    assert marked_box(original, document.data) is not None
    actions = [c.params["action"] for c in tg.sent("sendChatAction", chat_id=alice)]
    assert actions == ["upload_document"]


@QUICK_ALBUMS
async def test_album_comes_back_as_one_album(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg, "cookingdaily")
    originals = [photo((W, H)), photo((600, 800)), photo((500, 500))]
    mark = tg.mark()

    await tg.send_album(alice, originals)

    album = await tg.wait_for("sendMediaGroup", chat_id=alice, after=mark)
    assert [item["type"] for item in album.params["media"]] == ["photo"] * 3
    returned = sent_files(album)
    assert [decode(data).size for data in returned] == [(W, H), (600, 800), (500, 500)]
    for original, marked in zip(originals, returned, strict=True):
        assert marked_box(original, marked) is not None
    # Answered once: no image of the album came back on its own.
    assert tg.sent("sendPhoto", chat_id=alice) == []


@QUICK_ALBUMS
async def test_a_bad_file_in_an_album_leaves_the_others_alone(app, tg: FakeTelegram, db) -> None:
    alice = await owner_of(tg, "cookingdaily")
    pdf = b"%PDF-1.4\n% not a picture\n"
    mark = tg.mark()

    await tg.send_album(alice, [photo(fmt="PNG"), pdf, photo(fmt="PNG")], as_documents=True)

    album = await tg.wait_for("sendMediaGroup", chat_id=alice, after=mark)
    assert [item["type"] for item in album.params["media"]] == ["document"] * 2
    assert [decode(data).format for data in sent_files(album)] == ["PNG", "PNG"]
    complaint = await tg.wait_for("sendMessage", chat_id=alice, after=mark)
    assert "file2.bin: This file isn't a readable image" in complaint.plain_text
    assert complaint.params["reply_parameters"]["message_id"] > 0
    used = await db.fetchval("SELECT used FROM usage_counters WHERE user_id = $1", alice.id)
    assert used == 2


def animated_png() -> bytes:
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    return out.getvalue()


def noise_png() -> bytes:
    """A PNG of about 1.2 MB: noise doesn't compress."""
    out = io.BytesIO()
    Image.effect_noise((640, 640), 100).convert("RGB").save(out, "PNG")
    return out.getvalue()


@pytest.mark.settings(watermark_max_bytes=500_000)
@pytest.mark.parametrize(
    ("make", "name", "mime", "reply", "downloaded"),
    [
        pytest.param(
            lambda: b"%PDF-1.4\n%fake\n",
            "report.pdf",
            "application/pdf",
            "This file isn't a readable image. Send a JPEG, PNG or WebP picture.",
            False,
            id="pdf",
        ),
        pytest.param(
            noise_png, "big.png", "image/png", "the limit is 0.5 MB", False, id="oversized"
        ),
        pytest.param(
            bomb_png, "bomb.png", "image/png", "30000×30000 pixels", True, id="decompression-bomb"
        ),
        pytest.param(
            animated_png,
            "moving.png",
            "image/png",
            "Animated images aren't supported",
            True,
            id="animated",
        ),
    ],
)
async def test_bad_files_get_a_short_clear_reply(
    app, tg: FakeTelegram, db, make, name: str, mime: str, reply: str, downloaded: bool
) -> None:
    alice = await owner_of(tg, "cookingdaily")

    await tg.send_document(alice, make(), filename=name, mime_type=mime)

    answer = tg.last_to(alice)
    assert answer.method == "sendMessage"
    assert reply in answer.plain_text
    assert len(answer.plain_text) < 200
    # Obvious refusals are made from what Telegram says about the file, before downloading.
    assert bool(tg.sent("getFile")) is downloaded
    # A refused image doesn't count against the daily allowance.
    assert not await db.fetchval("SELECT used FROM usage_counters WHERE user_id = $1", alice.id)
    await tg.send_photo(alice, photo())
    assert tg.last_to(alice).method == "sendPhoto"


@MANY_TAPS
async def test_position_button_moves_the_mark_after_a_preview(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg, "cookingdaily")
    await tg.send_text(alice, "/watermark")
    panel = tg.last_to(alice, "sendPhoto")
    assert "Mark: “@cookingdaily”" in panel.plain_text
    assert panel.files["photo"].data == render_preview(WatermarkSpec(text="@cookingdaily"))

    await tg.press_button(alice, panel, "↖")

    edit = tg.last_to(alice, "editMessageMedia")
    moved = WatermarkSpec(text="@cookingdaily", position=Position.TOP_LEFT)
    assert edit.files["media"].data == render_preview(moved)
    assert "Position top left" in edit.params["media"]["caption"]
    assert "preview" in edit.params["media"]["caption"]
    # Previewed, not applied yet: images keep the old mark.
    original = photo()
    await tg.send_photo(alice, original)
    assert inside(marked_box(original, tg.last_to(alice).files["photo"].data), BOTTOM_RIGHT)

    await tg.press_button(alice, panel, "Apply")
    await tg.send_photo(alice, original)

    assert inside(marked_box(original, tg.last_to(alice).files["photo"].data), TOP_LEFT)


async def test_discard_drops_the_previewed_change(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg, "cookingdaily")
    await tg.send_text(alice, "/watermark")
    panel = tg.last_to(alice, "sendPhoto")
    await tg.press_button(alice, panel, "Tiled")
    tg.last_to(alice, "editMessageMedia").button("Apply")

    await tg.press_button(alice, panel, "Discard")

    edit = tg.last_to(alice, "editMessageMedia")
    assert edit.files["media"].data == render_preview(WatermarkSpec(text="@cookingdaily"))
    assert not any("Apply" in b["text"] for b in edit.buttons())


@MANY_TAPS
async def test_a_preset_is_saved_and_used_after_a_restart(app, tg: FakeTelegram, db) -> None:
    alice = await owner_of(tg)  # no channel: the bot asks for a text
    assert "Send the text for your mark" in await tg.ask(alice, "/watermark")
    await tg.send_text(alice, "© Алиса Photo")
    panel = tg.last_to(alice, "sendPhoto")
    assert "Mark: “© Алиса Photo”" in panel.plain_text
    await tg.press_button(alice, panel, "Larger")
    await tg.press_button(alice, panel, "🔴")
    await tg.press_button(alice, panel, "Save as preset")
    assert "Saved as <b>Signature</b>" in await tg.ask(alice, "Signature")

    await app.restart()
    original = photo(fmt="PNG")
    await tg.send_document(alice, original, filename="shot.png", mime_type="image/png")

    spec = WatermarkSpec(text="© Алиса Photo", relative_size=0.0625, color="#E53935")
    assert tg.last_to(alice).files["document"].data == watermark_image(original, spec).data
    presets = await db.fetch(
        "SELECT name FROM watermark_presets WHERE user_id = $1 ORDER BY name", alice.id
    )
    assert [row["name"] for row in presets] == ["Main", "Signature"]
    await tg.send_text(alice, "/watermark")
    assert "preset Signature" in tg.last_to(alice, "sendPhoto").plain_text


@MANY_TAPS
async def test_presets_can_be_switched(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg, "cookingdaily")
    await tg.send_text(alice, "/watermark")
    panel = tg.last_to(alice, "sendPhoto")
    await tg.press_button(alice, panel, "Save as preset")
    await tg.send_text(alice, "Corner")
    panel = tg.last_to(alice, "sendPhoto")
    await tg.press_button(alice, panel, "Tiled")
    await tg.press_button(alice, panel, "Save as preset")
    await tg.send_text(alice, "Tiles")
    panel = tg.last_to(alice, "sendPhoto")

    await tg.press_button(alice, panel, "Presets")
    await tg.press_button(alice, panel, "Corner")

    assert (
        "preset <b>Corner</b>" in tg.last_to(alice, "editMessageMedia").params["media"]["caption"]
    )
    original = photo()
    await tg.send_photo(alice, original)
    assert inside(marked_box(original, tg.last_to(alice).files["photo"].data), BOTTOM_RIGHT)


@MANY_TAPS
async def test_a_button_for_another_users_preset_is_out_of_date(app, tg: FakeTelegram, db) -> None:
    alice = await owner_of(tg, "cookingdaily")
    await tg.send_text(alice, "/watermark")
    await tg.press_button(alice, tg.last_to(alice, "sendPhoto"), "Save as preset")
    await tg.send_text(alice, "Corner")
    alices_preset = await db.fetchval("SELECT id FROM watermark_presets WHERE name = 'Corner'")
    bob = tg.user("Bob")
    await tg.send_text(bob, "/start")
    await tg.add_bot_to_channel(tg.channel("Bakingdaily", "bakingdaily", owner=bob), by=bob)
    await tg.send_text(bob, "/watermark")

    forged = WatermarkCb(action=WatermarkAction.PRESET, value=str(alices_preset)).pack()
    query = await tg.press(bob, tg.last_to(bob, "sendPhoto"), forged, strict=False)

    assert "no longer works" in tg.callback_answer(query)["text"]
    assert tg.sent("editMessageMedia", chat_id=bob) == []


async def test_a_channel_button_for_someone_elses_channel_is_refused(app, tg, db) -> None:
    await owner_of(tg, "cookingdaily")
    alices_channel = await db.fetchval("SELECT id FROM channels")
    bob = await started(tg, "Bob")
    await tg.send_photo(bob, photo())

    forged = WatermarkCb(action=WatermarkAction.CHANNEL, value=str(alices_channel)).pack()
    query = await tg.press(bob, tg.last_to(bob, "sendMessage"), forged, strict=False)

    assert "Only admins of a channel" in tg.callback_answer(query)["text"]
    assert await db.fetchval("SELECT count(*) FROM watermark_presets") == 0


@MANY_TAPS
async def test_a_logo_file_becomes_the_mark(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg, "cookingdaily")
    await tg.send_text(alice, "/watermark")
    await tg.press_button(alice, tg.last_to(alice, "sendPhoto"), "Logo")
    logo = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    logo.paste((255, 0, 0, 255), (0, 0, 100, 100))
    logo_file = io.BytesIO()
    logo.save(logo_file, "PNG")

    await tg.send_photo(alice, photo())  # as a photo it would lose its transparency
    assert "as a file" in tg.texts_to(alice)[-1]
    await tg.send_document(alice, logo_file.getvalue(), filename="logo.png", mime_type="image/png")
    panel = tg.last_to(alice, "sendPhoto")
    assert "Mark: your logo" in panel.plain_text
    await tg.press_button(alice, panel, "Apply")
    original = photo(fmt="PNG")
    await tg.send_document(alice, original, filename="a.png", mime_type="image/png")

    marked = decode(tg.last_to(alice).files["document"].data)
    assert inside(marked_box(original, tg.last_to(alice).files["document"].data), BOTTOM_RIGHT)
    red, green, _ = marked.getpixel((W - 60 - 60, H - 30 - 25))
    assert red > 200 and green < 100


@QUICK_ALBUMS
async def test_a_free_user_gets_ten_images_a_day(app, tg: FakeTelegram, clock) -> None:
    alice = await owner_of(tg, "cookingdaily")
    mark = tg.mark()
    await tg.send_album(alice, [photo((120, 90)) for _ in range(10)])
    album = await tg.wait_for("sendMediaGroup", chat_id=alice, after=mark)
    assert len(album.params["media"]) == 10

    await tg.send_photo(alice, photo())

    refusal = tg.last_to(alice)
    assert refusal.text == "🔒 Your Free plan allows 10 watermarks a day. Upgrade to get more."
    refusal.button("Upgrade")
    clock.advance(days=1)
    await tg.send_photo(alice, photo())
    assert tg.last_to(alice).method == "sendPhoto"


async def test_with_several_channels_the_bot_asks_once_whose_name(app, tg, db) -> None:
    alice = await owner_of(tg, "cookingdaily", "bakingdaily")
    original = photo()

    await tg.send_photo(alice, original)

    question = tg.last_to(alice, "sendMessage")
    assert "Which channel's name" in question.text
    assert {b["text"] for b in question.buttons()} == {"@cookingdaily", "@bakingdaily"}
    await tg.press_button(alice, question, "@bakingdaily")
    # The photo that waited for the answer comes back marked with the chosen name.
    expected = watermark_image(original, WatermarkSpec(text="@bakingdaily")).data
    assert marked_box(expected, tg.last_to(alice, "sendPhoto").files["photo"].data) is None
    await tg.send_photo(alice, original)
    assert tg.last_to(alice).method == "sendPhoto"
    assert await db.fetchval("SELECT name FROM watermark_presets") == "@bakingdaily"


async def test_without_a_channel_the_bot_asks_for_a_text_first(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg)
    original = photo()

    await tg.send_photo(alice, original)
    assert "Send the text for your mark" in tg.texts_to(alice)[-1]
    await tg.send_text(alice, "© Alice")

    expected = watermark_image(original, WatermarkSpec(text="© Alice")).data
    assert marked_box(expected, tg.last_to(alice, "sendPhoto").files["photo"].data) is None


async def test_a_channel_title_the_font_cannot_draw_is_not_used(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg)
    await tg.add_bot_to_channel(tg.channel("Кухня 🍳", None, owner=alice), by=alice)

    await tg.send_text(alice, "/watermark")

    assert "Send the text for your mark" in tg.texts_to(alice)[-1]


@pytest.mark.settings(feature_watermark=False)
async def test_switched_off_images_get_the_usual_hint(app, tg: FakeTelegram) -> None:
    alice = await owner_of(tg, "cookingdaily")
    await tg.send_photo(alice, photo())
    assert "Send /channels" in tg.texts_to(alice)[-1]
    assert tg.sent("sendPhoto") == []
