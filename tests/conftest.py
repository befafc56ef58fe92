"""Fixtures for every tier: the real-server plugins live in tests/support."""

from pathlib import Path

import pytest

pytest_plugins = [
    "tests.support.oauth_server",
    "tests.support.dovecot",
    "tests.support.dovecot_push",
    "tests.support.smtp",
    "tests.support.databases",
    "tests.support.app",
]

TESTS = Path(__file__).resolve().parent
# The quick tier: the pure rings (core/, mail/) and the architecture check, data in and data out.
PURE_TIER = (TESTS / "core", TESTS / "mail", TESTS / "test_architecture.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything outside the pure tier (databases, Dovecot, SMTP, daemons), so that
    `pytest -m "not integration"` runs the pure rings alone, in seconds."""
    for item in items:
        path = Path(str(item.path))
        if not any(path == pure or pure in path.parents for pure in PURE_TIER):
            item.add_marker(pytest.mark.integration)
