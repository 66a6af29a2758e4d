"""Watermark presets, the current one, and the change being previewed."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WatermarkPresetRecord:
    id: int
    name: str
    settings: dict[str, Any]  # the mark's settings without the logo
    logo: bytes | None


@dataclass(frozen=True)
class WatermarkDraftRecord:
    """A change the user previews before applying it."""

    settings: dict[str, Any]
    logo: bytes | None


@dataclass(frozen=True)
class WatermarkStateRecord:
    preset: WatermarkPresetRecord | None  # None: no preset chosen yet
    draft: WatermarkDraftRecord | None


@dataclass(frozen=True)
class PresetName:
    id: int
    name: str
