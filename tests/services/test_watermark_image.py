"""The watermark image engine: placement, transparency, glyphs, metadata, hostile input."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import background, bomb_png, decode, encode, inside
from PIL import Image, ImageChops, ImageCms, ImageFont, JpegImagePlugin, PngImagePlugin

from services.watermark_image import (
    FONT_PATH,
    DecompressionBomb,
    ImageTooLarge,
    NotAnImage,
    Position,
    UnsupportedImage,
    WatermarkError,
    WatermarkSpec,
    render_preview,
    watermark_image,
)

W, H = 900, 600
CELL_W, CELL_H = W // 3, H // 3


def diff_bbox(before: Image.Image, after: Image.Image) -> tuple[int, int, int, int] | None:
    """Return the bounding box of pixels that differ between two same-mode images."""
    return ImageChops.difference(before, after).getbbox()


def logo_png() -> bytes:
    """Return a 200x100 logo: opaque red left half, fully transparent right half."""
    logo = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    logo.paste((255, 0, 0, 255), (0, 0, 100, 100))
    return encode(logo)


# --- placement -------------------------------------------------------------------------------


def test_bottom_right_mark_changes_only_its_corner() -> None:
    source = background()
    result = watermark_image(encode(source), WatermarkSpec(text="© AnalyticBot"))
    out = decode(result.data)
    assert (out.format, out.size, out.mode) == ("PNG", (W, H), "RGB")

    quadrant = (0, 0, W // 2, H // 2)
    assert out.crop(quadrant).tobytes() == source.crop(quadrant).tobytes()
    changed = diff_bbox(source, out)
    assert changed is not None
    assert inside(changed, (W // 2, 2 * CELL_H, W, H))


def anchor_cell(position: Position) -> tuple[int, int]:
    """The (column, row) an anchor's name says: top/bottom pick the row, left/right the column."""
    name = position.value
    column = 0 if "left" in name else 2 if "right" in name else 1
    row = 0 if "top" in name else 2 if "bottom" in name else 1
    return column, row


@pytest.mark.parametrize(
    ("position", "cell"),
    [pytest.param(p, anchor_cell(p), id=p.value) for p in Position if p is not Position.TILED],
)
def test_each_anchor_lands_in_its_cell(position: Position, cell: tuple[int, int]) -> None:
    source = background()
    spec = WatermarkSpec(text="Mark", position=position, relative_size=0.08, opacity=1.0)
    changed = diff_bbox(source, decode(watermark_image(encode(source), spec).data))
    column, row = cell
    expected = (column * CELL_W, row * CELL_H, (column + 1) * CELL_W, (row + 1) * CELL_H)
    assert changed is not None
    assert inside(changed, expected), (changed, expected)


def test_tiled_mark_covers_every_cell() -> None:
    source = background()
    spec = WatermarkSpec(text="@channel", position=Position.TILED)
    out = decode(watermark_image(encode(source), spec).data)
    for row in range(3):
        for column in range(3):
            box = (column * CELL_W, row * CELL_H, (column + 1) * CELL_W, (row + 1) * CELL_H)
            assert diff_bbox(source.crop(box), out.crop(box)) is not None, box


def test_long_text_shrinks_to_fit_inside_the_margins() -> None:
    source = background((300, 200))
    spec = WatermarkSpec(text="a rather long watermark text", relative_size=0.3, margin=0.05)
    changed = diff_bbox(source, decode(watermark_image(encode(source), spec).data))
    assert changed is not None
    assert inside(changed, (10, 10, 290, 190))


def test_logo_transparency_is_respected() -> None:
    source = background((600, 600))
    spec = WatermarkSpec(logo=logo_png(), position="center", relative_size=0.5, opacity=1.0)
    out = decode(watermark_image(encode(source), spec).data)
    # The logo is scaled to 300x150 and centred: (150, 225)-(450, 375), opaque half on the left.
    opaque = (160, 235, 290, 365)
    transparent = (310, 235, 450, 375)
    assert [colour for _, colour in out.crop(opaque).getcolors()] == [(255, 0, 0)]
    assert out.crop(transparent).tobytes() == source.crop(transparent).tobytes()
    changed = diff_bbox(source, out)
    assert changed is not None
    assert inside(changed, (140, 215, 310, 385))


def test_logo_opacity_blends_with_the_photo() -> None:
    source = Image.new("RGB", (600, 600), (0, 0, 255))
    spec = WatermarkSpec(logo=logo_png(), position="center", relative_size=0.5, opacity=0.5)
    out = decode(watermark_image(encode(source), spec).data)
    red, green, blue = out.getpixel((200, 300))
    assert 120 <= red <= 135 and green == 0 and 120 <= blue <= 135


# --- glyphs ----------------------------------------------------------------------------------


def glyph(font: ImageFont.FreeTypeFont, char: str) -> tuple[tuple[int, int], bytes]:
    """Return a comparable fingerprint of one rendered glyph."""
    mask = font.getmask(char)
    return mask.size, bytes(mask)


def test_cyrillic_letters_are_real_glyphs_not_tofu() -> None:
    font = ImageFont.truetype(str(FONT_PATH), 48)
    notdef = glyph(font, "\U0010ffff")  # a noncharacter: every font draws its .notdef box
    letters = "ПриветЖЁЩЪЮЯ"
    prints = [glyph(font, char) for char in letters]
    assert notdef not in prints
    assert len(set(prints)) == len(letters)  # .notdef boxes would all be identical
    assert all(bbox and bbox[2] > bbox[0] for bbox in (font.getbbox(c) for c in letters))


def test_cyrillic_mark_differs_by_letter() -> None:
    source = background()
    first = decode(watermark_image(encode(source), WatermarkSpec(text="Привет")).data)
    second = decode(watermark_image(encode(source), WatermarkSpec(text="Привед")).data)
    assert diff_bbox(source, first) is not None
    assert diff_bbox(first, second) is not None


def test_text_the_font_cannot_draw_is_refused() -> None:
    with pytest.raises(ValueError, match="can't draw"):
        WatermarkSpec(text="Канал 中文")


# --- formats and metadata --------------------------------------------------------------------


def test_exif_orientation_applied_and_personal_exif_removed() -> None:
    stored = Image.new("RGB", (400, 200), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 200, 200))  # red on the left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90° clockwise
    exif[0x013B] = "Jane Doe"  # Artist
    exif[0xA431] = "SN-123456"  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}
    data = encode(stored, "JPEG", exif=exif, quality=95)
    assert decode(data).getexif().get_ifd(0x8825)  # the fixture really carries GPS

    result = watermark_image(data, WatermarkSpec(text="x", position="top-left"))
    out = decode(result.data)
    assert (result.width, result.height) == out.size == (200, 400)
    exif_out = out.getexif()
    assert 0x0112 not in exif_out
    assert not exif_out.get_ifd(0x8825)
    assert len(exif_out) == 0
    assert "exif" not in out.info
    # Upright: what was stored on the left is now on top.
    top, bottom = out.getpixel((100, 100)), out.getpixel((100, 300))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_jpeg_keeps_subsampling_icc_and_drops_comment() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(
        background(), "JPEG", quality=90, subsampling=0, icc_profile=icc, comment=b"secret"
    )
    result = watermark_image(data, WatermarkSpec(text="AnalyticBot"))
    out = decode(result.data)
    assert (result.format, result.mime_type, result.extension) == ("JPEG", "image/jpeg", ".jpg")
    assert out.format == "JPEG" and out.size == (W, H)
    assert JpegImagePlugin.get_sampling(out) == 0
    assert out.info.get("icc_profile") == icc
    assert "comment" not in out.info


def transparent_rgba() -> Image.Image:
    """Return an RGBA picture that is fully transparent on its left half."""
    image = background().convert("RGBA")
    image.paste((0, 0, 0, 0), (0, 0, W // 2, H))
    return image


def palette_with_transparency() -> Image.Image:
    """Return a palette picture whose index 0 is transparent."""
    image = background().quantize(64)
    image.paste(0, (0, 0, 100, 100))
    image.info["transparency"] = 0
    return image


@pytest.mark.parametrize(
    ("make", "fmt", "options", "out_mode"),
    [
        pytest.param(background, "JPEG", {"quality": 90}, "RGB", id="jpeg-rgb"),
        pytest.param(lambda: background().convert("L"), "JPEG", {}, "L", id="jpeg-gray"),
        pytest.param(lambda: background().convert("CMYK"), "JPEG", {}, "CMYK", id="jpeg-cmyk"),
        pytest.param(background, "PNG", {}, "RGB", id="png-rgb"),
        pytest.param(transparent_rgba, "PNG", {}, "RGBA", id="png-rgba"),
        pytest.param(lambda: transparent_rgba().convert("LA"), "PNG", {}, "LA", id="png-la"),
        pytest.param(palette_with_transparency, "PNG", {}, "RGBA", id="png-p-transparent"),
        pytest.param(lambda: background().quantize(64), "PNG", {}, "RGB", id="png-p"),
        pytest.param(lambda: background().convert("1"), "PNG", {}, "L", id="png-1bit"),
        pytest.param(background, "WEBP", {"quality": 90}, "RGB", id="webp-lossy"),
        pytest.param(transparent_rgba, "WEBP", {"lossless": True}, "RGBA", id="webp-lossless"),
    ],
)
def test_format_size_and_mode_round_trip(
    make: Callable[[], Image.Image], fmt: str, options: dict[str, object], out_mode: str
) -> None:
    source = make()
    result = watermark_image(encode(source, fmt, **options), WatermarkSpec(text="Метка"))
    out = decode(result.data)
    assert result.format == out.format == fmt
    assert (result.width, result.height) == out.size == source.size
    assert out.mode == out_mode
    if "A" in out_mode:
        assert out.getchannel("A").getpixel((10, 10)) == 0  # transparency survives
    if fmt == "WEBP":
        assert result.mime_type == "image/webp" and result.extension == ".webp"


def test_png_text_chunks_are_dropped_and_16_bit_grey_is_scaled() -> None:
    ramp = Image.linear_gradient("L").resize((300, 200))
    deep = ramp.convert("I").point(lambda v: v * 257).convert("I;16")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Doe")
    out = decode(watermark_image(encode(deep, pnginfo=info), WatermarkSpec(text="x")).data)
    assert "Author" not in out.info
    assert out.mode == "L"
    assert out.getpixel((150, 100)) == ramp.getpixel((150, 100))  # scaled, not clipped to white


def test_mpo_camera_jpeg_uses_its_primary_image() -> None:
    primary, extra = Image.new("RGB", (320, 240), "red"), Image.new("RGB", (320, 240), "blue")
    data = encode(primary, "MPO", save_all=True, append_images=[extra])
    result = watermark_image(data, WatermarkSpec(text="x", position="top-left"))
    out = decode(result.data)
    assert (result.format, out.format, out.size) == ("JPEG", "JPEG", (320, 240))
    red, _, blue = out.getpixel((300, 200))
    assert red > 200 and blue < 60


# --- hostile and unsupported input -----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", id="pdf"),
        pytest.param(b"", id="empty"),
        pytest.param(b"hello, this is plain text", id="text"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", id="png-header-only"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", id="jpeg-no-frame"),
    ],
)
def test_non_images_are_rejected(data: bytes) -> None:
    with pytest.raises(NotAnImage) as info:
        watermark_image(data, WatermarkSpec(text="x"))
    assert "image" in info.value.user_message


def test_truncated_jpeg_is_not_an_image() -> None:
    noisy = Image.merge("RGB", [Image.effect_noise((300, 300), 60)] * 3)
    data = encode(noisy, "JPEG", quality=90)
    with pytest.raises(NotAnImage):
        watermark_image(data[: len(data) // 2], WatermarkSpec(text="x"))


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(encode(Image.new("RGB", (64, 64)), "GIF"), "GIF", id="gif"),
        pytest.param(encode(Image.new("RGB", (64, 64)), "BMP"), "BMP", id="bmp"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC", id="heic"),
    ],
)
def test_other_image_formats_are_unsupported(data: bytes, name: str) -> None:
    with pytest.raises(UnsupportedImage) as info:
        watermark_image(data, WatermarkSpec(text="x"))
    assert name in info.value.user_message


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animations_are_unsupported(fmt: str) -> None:
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "green", "blue")]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(UnsupportedImage, match="Animated"):
        watermark_image(data, WatermarkSpec(text="x"))


def test_file_over_max_bytes_is_too_large() -> None:
    data = encode(background())
    with pytest.raises(ImageTooLarge) as info:
        watermark_image(data, WatermarkSpec(text="x"), max_bytes=len(data) - 1)
    assert "MB" in info.value.user_message


def test_pixel_limit_is_checked_from_the_header() -> None:
    with pytest.raises(ImageTooLarge) as info:
        watermark_image(encode(background()), WatermarkSpec(text="x"), max_pixels=W * H - 1)
    assert f"{W}×{H}" in info.value.user_message


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = bomb_png()
    assert len(bomb) < 1_000_000
    with pytest.raises(ImageTooLarge) as info:
        watermark_image(bomb, WatermarkSpec(text="x"))
    assert "30000×30000" in info.value.user_message
    # Even a caller who lifts the pixel limit can't get past Pillow's bomb guard.
    with pytest.raises(DecompressionBomb) as info:
        watermark_image(bomb, WatermarkSpec(text="x"), max_pixels=10**12)
    assert info.value.user_message


@pytest.mark.parametrize(
    "side", [pytest.param(10_000, id="warning"), pytest.param(65_535, id="error")]
)
def test_bomb_in_an_unsupported_format_does_not_crash(side: int) -> None:
    # A GIF declaring a huge screen with one 1x1 frame: Pillow's bomb check fires on open.
    frame = b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    gif = b"GIF89a" + struct.pack("<HHBBB", side, side, 0, 0, 0) + frame + b";"
    with pytest.raises(UnsupportedImage):
        watermark_image(gif, WatermarkSpec(text="x"))


def test_errors_share_a_base_with_a_user_message() -> None:
    for error in (NotAnImage, UnsupportedImage, ImageTooLarge, DecompressionBomb):
        assert issubclass(error, WatermarkError)
        assert error().user_message


# --- spec ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"text": "x", "logo": b"png"}, id="both"),
        pytest.param({"text": "   "}, id="blank-text"),
        pytest.param({"text": "two\nlines"}, id="newline"),
        pytest.param({"text": "x" * 101}, id="too-long"),
        pytest.param({"logo": b"GIF89a..."}, id="logo-not-png"),
        pytest.param({"logo": b"\x89PNG\r\n\x1a\nbroken"}, id="logo-broken"),
        pytest.param({"text": "x", "opacity": 0}, id="opacity-zero"),
        pytest.param({"text": "x", "opacity": 1.5}, id="opacity-high"),
        pytest.param({"text": "x", "opacity": float("nan")}, id="opacity-nan"),
        pytest.param({"text": "x", "opacity": "0.5"}, id="opacity-str"),
        pytest.param({"text": "x", "relative_size": 0}, id="size-zero"),
        pytest.param({"text": "x", "relative_size": 2}, id="size-high"),
        pytest.param({"text": "x", "margin": -0.1}, id="margin-negative"),
        pytest.param({"text": "x", "margin": 0.5}, id="margin-high"),
        pytest.param({"text": "x", "color": "red"}, id="color-name"),
        pytest.param({"text": "x", "color": "#12345"}, id="color-short"),
        pytest.param({"text": "x", "position": "middle"}, id="position"),
    ],
)
def test_invalid_specs_raise_value_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError) as info:
        WatermarkSpec(**kwargs)  # type: ignore[arg-type]
    assert str(info.value)[0].isupper()  # a sentence for a human, not a repr


def test_spec_defaults_and_normalisation() -> None:
    text = WatermarkSpec(text="  @channel  ", position="top", color="#ff8800")
    assert text.text == "@channel"
    assert text.position is Position.TOP
    assert text.color == "#FF8800"
    assert 0 < text.relative_size < WatermarkSpec(logo=logo_png()).relative_size <= 1


def test_spec_json_round_trip() -> None:
    for spec in (
        WatermarkSpec(text="Канал", position=Position.TILED, opacity=0.3, color="#00FF00"),
        WatermarkSpec(logo=logo_png(), position="left", relative_size=0.25, margin=0),
    ):
        stored = json.dumps(spec.to_dict())
        assert WatermarkSpec.from_dict(json.loads(stored)) == spec


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"text": "x", "colour": "#FFFFFF"}, id="unknown-key"),
        pytest.param({"logo": "not base64!"}, id="bad-base64"),
        pytest.param({"logo": 123}, id="logo-not-str"),
        pytest.param(["text", "x"], id="not-a-mapping"),
    ],
)
def test_from_dict_rejects_bad_presets(data: object) -> None:
    with pytest.raises(ValueError):
        WatermarkSpec.from_dict(data)  # type: ignore[arg-type]


# --- preview and concurrency -----------------------------------------------------------------


def test_render_preview_is_a_small_jpeg_showing_the_mark() -> None:
    plain = decode(render_preview(WatermarkSpec(text="A", opacity=0.01)))
    marked = decode(render_preview(WatermarkSpec(text="@channel", opacity=1.0)))
    assert marked.format == "JPEG" and marked.size == (480, 320)
    assert decode(render_preview(WatermarkSpec(text="x"), width=200)).size == (200, 133)
    assert diff_bbox(plain, marked) is not None
    with pytest.raises(ValueError):
        render_preview(WatermarkSpec(text="x"), width=10)


def test_concurrent_calls_give_identical_results() -> None:
    data = encode(background(), "JPEG")
    specs = [WatermarkSpec(text=f"Канал {i % 3}", position="tiled") for i in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda spec: watermark_image(data, spec).data, specs))
    for i, result in enumerate(results):
        assert result == results[i % 3]
