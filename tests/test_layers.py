"""`make lint` holds the direction of imports: bot → services → db, services.domain shared."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_the_direction_of_imports() -> None:
    result = lint_imports(REPO)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "refusal"),
    [
        pytest.param(
            "bot/stray.py",
            "from db.users import UsersRepository",
            "bot is not allowed to import db",
            id="bot-imports-db",
        ),
        pytest.param(
            "services/stray.py",
            "from aiogram import Bot",
            "services is not allowed to import aiogram",
            id="services-import-aiogram",
        ),
        pytest.param(
            "services/stray.py",
            "from bot.i18n_texts.commands import COMMANDS",
            "services is not allowed to import bot",
            id="services-import-bot",
        ),
        pytest.param(
            "db/stray.py",
            "from services.users import UserService",
            "db is not allowed to import services",
            id="db-imports-services",
        ),
        pytest.param(
            "services/domain/stray.py",
            "from services.clock import Clock",
            "services.domain is not allowed to import services.clock",
            id="domain-imports-services",
        ),
    ],
)
def test_an_import_against_the_direction_fails_the_lint(
    tmp_path: Path, module: str, line: str, refusal: str
) -> None:
    for room in ("bot", "services", "db"):
        shutil.copytree(
            REPO / room, tmp_path / room, ignore=shutil.ignore_patterns("__pycache__", "assets")
        )
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / module).write_text(line + "\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert refusal in result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout
