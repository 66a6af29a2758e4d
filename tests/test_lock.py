"""requirements.lock, which `make install` installs, pins every dependency pyproject.toml names."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)", re.MULTILINE)


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [
        Requirement(line)
        for line in project["dependencies"] + project["optional-dependencies"]["dev"]
    ]


def _pinned() -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    for match in _PIN.finditer((ROOT / "requirements.lock").read_text()):
        pins.setdefault(canonicalize_name(match["name"]), []).append(match["version"])
    return pins


def test_lock_pins_every_dependency_within_its_range() -> None:
    pinned = _pinned()
    # A dependency added to pyproject.toml without `make lock` would be missing from .venv.
    stale = [
        str(requirement)
        for requirement in _declared()
        if not any(
            requirement.specifier.contains(version, prereleases=True)
            for version in pinned.get(canonicalize_name(requirement.name), [])
        )
    ]
    assert stale == [], "run `make lock`: requirements.lock does not satisfy these"
