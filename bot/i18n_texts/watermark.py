"""/watermark: the panel, its buttons and questions, and images that could not be marked."""

from html import escape

from services.i18n import Message, PluralMessage, Translator
from services.watermark_image import Position, WatermarkError
from services.watermarks import MarkPanel

HOW = Message(
    "watermark-how",
    "Send me a photo, a file or an album: I send it back with this mark, in the same form. "
    "Send images as files to keep full quality.",
)
# Colour presets of the panel: value, the button's emoji, the colour's name.
COLORS = {
    "#FFFFFF": ("⚪", Message("watermark-color-white", "white")),
    "#000000": ("⚫", Message("watermark-color-black", "black")),
    "#E53935": ("🔴", Message("watermark-color-red", "red")),
    "#FDD835": ("🟡", Message("watermark-color-yellow", "yellow")),
    "#1E88E5": ("🔵", Message("watermark-color-blue", "blue")),
}
# The anchors' buttons are arrows, the same in every language; tiling is a word.
POSITION_ARROWS = {
    Position.TOP_LEFT: "↖",
    Position.TOP: "⬆",
    Position.TOP_RIGHT: "↗",
    Position.LEFT: "⬅",
    Position.CENTER: "⏺",
    Position.RIGHT: "➡",
    Position.BOTTOM_LEFT: "↙",
    Position.BOTTOM: "⬇",
    Position.BOTTOM_RIGHT: "↘",
}
TILED_BUTTON = Message("watermark-tiled-button", "🔁 Tiled")
# Where the mark is, as the panel's caption names it.
POSITION_NAMES = {
    Position.TOP_LEFT: Message("watermark-position-top-left", "top left"),
    Position.TOP: Message("watermark-position-top", "top"),
    Position.TOP_RIGHT: Message("watermark-position-top-right", "top right"),
    Position.LEFT: Message("watermark-position-left", "left"),
    Position.CENTER: Message("watermark-position-center", "center"),
    Position.RIGHT: Message("watermark-position-right", "right"),
    Position.BOTTOM_LEFT: Message("watermark-position-bottom-left", "bottom left"),
    Position.BOTTOM: Message("watermark-position-bottom", "bottom"),
    Position.BOTTOM_RIGHT: Message("watermark-position-bottom-right", "bottom right"),
    Position.TILED: Message("watermark-position-tiled", "tiled"),
}
SMALLER_BUTTON = Message("watermark-smaller-button", "➖ Smaller")
LARGER_BUTTON = Message("watermark-larger-button", "➕ Larger")
FAINTER_BUTTON = Message("watermark-fainter-button", "◻️ Fainter")
STRONGER_BUTTON = Message("watermark-stronger-button", "◼️ Stronger")
TEXT_BUTTON = Message("watermark-text-button", "✏️ Text")
LOGO_BUTTON = Message("watermark-logo-button", "🖼 Logo")
SAVE_BUTTON = Message("watermark-save-button", "💾 Save as preset")
PRESETS_BUTTON = Message("watermark-presets-button", "📚 Presets")
APPLY_BUTTON = Message("watermark-apply-button", "✅ Apply")
DISCARD_BUTTON = Message("watermark-discard-button", "↩️ Discard")
BACK_BUTTON = Message("watermark-back-button", "⬅️ Back")

ASK_TEXT = Message(
    "watermark-ask-text",
    "✏️ Send the text for your mark (up to 100 characters), for example <code>© Your Name</code>.",
)
NEEDS_TEXT = Message(
    "watermark-needs-text",
    "I have no channel of yours whose name I could put on your images.\n"
    "✏️ Send the text for your mark (up to 100 characters), for example <code>© Your Name</code>.",
)
ASK_LOGO = Message(
    "watermark-ask-logo",
    "🖼 Send your logo as a PNG <b>file</b>, up to 2 MB. As a file it keeps its transparency.",
)
LOGO_AS_FILE = Message(
    "watermark-logo-as-file",
    "Send the logo as a file, please: as a photo it loses its transparency.",
)
ASK_PRESET_NAME = Message(
    "watermark-ask-preset-name", "💾 Send a name for this preset (up to 32 characters)."
)
CHOOSE_CHANNEL = Message(
    "watermark-choose-channel",
    "Which channel's name should mark your images? I'll remember it; "
    "change it any time with /watermark.",
)
APPLIED = Message("watermark-applied", "✅ Applied: your images get this mark now.")
NO_PRESETS = Message("watermark-no-presets", "No presets yet: tap 💾 Save as preset first.")
CHANNEL_CHOSEN = Message(
    "watermark-channel-chosen",
    "✅ Your images will be marked with <b>{name}</b>. Change it any time with /watermark.",
)
PRESET_SAVED = Message(
    "watermark-preset-saved", "💾 Saved as <b>{name}</b>; your images get this mark now."
)

PANEL_TITLE = Message("watermark-panel-title", "🖋 <b>Your watermark</b> (your channel's name)")
PANEL_TITLE_PRESET = Message(
    "watermark-panel-title-preset", "🖋 <b>Your watermark</b>, preset <b>{preset}</b>"
)
PANEL_MARK_TEXT = Message("watermark-panel-mark-text", "Mark: “{text}”")
PANEL_MARK_LOGO = Message("watermark-panel-mark-logo", "Mark: your logo")
PANEL_SETTINGS = Message(
    "watermark-panel-settings", "Position {position} · size {size} · opacity {opacity}"
)
PANEL_SETTINGS_COLORED = Message(
    "watermark-panel-settings-colored",
    "Position {position} · size {size} · opacity {opacity} · colour {color}",
)
PANEL_PREVIEW = Message(
    "watermark-panel-preview", "👀 This is a preview: tap <b>✅ Apply</b> to use it."
)

WARNING = Message("watermark-warning", "⚠️ {reason}")
FAILURE_IN_ALBUM = Message("watermark-failure-in-album", "⚠️ {name}: {reason}")
FAILURES = PluralMessage(
    "watermark-failures",
    "⚠️ {n} image couldn't be watermarked:",
    "⚠️ {n} images couldn't be watermarked:",
)
FAILURES_LINE = Message("watermark-failures-line", "• {name}: {reason}")
ALBUM_PHOTO = Message("watermark-album-photo", "photo {number}")


def position_button(t: Translator, position: Position) -> str:
    return t(TILED_BUTTON) if position is Position.TILED else POSITION_ARROWS[position]


def panel_caption(t: Translator, panel: MarkPanel) -> str:
    spec = panel.spec
    if panel.preset_name is None:
        title = t(PANEL_TITLE)
    else:
        title = t(PANEL_TITLE_PRESET, preset=escape(panel.preset_name))
    if spec.text is not None:
        mark = t(PANEL_MARK_TEXT, text=escape(spec.text))
    else:
        mark = t(PANEL_MARK_LOGO)
    settings = {
        "position": t(POSITION_NAMES[spec.position]),
        "size": t.percent(spec.relative_size or 0, digits=0),
        "opacity": t.percent(spec.opacity, digits=0),
    }
    if spec.text is None:
        settings_line = t(PANEL_SETTINGS, **settings)
    else:
        color = COLORS.get(spec.color)
        color_name = t(color[1]) if color else escape(spec.color)
        settings_line = t(PANEL_SETTINGS_COLORED, **settings, color=color_name)
    lines = [title, mark, settings_line]
    if panel.has_draft:
        lines.append(t(PANEL_PREVIEW))
    return "\n".join([*lines, "", t(HOW)])


def channel_chosen(t: Translator, name: str) -> str:
    return t(CHANNEL_CHOSEN, name=escape(name))


def preset_saved(t: Translator, name: str) -> str:
    return t(PRESET_SAVED, name=escape(name))


def reason(t: Translator, error: WatermarkError) -> str:
    """Why the service refused, in the user's language (services/i18n_texts/watermark.py)."""
    values = {
        name: t.number(value) if isinstance(value, float) else escape(str(value))
        for name, value in error.values.items()
    }
    return t(error.reason, **values)


def rejected(t: Translator, error: WatermarkError) -> str:
    return t(WARNING, reason=reason(t, error))


def album_photo(t: Translator, number: int) -> str:
    """How a failure names a photo of an album, which has no file name."""
    return t(ALBUM_PHOTO, number=t.number(number))


def failures(t: Translator, refusals: list[tuple[str | None, WatermarkError]]) -> str:
    """Why images could not be watermarked: (the image's name in an album, or None; why)."""
    if len(refusals) == 1:
        name, error = refusals[0]
        if name:
            return t(FAILURE_IN_ALBUM, name=escape(name), reason=reason(t, error))
        return rejected(t, error)
    lines = [t.plural(FAILURES, len(refusals))]
    lines += [
        t(FAILURES_LINE, name=escape(name or ""), reason=reason(t, error))
        for name, error in refusals
    ]
    return "\n".join(lines)
