"""Stamp a text or logo watermark onto JPEG, PNG and WebP images (pure Pillow, no I/O)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import io
import math
import re
import struct
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps, JpegImagePlugin

from services.i18n import ENGLISH, Message
from services.i18n_texts import watermark as texts

__all__ = [
    "DEFAULT_LOGO_SIZE",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_TEXT_SIZE",
    "FONT_PATH",
    "DecompressionBomb",
    "ImageFormat",
    "ImageTooLarge",
    "NotAnImage",
    "Position",
    "UnsupportedImage",
    "WatermarkError",
    "WatermarkSpec",
    "WatermarkedImage",
    "render_preview",
    "watermark_image",
]

ImageFormat = Literal["JPEG", "PNG", "WEBP"]

FONT_PATH: Final = Path(__file__).parent / "assets" / "fonts" / "DejaVuSans-Bold.ttf"
DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS: Final = 50_000_000
DEFAULT_TEXT_SIZE: Final = 0.05
DEFAULT_LOGO_SIZE: Final = 0.2
MAX_TEXT_LENGTH: Final = 100
MAX_LOGO_BYTES: Final = 2 * 1024 * 1024
MAX_LOGO_SIDE: Final = 2048

_MIME: Final[dict[str, tuple[str, str]]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
_COLOR_RE: Final = re.compile(r"#[0-9A-Fa-f]{6}")
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
# SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but don't.
_JPEG_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_MIN_FONT_SIZE: Final = 6
_PROBE_FONT_SIZE: Final = 24
# A private-use-free noncharacter: every font maps it to glyph 0, the .notdef box.
_NOTDEF_PROBE: Final = "\U0010ffff"
# The outline only needs to separate the text from the photo, so it stays fainter than the fill.
_OUTLINE_STRENGTH: Final = 0.5
_TILE_ANGLE: Final = 30.0
_JPEG_QUALITY: Final = 95
_PREVIEW_QUALITY: Final = 85

# FreeType faces are not safe to rasterise from two threads at once, and fonts are shared via
# the lru_cache below, so every use of a cached font happens under this lock.
_FONT_LOCK: Final = threading.Lock()


class WatermarkError(Exception):
    """Base error of this module: its ``reason``, filled with ``values``, is safe to show.

    The bot renders the reason in its user's language; ``user_message`` is the English one.
    """

    default_reason: Message = texts.COULD_NOT_WATERMARK

    def __init__(self, reason: Message | None = None, **values: str | int | float) -> None:
        self.reason = reason or self.default_reason
        self.values = values
        super().__init__(self.user_message)

    @property
    def user_message(self) -> str:
        return ENGLISH(self.reason, **self.values)


class NotAnImage(WatermarkError):
    """The bytes are not a readable image (wrong type, truncated or corrupt)."""

    default_reason = texts.NOT_AN_IMAGE


class UnsupportedImage(WatermarkError):
    """The bytes are an image, but not one this service can watermark."""

    default_reason = texts.UNSUPPORTED_IMAGE


class ImageTooLarge(WatermarkError):
    """The file or its declared pixel count is over the caller's limits."""

    default_reason = texts.TOO_LARGE

    @classmethod
    def file_over(cls, size: int, limit: int) -> ImageTooLarge:
        """The error for a file of ``size`` bytes over a ``limit`` of bytes."""
        return cls(texts.FILE_TOO_LARGE, size=_mib(size), limit=_mib(limit))


class DecompressionBomb(WatermarkError):
    """The image declares a size beyond Pillow's safety limit, a classic decompression bomb."""

    default_reason = texts.UNSAFE_SIZE


class InvalidMark(WatermarkError, ValueError):
    """A mark's text or logo that a person sent and that can't be used."""


class Position(StrEnum):
    """Where the mark goes: one of nine anchors, or tiled diagonally over the whole image."""

    TOP_LEFT = "top-left"
    TOP = "top"
    TOP_RIGHT = "top-right"
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    BOTTOM_LEFT = "bottom-left"
    BOTTOM = "bottom"
    BOTTOM_RIGHT = "bottom-right"
    TILED = "tiled"


# (column, row) of each anchor in a 3x3 grid; 0 = left/top, 1 = centre, 2 = right/bottom.
_ANCHORS: Final[dict[Position, tuple[int, int]]] = {
    Position.TOP_LEFT: (0, 0),
    Position.TOP: (1, 0),
    Position.TOP_RIGHT: (2, 0),
    Position.LEFT: (0, 1),
    Position.CENTER: (1, 1),
    Position.RIGHT: (2, 1),
    Position.BOTTOM_LEFT: (0, 2),
    Position.BOTTOM: (1, 2),
    Position.BOTTOM_RIGHT: (2, 2),
}


@dataclass(frozen=True, slots=True)
class WatermarkSpec:
    """What to stamp and how; sizes and margin are fractions of the image's shorter side.

    Exactly one of ``text`` and ``logo`` (PNG bytes) is set. ``relative_size`` is the text
    height or the logo width; ``None`` picks DEFAULT_TEXT_SIZE or DEFAULT_LOGO_SIZE. ``color``
    colours text only: a logo keeps its own colours.
    """

    text: str | None = None
    logo: bytes | None = field(default=None, repr=False)
    position: Position = Position.BOTTOM_RIGHT
    relative_size: float | None = None
    opacity: float = 0.6
    color: str = "#FFFFFF"
    margin: float = 0.03

    def __post_init__(self) -> None:
        """Validate every field and normalise text, colour, position and size."""
        text, logo = self.text, self.logo
        if (text is None) == (logo is None):
            raise ValueError("A watermark needs either text or a logo (exactly one of them).")
        if text is not None:
            object.__setattr__(self, "text", _validate_text(text))
        if logo is not None:
            object.__setattr__(self, "logo", _validate_logo(logo))
        object.__setattr__(self, "position", _validate_position(self.position))
        size = self.relative_size
        if size is None:
            size = DEFAULT_TEXT_SIZE if text is not None else DEFAULT_LOGO_SIZE
        object.__setattr__(self, "relative_size", _number("Size", size, 0.01, 1.0))
        object.__setattr__(
            self, "opacity", _number("Opacity", self.opacity, 0.0, 1.0, low_ok=False)
        )
        object.__setattr__(self, "margin", _number("Margin", self.margin, 0.0, 0.25))
        if not isinstance(self.color, str) or not _COLOR_RE.fullmatch(self.color):
            raise ValueError(f"Colour must look like #RRGGBB, got {self.color!r}.")
        object.__setattr__(self, "color", self.color.upper())

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the logo as base64) that from_dict() accepts."""
        return {
            "text": self.text,
            "logo": base64.b64encode(self.logo).decode("ascii") if self.logo is not None else None,
            "position": self.position.value,
            "relative_size": self.relative_size,
            "opacity": self.opacity,
            "color": self.color,
            "margin": self.margin,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WatermarkSpec:
        """Build a spec from to_dict() output; missing keys take defaults, bad values raise."""
        if not isinstance(data, Mapping):
            raise ValueError("A watermark preset must be a JSON object.")
        known = {"text", "logo", "position", "relative_size", "opacity", "color", "margin"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown watermark setting(s): {', '.join(map(str, unknown))}.")
        kwargs = dict(data)
        logo = kwargs.get("logo")
        if logo is not None:
            if not isinstance(logo, str):
                raise ValueError("The stored logo must be a base64 string.")
            try:
                kwargs["logo"] = base64.b64decode(logo, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError("The stored logo is not valid base64.") from exc
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class WatermarkedImage:
    """A watermarked image, encoded in the same format and pixel size as the (upright) input."""

    data: bytes = field(repr=False)
    format: ImageFormat
    width: int
    height: int
    mime_type: str
    extension: str  # with the dot, e.g. ".jpg"


@dataclass(frozen=True, slots=True)
class _Header:
    """Format and size read from a file's first bytes, before Pillow decodes anything."""

    format: ImageFormat
    width: int
    height: int
    lossless: bool = False


def watermark_image(
    data: bytes,
    spec: WatermarkSpec,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> WatermarkedImage:
    """Stamp ``spec`` onto a JPEG, PNG or WebP and re-encode it without EXIF metadata."""
    if not isinstance(spec, WatermarkSpec):
        raise TypeError(f"spec must be a WatermarkSpec, not {type(spec).__name__}")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_bytes:
        raise ImageTooLarge.file_over(len(data), max_bytes)
    header = _read_header(data)
    if header is None:
        raise _classify_unknown(data)
    _check_pixels(header.width, header.height, max_pixels)

    image = _decode(data, header)
    # Saving options are read from the decoded file before any transform replaces it.
    icc_profile = image.info.get("icc_profile")
    dpi = _clean_dpi(image.info.get("dpi"))
    sampling = JpegImagePlugin.get_sampling(image) if header.format == "JPEG" else -1
    progressive = bool(image.info.get("progressive"))
    # Broken EXIF must not cost the user their photo: then keep it as decoded.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)

    work, out_mode = _working_image(image)
    _apply_mark(work, spec)
    if work.mode != out_mode:
        work = work.convert(out_mode)
    encoded = _encode(
        work,
        header,
        icc_profile=icc_profile,
        dpi=dpi,
        sampling=sampling,
        progressive=progressive,
    )
    mime_type, extension = _MIME[header.format]
    return WatermarkedImage(
        data=encoded,
        format=header.format,
        width=work.width,
        height=work.height,
        mime_type=mime_type,
        extension=extension,
    )


def render_preview(spec: WatermarkSpec, *, width: int = 480) -> bytes:
    """Return a small JPEG of the mark on a generated grey gradient-and-checkerboard sample."""
    if not isinstance(spec, WatermarkSpec):
        raise TypeError(f"spec must be a WatermarkSpec, not {type(spec).__name__}")
    if isinstance(width, bool) or not isinstance(width, int) or not 64 <= width <= 2048:
        raise ValueError(f"Preview width must be a whole number from 64 to 2048, got {width!r}.")
    height = round(width * 2 / 3)
    # A dark-to-light sweep shows at a glance whether the mark reads on both kinds of photo.
    gradient = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90)
    gradient = gradient.resize((width, height)).point(lambda v: 40 + v * 180 // 255)
    cell = max(8, width // 16)
    checks = Image.new("L", (2, 2), 0)
    checks.putpixel((0, 0), 18)
    checks.putpixel((1, 1), 18)
    checks = checks.resize((cell * 2, cell * 2), Image.Resampling.NEAREST)
    pattern = Image.new("L", (width, height))
    for y in range(0, height, cell * 2):
        for x in range(0, width, cell * 2):
            pattern.paste(checks, (x, y))
    sample = Image.merge("RGB", [ImageChops.add(gradient, pattern)] * 3)
    _apply_mark(sample, spec)
    out = io.BytesIO()
    sample.save(out, "JPEG", quality=_PREVIEW_QUALITY)
    return out.getvalue()


def _validate_text(text: object) -> str:
    """Return the stripped text, or raise ValueError if it can't make a one-line mark."""
    if not isinstance(text, str):
        raise ValueError("Watermark text must be a string.")
    text = text.strip()
    if not text:
        raise InvalidMark(texts.TEXT_EMPTY)
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidMark(texts.TEXT_TOO_LONG, limit=MAX_TEXT_LENGTH)
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise InvalidMark(texts.TEXT_CONTROL_CHARACTERS)
    missing = sorted({char for char in text if not _has_glyph(char)})
    if missing:
        # Refusing here beats stamping .notdef boxes ("tofu") onto someone's photo.
        raise InvalidMark(texts.TEXT_UNDRAWABLE, characters=" ".join(missing))
    return text


def _validate_logo(logo: object) -> bytes:
    """Return the logo as bytes, or raise ValueError unless it is a usable still PNG."""
    if not isinstance(logo, bytes | bytearray):
        raise ValueError("The logo must be PNG file bytes.")
    logo = bytes(logo)
    if not logo:
        raise InvalidMark(texts.LOGO_EMPTY)
    if len(logo) > MAX_LOGO_BYTES:
        raise InvalidMark(texts.LOGO_TOO_LARGE, size=_mib(MAX_LOGO_BYTES))
    _decode_logo(logo)
    return logo


def _validate_position(position: object) -> Position:
    """Return ``position`` as a Position, accepting its string value."""
    try:
        return Position(position)
    except ValueError:
        choices = ", ".join(p.value for p in Position)
        raise ValueError(f"Position must be one of: {choices}; got {position!r}.") from None


def _number(name: str, value: object, low: float, high: float, *, low_ok: bool = True) -> float:
    """Return ``value`` as a float within its range, or raise ValueError naming the field."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    too_low = value < low if low_ok else value <= low
    if too_low or value > high:
        lower = "from" if low_ok else "more than"
        raise ValueError(f"{name} must be {lower} {low:g} and at most {high:g}, got {value:g}.")
    return float(value)


def _mib(size: int) -> int | float:
    """A byte count in megabytes, to one decimal, for user messages."""
    return _one_decimal(size / (1024 * 1024))


def _one_decimal(value: float) -> int | float:
    """12.34 as 12.3, and 40.0 as 40: a whole number reads without its ".0"."""
    rounded = round(value, 1)
    return int(rounded) if rounded.is_integer() else rounded


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    """Reject a declared size over the caller's or Pillow's limit before any decoding."""
    pixels = width * height
    if pixels > max_pixels:
        raise ImageTooLarge(
            texts.TOO_MANY_PIXELS,
            dimensions=f"{width}×{height}",
            megapixels=_one_decimal(pixels / 1e6),
            limit=_one_decimal(max_pixels / 1e6),
        )
    # Checking Pillow's own limit here, from the header, means its DecompressionBombWarning is
    # never reached; that matters because silencing it would mean warnings.catch_warnings,
    # which swaps process-wide state and is not thread-safe.
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and pixels > limit:
        raise DecompressionBomb(texts.UNSAFE_DIMENSIONS, dimensions=f"{width}×{height}")


def _read_header(data: bytes) -> _Header | None:
    """Read format and declared size of a JPEG, PNG or WebP; None means some other kind of file."""
    try:
        if data.startswith(_PNG_SIGNATURE):
            header = _png_header(data)
        elif data.startswith(b"\xff\xd8\xff"):
            header = _jpeg_header(data)
        elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            header = _webp_header(data)
        else:
            return None
    except (IndexError, struct.error) as exc:
        raise NotAnImage() from exc
    if header.width <= 0 or header.height <= 0:
        raise NotAnImage()
    return header


def _png_header(data: bytes) -> _Header:
    """Read the size from a PNG's IHDR chunk, which the format requires to come first."""
    if data[12:16] != b"IHDR":
        raise NotAnImage()
    width, height = struct.unpack(">II", data[16:24])
    return _Header("PNG", width, height)


def _jpeg_header(data: bytes) -> _Header:
    """Walk JPEG markers up to the first start-of-frame and read the size from it."""
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length field
            pos += 2
        elif marker in (0xD9, 0xDA):  # end of image or scan data before any frame header
            break
        elif marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return _Header("JPEG", width, height)
        else:
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    raise NotAnImage()


def _webp_header(data: bytes) -> _Header:
    """Read the canvas size of a WebP and whether its image data is lossless (VP8L)."""
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return _Header("WEBP", width, height, lossless=_webp_has_vp8l(data))
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            raise NotAnImage()
        bits = int.from_bytes(data[21:25], "little")
        return _Header("WEBP", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, lossless=True)
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise NotAnImage()
        width = int.from_bytes(data[26:28], "little") & 0x3FFF
        height = int.from_bytes(data[28:30], "little") & 0x3FFF
        return _Header("WEBP", width, height)
    raise NotAnImage()


def _webp_has_vp8l(data: bytes) -> bool:
    """Tell whether an extended WebP's first image chunk is lossless."""
    pos = 12
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        if fourcc == b"VP8L":
            return True
        if fourcc == b"VP8 ":
            return False
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        pos += 8 + size + (size & 1)
    return False


def _classify_unknown(data: bytes) -> WatermarkError:
    """Name the format of an image we don't handle, or call the bytes not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            name = image.format or "This"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return UnsupportedImage()
    except Exception:
        # Pillow only parsed a header here; any failure means it isn't an image it knows.
        brand = data[8:12] if data[4:8] == b"ftyp" else b""
        if brand[:3] in (b"hei", b"hev") or brand in (b"mif1", b"msf1"):
            # iPhones send HEIC when a photo goes as a file; say so rather than "not an image".
            return UnsupportedImage(texts.UNSUPPORTED_FORMAT, format="HEIC")
        return NotAnImage()
    return UnsupportedImage(texts.UNSUPPORTED_FORMAT, format=name)


def _decode(data: bytes, header: _Header) -> Image.Image:
    """Fully decode a still image whose header was already checked; only WatermarkError escapes."""
    try:
        image = Image.open(io.BytesIO(data), formats=[header.format])
        # MPO is how cameras store a JPEG plus extra views; its first frame is the photo.
        if getattr(image, "is_animated", False) and image.format != "MPO":
            raise UnsupportedImage(texts.ANIMATED)
        image.load()
    except WatermarkError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DecompressionBomb() from exc
    except Exception as exc:
        # Pillow's plugins raise many exception types on hostile or truncated input; to the
        # user they all mean the same thing.
        raise NotAnImage() from exc
    return image


def _working_image(image: Image.Image) -> tuple[Image.Image, str]:
    """Return an image in a mode the mark can be composited onto, and the mode to save in."""
    mode = image.mode
    has_transparency = "transparency" in image.info
    # Grey stays grey and colour stays colour so that the kept ICC profile still matches.
    if mode in ("RGB", "L") and has_transparency:
        return image.convert("RGBA"), "RGBA" if mode == "RGB" else "LA"
    if mode in ("RGB", "RGBA", "L", "CMYK"):
        return image, mode
    if mode in ("LA", "La"):
        return image.convert("RGBA"), "LA"
    if mode in ("P", "PA"):
        out = "RGBA" if mode == "PA" or has_transparency else "RGB"
        return image.convert(out), out
    if mode.startswith("I"):
        # 16-bit grey: scale to 8 bits rather than letting convert() clip everything to white.
        return image.convert("I").point(lambda v: v / 257, "L"), "L"
    if mode in ("1", "F"):
        return image.convert("L"), "L"
    return image.convert("RGB"), "RGB"


def _apply_mark(base: Image.Image, spec: WatermarkSpec) -> None:
    """Composite the spec's mark onto ``base`` in place (modes RGB, RGBA, L or CMYK)."""
    short = min(base.size)
    margin = round(spec.margin * short)
    max_width, max_height = max(1, base.width - 2 * margin), max(1, base.height - 2 * margin)
    size = max(1, round((spec.relative_size or 0) * short))
    if spec.text is not None:
        mark = _text_mark(spec.text, size, max_width, max_height, spec.color, spec.opacity)
    else:
        assert spec.logo is not None
        mark = _logo_mark(spec.logo, size, max_width, max_height, spec.opacity)

    if spec.position is Position.TILED:
        # Rotate premultiplied so that transparent pixels don't bleed dark fringes.
        tile = mark.convert("RGBa").rotate(_TILE_ANGLE, Image.Resampling.BICUBIC, expand=True)
        tile = tile.convert("RGBA")
        origins: Iterator[tuple[int, int]] = _tile_origins(base.size, mark.size, tile.size, margin)
    else:
        tile = mark
        origins = iter([_anchor_origin(spec.position, base.size, mark.size, margin)])

    if base.mode == "RGBA":
        colour = tile
    else:
        colour = tile.convert("RGB")
        if base.mode != "RGB":
            colour = colour.convert(base.mode)
    alpha = tile.getchannel("A")
    for x, y in origins:
        _stamp(base, tile, colour, alpha, x, y)


def _anchor_origin(
    position: Position, canvas: tuple[int, int], mark: tuple[int, int], margin: int
) -> tuple[int, int]:
    """Return the top-left corner of a mark placed at one of the nine anchors."""
    column, row = _ANCHORS[position]
    xs = (margin, (canvas[0] - mark[0]) // 2, canvas[0] - margin - mark[0])
    ys = (margin, (canvas[1] - mark[1]) // 2, canvas[1] - margin - mark[1])
    return xs[column], ys[row]


def _tile_origins(
    canvas: tuple[int, int], mark: tuple[int, int], tile: tuple[int, int], margin: int
) -> Iterator[tuple[int, int]]:
    """Yield top-left corners of rotated tiles laid in staggered rows along the diagonal."""
    gap = max(margin, mark[1])
    step_along, step_across = mark[0] + 2 * gap, mark[1] + 2 * gap
    angle = math.radians(_TILE_ANGLE)
    # Unit vectors of the rotated rows (text direction) and across them, in y-down coordinates.
    ux, uy = math.cos(angle), -math.sin(angle)
    vx, vy = math.sin(angle), math.cos(angle)
    cx, cy = canvas[0] / 2, canvas[1] / 2
    reach = math.hypot(*canvas) / 2 + max(tile)
    columns, rows = math.ceil(reach / step_along), math.ceil(reach / step_across)
    for j in range(-rows, rows + 1):
        shift = step_along / 2 if j % 2 else 0.0
        for i in range(-columns, columns + 1):
            along, across = i * step_along + shift, j * step_across
            x = round(cx + along * ux + across * vx - tile[0] / 2)
            y = round(cy + along * uy + across * vy - tile[1] / 2)
            if x < canvas[0] and y < canvas[1] and x + tile[0] > 0 and y + tile[1] > 0:
                yield x, y


def _stamp(
    base: Image.Image, mark: Image.Image, colour: Image.Image, alpha: Image.Image, x: int, y: int
) -> None:
    """Blend one mark onto ``base`` at (x, y), clipped to the canvas."""
    left, top = max(x, 0), max(y, 0)
    right, bottom = min(x + mark.width, base.width), min(y + mark.height, base.height)
    if left >= right or top >= bottom:
        return
    box = (left - x, top - y, right - x, bottom - y)
    if box != (0, 0, mark.width, mark.height):
        mark, colour, alpha = mark.crop(box), colour.crop(box), alpha.crop(box)
    if base.mode == "RGBA":
        # Real "over" compositing keeps the base's own transparency correct under the mark.
        base.alpha_composite(mark, (left, top))
    else:
        base.paste(colour, (left, top), alpha)


def _text_mark(
    text: str, size: int, max_width: int, max_height: int, color: str, opacity: float
) -> Image.Image:
    """Render text with a faint contrasting outline as an RGBA image that fits the given box."""
    size = max(size, _MIN_FONT_SIZE)
    with _FONT_LOCK:
        # A long text at the requested height may be wider than the photo: shrink it to fit.
        for _ in range(5):
            font = _font(size)
            stroke = max(1, round(size / 20))
            left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
            width, height = max(1, right - left), max(1, bottom - top)
            if (width <= max_width and height <= max_height) or size <= _MIN_FONT_SIZE:
                break
            size = max(
                _MIN_FONT_SIZE, math.floor(size * min(max_width / width, max_height / height))
            )
        # One draw call yields both masks, aligned: red = fill coverage, green = fill + outline.
        scratch = Image.new("RGB", (width, height))
        ImageDraw.Draw(scratch).text(
            (-left, -top),
            text,
            font=font,
            fill=(255, 255, 0),
            stroke_width=stroke,
            stroke_fill=(0, 255, 0),
        )
    fill_mask, outline_mask, _ = scratch.split()
    rgb = _hex_rgb(color)
    # Dark outline around light text and vice versa, so the mark reads on any photo.
    luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    outline_rgb = (0, 0, 0) if luminance >= 128 else (255, 255, 255)
    colours = Image.composite(
        Image.new("RGB", scratch.size, rgb), Image.new("RGB", scratch.size, outline_rgb), fill_mask
    )
    outline_mask = outline_mask.point(lambda v: round(v * _OUTLINE_STRENGTH))
    alpha = ImageChops.lighter(fill_mask, outline_mask).point(lambda v: round(v * opacity))
    mark = colours.convert("RGBA")
    mark.putalpha(alpha)
    return mark


def _logo_mark(
    logo: bytes, width: int, max_width: int, max_height: int, opacity: float
) -> Image.Image:
    """Scale the logo to ``width`` (or down to fit the box) and apply opacity, as RGBA."""
    source = _decode_logo(logo)
    height = max(1, round(source.height * width / source.width))
    scale = min(1.0, max_width / width, max_height / height)
    if scale < 1:
        width, height = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
    # The cached logo is premultiplied, so resampling doesn't drag colour out of clear pixels.
    mark = source.resize((width, height), Image.Resampling.LANCZOS).convert("RGBA")
    if opacity < 1:
        mark.putalpha(mark.getchannel("A").point(lambda v: round(v * opacity)))
    return mark


@functools.lru_cache(maxsize=16)
def _decode_logo(logo: bytes) -> Image.Image:
    """Decode a PNG logo once into a premultiplied RGBa image; callers must not modify it."""
    try:
        header = _read_header(logo)
    except NotAnImage:
        header = None
    if header is None or header.format != "PNG":
        raise InvalidMark(texts.LOGO_NOT_PNG)
    if max(header.width, header.height) > MAX_LOGO_SIDE:
        raise InvalidMark(texts.LOGO_TOO_WIDE, side=MAX_LOGO_SIDE)
    try:
        image = Image.open(io.BytesIO(logo), formats=["PNG"])
        animated = getattr(image, "is_animated", False)
        image.load()
    except Exception as exc:
        raise InvalidMark(texts.LOGO_DAMAGED) from exc
    if animated:
        raise InvalidMark(texts.LOGO_ANIMATED)
    return image.convert("RGBA").convert("RGBa")


@functools.lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """Load the bundled font at a pixel size; use only while holding _FONT_LOCK."""
    return ImageFont.truetype(str(FONT_PATH), size)


@functools.lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    """Tell whether the bundled font draws ``char`` as something other than its .notdef box."""
    with _FONT_LOCK:
        font = _font(_PROBE_FONT_SIZE)
        glyph, notdef = font.getmask(char), font.getmask(_NOTDEF_PROBE)
        return (glyph.size, bytes(glyph)) != (notdef.size, bytes(notdef))


def _hex_rgb(color: str) -> tuple[int, int, int]:
    """Convert "#RRGGBB" to an RGB tuple."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _clean_dpi(value: object) -> tuple[float, float] | None:
    """Return a usable (x, y) DPI pair from image info, or None if it is missing or junk."""
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    try:
        x, y = float(value[0]), float(value[1])
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(x) and math.isfinite(y) and x > 0 and y > 0):
        return None
    return x, y


def _encode(
    image: Image.Image,
    header: _Header,
    *,
    icc_profile: bytes | None,
    dpi: tuple[float, float] | None,
    sampling: int,
    progressive: bool,
) -> bytes:
    """Save in the input's format with only the metadata we choose to keep (ICC, DPI)."""
    # Pillow falls back to image.info for some metadata (e.g. JPEG comments, which can carry
    # personal data), so start from nothing and pass what we keep explicitly.
    image.info = {}
    options: dict[str, Any] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if dpi and header.format != "WEBP":
        options["dpi"] = dpi
    if header.format == "JPEG":
        options.update(quality=_JPEG_QUALITY, progressive=progressive)
        if sampling >= 0:
            options["subsampling"] = sampling
    elif header.format == "WEBP":
        options["lossless"] = header.lossless
        if not header.lossless:
            options["quality"] = _JPEG_QUALITY
    out = io.BytesIO()
    image.save(out, header.format, **options)
    return out.getvalue()
