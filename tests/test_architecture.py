"""The rings of STYLE.md, checked: what each layer may import and which calls belong where."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "foimail"
STDLIB = set(sys.stdlib_module_names)


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_core_is_pure(path: Path) -> None:
    for name in imports(path):
        top = name.split(".")[0]
        assert top in STDLIB or top == "holidays" or name.startswith("foimail.core"), f"{path.name} imports {name}"
    text = path.read_text(encoding="utf-8")
    for forbidden in ("datetime.now", "date.today", "os.environ", "open("):
        assert forbidden not in text, f"{path.name} uses {forbidden}"


@pytest.mark.parametrize("path", modules("mail"), ids=lambda p: p.name)
def test_mail_adds_only_templates_and_auth_results(path: Path) -> None:
    for name in imports(path):
        top = name.split(".")[0]
        assert top in STDLIB or top in ("jinja2", "authres") or name.startswith(("foimail.core", "foimail.mail")), (
            f"{path.name} imports {name}"
        )


@pytest.mark.parametrize("path", modules("store"), ids=lambda p: p.name)
def test_store_knows_nothing_of_mail_or_jobs(path: Path) -> None:
    for name in imports(path):
        assert not name.startswith(("foimail.intake", "foimail.outbound", "foimail.jobs", "foimail.mail")), (
            f"{path.name} imports {name}"
        )


def test_only_config_reads_the_environment_and_only_clock_reads_the_time() -> None:
    for path in modules(""):
        text = path.read_text(encoding="utf-8")
        if path.name not in ("config.py", "sdnotify.py"):  # sd_notify(3) is defined by its variables
            assert "os.environ" not in text, path
        if path.name != "clock.py":
            assert "datetime.now(" not in text and "date.today(" not in text, path


def test_modules_stay_small() -> None:
    too_long = {p.name: n for p in modules("") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert too_long == {}
