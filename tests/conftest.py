"""Fixtures for every tier: the real-server plugins live in tests/support."""

import pytest

pytest_plugins = [
    "tests.support.dovecot",
    "tests.support.smtp",
    "tests.support.databases",
    "tests.support.app",
]

INTEGRATION_FIXTURES = frozenset({"dovecot", "mailbox", "smtp_server", "smtp_server_tls", "postgres_url"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what talks to a real server, so `pytest -m "not integration"` runs the quick tiers alone."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        if fixtures & INTEGRATION_FIXTURES or on_postgres:
            item.add_marker(pytest.mark.integration)
