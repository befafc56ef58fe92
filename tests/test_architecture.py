"""The rings of STYLE.md, checked by folder: what each layer may import and which calls belong where.

core/      pure rules        stdlib + holidays
mail/      pure codecs       + jinja2, authres; core
store/     tables, queries   core; never mail, use cases, adapters or wiring
usecases/  one per use case  core, mail, store; never adapters or wiring
adapters/  the edges         may call use cases (HTTP, scheduler); never the wiring
cli/, service.py, runners.py, checks.py, demo.py: the wiring, the only importers of adapters
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "foimail"
STDLIB = set(sys.stdlib_module_names)
WIRING = ("foimail.cli", "foimail.service", "foimail.runners", "foimail.checks", "foimail.demo")


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def ours(path: Path) -> set[str]:
    return {name for name in imports(path) if name.split(".")[0] == "foimail"}


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_core_is_pure(path: Path) -> None:
    for name in imports(path):
        top = name.split(".")[0]
        assert top in STDLIB or top == "holidays" or name.startswith("foimail.core"), f"{path.name} imports {name}"
    text = path.read_text(encoding="utf-8")
    for forbidden in ("datetime.now", "date.today", "os.environ", "open("):
        assert forbidden not in text, f"{path.name} uses {forbidden}"


@pytest.mark.parametrize("path", modules("mail"), ids=lambda p: p.name)
def test_mail_adds_only_templates_auth_results_and_bounce_detectors(path: Path) -> None:
    for name in imports(path):
        top = name.split(".")[0]
        allowed = top in STDLIB or top in ("jinja2", "authres") or name.startswith(("foimail.core", "foimail.mail"))
        assert allowed or name.startswith("flufl.bounce"), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("store"), ids=lambda p: p.name)
def test_store_knows_nothing_of_mail_use_cases_or_adapters(path: Path) -> None:
    for name in ours(path):
        assert name.startswith(("foimail.core", "foimail.store", "foimail.errors", "foimail.resources")), (
            f"{path.name} imports {name}"
        )


@pytest.mark.parametrize("path", modules("usecases"), ids=lambda p: p.name)
def test_use_cases_never_import_adapters_or_wiring(path: Path) -> None:
    for name in ours(path):
        assert not name.startswith(("foimail.adapters", *WIRING)), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("adapters"), ids=lambda p: p.name)
def test_adapters_never_import_the_wiring(path: Path) -> None:
    for name in ours(path):
        assert not name.startswith(WIRING), f"{path.name} imports {name}"


def test_only_the_wiring_imports_adapters() -> None:
    importers = {
        module_name(path)
        for path in modules("")
        if not module_name(path).startswith("foimail.adapters")
        and any(name.startswith("foimail.adapters") for name in ours(path))
    }
    assert all(name.startswith(WIRING) for name in importers), importers


def test_no_function_local_imports() -> None:
    """An import inside a function hides a dependency (or a cycle) from the module's head and from this test."""
    local = []
    for path in modules(""):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                local += [
                    f"{module_name(path)}.{node.name}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                ]
    assert local == []


def test_every_package_ships_in_the_wheel() -> None:
    """pyproject.toml lists the packages (the data folders are mapped in): a new folder must be added there."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {module_name(init) for init in PACKAGE.rglob("__init__.py")}
    assert on_disk <= listed
    assert {"foimail.templates", "foimail.migrations", "foimail.defaults"} <= listed


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
