"""The officer desks shared by the officer-workflow tests (see tests/support/desk.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.desk import Desk, open_desk


@pytest.fixture
def desk(make_app, smtp_server, mailbox) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    """Officers taken at their From: (allow_unauthenticated_officers)."""
    desk = open_desk(make_app, smtp_server, mailbox)
    yield desk
    desk.close()


@pytest.fixture
def trusting_desk(make_app, smtp_server, mailbox) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    """Officers authenticated by mx.batumi.ge's Authentication-Results."""
    desk = open_desk(make_app, smtp_server, mailbox, trusted_authserv_id="mx.batumi.ge")
    yield desk
    desk.close()


@pytest.fixture
def postfix_desk(make_app, smtp_server, mailbox) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    """Officers authenticated by mail.batumi.ge's Postfix: its Received header, the topmost, names the login."""
    desk = open_desk(make_app, smtp_server, mailbox, trusted_received_by="mail.batumi.ge", trusted_received_hops=1)
    yield desk
    desk.close()
