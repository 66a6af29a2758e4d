"""/watermark: the panel, its buttons and questions, and images that could not be marked."""

from html import escape

from services.i18n import Message, Messages, Translator
from services.watermark_image import Position, WatermarkError
from services.watermarks import MarkPanel

# texts.NAME here, watermark_texts.NAME elsewhere: the message watermark-name, its English in
# services/locales/watermark.pot.
texts = Messages("watermark")
__getattr__ = texts.__getattr__

# Colour presets of the panel: value, the button's emoji, the colour's name.
COLORS = {
    "#FFFFFF": ("⚪", Message("watermark-color-white")),
    "#000000": ("⚫", Message("watermark-color-black")),
    "#E53935": ("🔴", Message("watermark-color-red")),
    "#FDD835": ("🟡", Message("watermark-color-yellow")),
    "#1E88E5": ("🔵", Message("watermark-color-blue")),
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
# Where the mark is, as the panel's caption names it.
POSITION_NAMES = texts.each("POSITION", Position)


def position_button(t: Translator, position: Position) -> str:
    return t(texts.TILED_BUTTON) if position is Position.TILED else POSITION_ARROWS[position]


def panel_caption(t: Translator, panel: MarkPanel) -> str:
    spec = panel.spec
    if panel.preset_name is None:
        title = t(texts.PANEL_TITLE)
    else:
        title = t(texts.PANEL_TITLE_PRESET, preset=escape(panel.preset_name))
    if spec.text is not None:
        mark = t(texts.PANEL_MARK_TEXT, text=escape(spec.text))
    else:
        mark = t(texts.PANEL_MARK_LOGO)
    settings = {
        "position": t(POSITION_NAMES[spec.position]),
        "size": t.percent(spec.relative_size or 0, digits=0),
        "opacity": t.percent(spec.opacity, digits=0),
    }
    if spec.text is None:
        settings_line = t(texts.PANEL_SETTINGS, **settings)
    else:
        color = COLORS.get(spec.color)
        color_name = t(color[1]) if color else escape(spec.color)
        settings_line = t(texts.PANEL_SETTINGS_COLORED, **settings, color=color_name)
    lines = [title, mark, settings_line]
    if panel.has_draft:
        lines.append(t(texts.PANEL_PREVIEW))
    return "\n".join([*lines, "", t(texts.HOW)])


def channel_chosen(t: Translator, name: str) -> str:
    return t(texts.CHANNEL_CHOSEN, name=escape(name))


def preset_saved(t: Translator, name: str) -> str:
    return t(texts.PRESET_SAVED, name=escape(name))


def reason(t: Translator, error: WatermarkError) -> str:
    """Why the service refused, in the user's language (services/i18n_texts/watermark.py)."""
    values = {
        name: t.number(value) if isinstance(value, float) else escape(str(value))
        for name, value in error.values.items()
    }
    return t(error.reason, **values)


def rejected(t: Translator, error: WatermarkError) -> str:
    return t(texts.WARNING, reason=reason(t, error))


def album_photo(t: Translator, number: int) -> str:
    """How a failure names a photo of an album, which has no file name."""
    return t(texts.ALBUM_PHOTO, number=t.number(number))


def failures(t: Translator, refusals: list[tuple[str | None, WatermarkError]]) -> str:
    """Why images could not be watermarked: (the image's name in an album, or None; why)."""
    if len(refusals) == 1:
        name, error = refusals[0]
        if name:
            return t(texts.FAILURE_IN_ALBUM, name=escape(name), reason=reason(t, error))
        return rejected(t, error)
    lines = [t.plural(texts.FAILURES, len(refusals))]
    lines += [
        t(texts.FAILURES_LINE, name=escape(name or ""), reason=reason(t, error))
        for name, error in refusals
    ]
    return "\n".join(lines)
