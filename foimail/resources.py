"""The files foimail ships beside its code: templates, migrations, the annex calendar, the example config.

They live in the repository's top-level ``templates/``, ``migrations/`` and ``config/`` and are mapped into the
package as ``foimail.templates``, ``foimail.migrations`` and ``foimail.defaults`` (pyproject.toml,
``package-dir``). Reading them through importlib.resources means a checkout, an editable install, a wheel and
the Docker image all find the same files the same way.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _directory(package: str) -> Path:
    """The package's folder on disk (foimail is never imported from a zip: alembic needs real paths)."""
    folder = files(package)
    if not isinstance(folder, Path):
        raise RuntimeError(f"{package} is not installed as a folder on disk ({folder!r})")
    return folder


def templates_dir() -> Path:
    return _directory("foimail.templates")


def migrations_dir() -> Path:
    return _directory("foimail.migrations")


def publication_file() -> Path:
    """The annex calendar shipped with foimail (Batumi res. No. 3 annex; docs/LAW.md)."""
    return _directory("foimail.defaults") / "publication.toml"


def example_config_file() -> Path:
    return _directory("foimail.defaults") / "foimail.example.toml"
