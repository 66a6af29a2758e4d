"""Why an image, a logo, a mark's text or a preset name was refused (services/watermark*.py)."""

from services.i18n import Message

COULD_NOT_WATERMARK = Message("watermark-error-failed", "Couldn't watermark this image.")
NOT_AN_IMAGE = Message(
    "watermark-error-not-an-image",
    "This file isn't a readable image. Send a JPEG, PNG or WebP picture.",
)
UNSUPPORTED_IMAGE = Message(
    "watermark-error-unsupported",
    "This image format isn't supported. Send a JPEG, PNG or WebP picture.",
)
UNSUPPORTED_FORMAT = Message(
    "watermark-error-unsupported-format",
    "{format} images aren't supported. Send a JPEG, PNG or WebP picture.",
)
ANIMATED = Message(
    "watermark-error-animated",
    "Animated images aren't supported. Send a JPEG, PNG or WebP picture.",
)
TOO_LARGE = Message("watermark-error-too-large", "This image is too large to watermark.")
FILE_TOO_LARGE = Message(
    "watermark-error-file-too-large",
    "This file is {size} MB; the limit is {limit} MB. Send a smaller image.",
)
TOO_MANY_PIXELS = Message(
    "watermark-error-too-many-pixels",
    "This image is {dimensions} pixels ({megapixels} MP); the limit is {limit} MP. "
    "Send a smaller image.",
)
UNSAFE_SIZE = Message(
    "watermark-error-unsafe-size", "This image declares an unsafe size and was rejected."
)
UNSAFE_DIMENSIONS = Message(
    "watermark-error-unsafe-dimensions",
    "This image declares {dimensions} pixels, more than can be opened safely.",
)
DOWNLOAD_FAILED = Message(
    "watermark-error-download-failed",
    "I couldn't download this image from Telegram. Please send it again.",
)

TEXT_EMPTY = Message("watermark-error-text-empty", "Watermark text can't be empty.")
TEXT_TOO_LONG = Message(
    "watermark-error-text-too-long", "Watermark text must be at most {limit} characters."
)
TEXT_CONTROL_CHARACTERS = Message(
    "watermark-error-text-control-characters",
    "Watermark text must be a single line without control characters.",
)
TEXT_UNDRAWABLE = Message(
    "watermark-error-text-undrawable", "The watermark font can't draw: {characters}"
)
LOGO_EMPTY = Message("watermark-error-logo-empty", "The logo file is empty.")
LOGO_TOO_LARGE = Message("watermark-error-logo-too-large", "The logo must be at most {size} MB.")
LOGO_NOT_PNG = Message("watermark-error-logo-not-png", "The logo must be a PNG image.")
LOGO_TOO_WIDE = Message(
    "watermark-error-logo-too-wide", "The logo must be at most {side}×{side} pixels."
)
LOGO_DAMAGED = Message(
    "watermark-error-logo-damaged", "The logo PNG can't be read; it may be damaged."
)
LOGO_ANIMATED = Message(
    "watermark-error-logo-animated", "The logo must be a still PNG, not an animation."
)
PRESET_NAME_LENGTH = Message(
    "watermark-error-preset-name-length", "A preset name is 1 to {limit} characters."
)
PRESET_NAME_CONTROL_CHARACTERS = Message(
    "watermark-error-preset-name-control-characters",
    "A preset name can't contain control characters.",
)
