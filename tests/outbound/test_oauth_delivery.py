"""The outbox with an OAuth-only SMTP server, on both databases: nothing is lost while the token is dead."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from foimail.adapters.oauth import finish_device_login, start_device_login
from foimail.config import OAuthSettings, PathSettings
from foimail.core.vocabulary import OutboxStatus
from foimail.runners import OutboxRunner
from foimail.usecases.health import daemon_health
from foimail.usecases.intake import process_one
from tests.adapters.test_oauth_device import Approver
from tests.adapters.test_oauth_tokens import USER, oauth_settings
from tests.outbound.test_delivery import outbox
from tests.support.app import SettableClock, smtp_settings_for
from tests.support.mails import request_mail
from tests.support.oauth_server import TokenEndpoint
from tests.support.smtp import OAuthSmtpServer


@pytest.mark.parametrize("mechanism", ["xoauth2", "oauthbearer"])
def test_confirmations_wait_for_a_new_login_and_health_says_so_at_once(  # type: ignore[no-untyped-def]
    make_app, oauth_smtp_server: OAuthSmtpServer, token_endpoint: TokenEndpoint, tmp_path: Path, mechanism: str
) -> None:
    oauth: OAuthSettings = oauth_settings(token_endpoint, token_endpoint.grant(USER))
    smtp = dataclasses.replace(smtp_settings_for(oauth_smtp_server), username=USER, auth=mechanism)
    clock = SettableClock(datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    ctx = make_app(clock=clock, smtp=smtp, oauth=oauth, paths=PathSettings(state_dir=str(tmp_path)))
    runner = OutboxRunner(ctx)
    process_one(ctx, request_mail(sender="first@example.org"), source="t1")
    assert runner.run_once() == 1
    assert oauth_smtp_server.logins == [(mechanism.upper(), USER)]

    token_endpoint.revoke(USER)  # the cached access token dies with it
    process_one(ctx, request_mail(sender="second@example.org"), source="t2")
    runner.run_once()
    waiting = [item for item in outbox(ctx) if item.status == OutboxStatus.PENDING]
    assert len(waiting) == 1 and "run `foimail oauth login`" in (waiting[0].last_error or "")
    [problem] = daemon_health(ctx)  # at once, not after ten minutes: waiting will not heal it
    assert problem.startswith("sending has been failing since") and "foimail oauth login" in problem

    login = start_device_login(oauth)
    finish_device_login(oauth, login, tmp_path, sleep=Approver(token_endpoint, login.user_code, 1))
    clock.advance(hours=1)  # past the retry delay
    runner.run_once()
    assert [m.rcpt_tos for m in oauth_smtp_server.wait_for(2)] == [["first@example.org"], ["second@example.org"]]
    assert daemon_health(ctx) == []
    runner.close()
