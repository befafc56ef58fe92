"""The HTTP endpoint on a real loopback port, over a real database: /healthz, /metrics, errors, shutdown."""

from __future__ import annotations

import logging
import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from foimail.adapters.http import parse_listen, serve
from foimail.config import HttpSettings
from foimail.context import AppContext
from foimail.core.vocabulary import CaseStatus, Direction, OutboxStatus
from foimail.errors import ConfigError
from foimail.store.db import unit_of_work
from foimail.store.models import Case, MailboxState, OutboxItem, StoredMessage
from tests.support.app import SettableClock

# 21:30 UTC is 01:30 next day in Tbilisi (UTC+4): the office's "today" is 21 November, not the 20th.
NOW = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
OFFICE_TODAY = date(2026, 11, 21)
IMAP_SOURCE = "imap://foi@batumi.ge@mail.batumi.ge/INBOX"

# No proxy from the environment may stand between the test and 127.0.0.1.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Served:
    ctx: AppContext
    host: str
    port: int
    stop: threading.Event
    thread: threading.Thread
    arrived: threading.Event

    def send(self, method: str, path: str, body: bytes = b"{}") -> tuple[int, str]:
        """(status, body) of a PUT or POST, as Dovecot's push_notification driver sends it."""
        request = urllib.request.Request(f"http://{self.host}:{self.port}{path}", data=body, method=method)
        request.add_header("Content-Type", "application/json; charset=utf-8")
        try:
            with OPENER.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()

    def get(self, path: str) -> tuple[int, str, str]:
        """(status, content type, body) of GET path."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        try:
            with OPENER.open(f"http://{host}:{self.port}{path}", timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers["Content-Type"], error.read().decode()


def free_port(host: str = "127.0.0.1", family: socket.AddressFamily = socket.AF_INET) -> int:
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def refuses_connections(host: str, port: int, family: socket.AddressFamily = socket.AF_INET) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as client:
        client.settimeout(2)
        return client.connect_ex((host, port)) != 0


def start(ctx: AppContext) -> Served:
    host, port = parse_listen(ctx.settings.http.listen)
    stop, arrived = threading.Event(), threading.Event()
    return Served(ctx, host, port, stop, serve(ctx, stop, arrived), arrived)


@pytest.fixture
def served(make_app: Callable[..., AppContext]) -> Iterator[Served]:
    ctx = make_app(clock=SettableClock(NOW), http=HttpSettings(listen=f"127.0.0.1:{free_port()}"))
    running = start(ctx)
    yield running
    running.stop.set()
    running.thread.join(10)


def add_rows(ctx: AppContext) -> None:
    """Cases either side of the overdue line, outbox items in every state, messages in and out."""
    cases = [
        (CaseStatus.OPEN, date(2026, 11, 10)),  # overdue
        (CaseStatus.OPEN, date(2026, 11, 20)),  # overdue in Tbilisi, though still the 20th in UTC
        (CaseStatus.OPEN, OFFICE_TODAY),  # due today: not overdue until midnight (CPC Art. 61(3))
        (CaseStatus.OPEN, None),  # not yet confirmed
        (CaseStatus.CLOSED, date(2026, 11, 1)),  # answered late, but closed: not overdue
    ]
    messages = [
        (Direction.IN, "request", False),
        (Direction.IN, "request", False),
        (Direction.IN, "follow_up", False),
        (Direction.IN, "auto_reply", True),
        (Direction.IN, "bounce", True),
        (Direction.OUT, "confirmation", False),  # outbound: in no inbound metric
    ]
    outbox = [
        (OutboxStatus.PENDING, timedelta(hours=2)),
        (OutboxStatus.PENDING, timedelta(minutes=10)),
        (OutboxStatus.SENDING, timedelta(minutes=30)),
        (OutboxStatus.SENT, timedelta(days=3)),  # older, but sent: not waiting
        (OutboxStatus.FAILED, timedelta(days=2)),
        (OutboxStatus.FAILED, timedelta(days=1)),
    ]
    with unit_of_work(ctx.sessions) as session:
        for seq, (case_status, due) in enumerate(cases, start=1):
            session.add(
                Case(
                    number=f"FOI-2026-{seq:05d}",
                    year=2026,
                    seq=seq,
                    requester_address=f"r{seq}@example.ge",
                    received_at=NOW - timedelta(days=20),
                    registered_at=NOW - timedelta(days=20),
                    due_date=due,
                    status=case_status,
                )
            )
        for index, (direction, kind, set_aside) in enumerate(messages):
            session.add(
                StoredMessage(
                    direction=direction,
                    sha256=f"{index:064x}",
                    raw=b"x",
                    size=1,
                    kind=kind,
                    set_aside=set_aside,
                    received_at=NOW,
                    stored_at=NOW,
                )
            )
        for index, (item_status, age) in enumerate(outbox):
            session.add(
                OutboxItem(
                    kind="confirmation",
                    recipients=["r@example.ge"],
                    message_id_header=f"<{index}@batumi.ge>",
                    status=item_status,
                    next_attempt_at=NOW,
                    created_at=NOW - age,
                )
            )
        session.add(MailboxState(source=IMAP_SOURCE, last_check_at=NOW - timedelta(seconds=60)))
        session.add(MailboxState(source="maildir:/var/mail/foi", last_check_at=None))


def scrape(running: Served) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, content_type, body = running.get("/metrics")
    assert status == 200, body
    # CONTENT_TYPE_LATEST: version=0.0.4 in older prometheus-client, 1.0.0 in newer; Prometheus reads both.
    assert content_type.startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def test_healthz_is_ok_on_a_fresh_database(served: Served) -> None:
    assert served.get("/healthz") == (200, "text/plain; charset=utf-8", "ok\n")


def test_metrics_are_read_from_the_database(served: Served) -> None:
    add_rows(served.ctx)
    values = scrape(served)
    assert values[("foimail_messages_total", (("kind", "request"),))] == 2
    assert values[("foimail_messages_total", (("kind", "follow_up"),))] == 1
    assert values[("foimail_messages_total", (("kind", "auto_reply"),))] == 1
    assert values[("foimail_messages_total", (("kind", "bounce"),))] == 1
    assert ("foimail_messages_total", (("kind", "confirmation"),)) not in values
    assert values[("foimail_set_aside_messages", ())] == 2
    assert values[("foimail_cases", (("status", "open"),))] == 4
    assert values[("foimail_cases", (("status", "closed"),))] == 1
    assert values[("foimail_cases_overdue", ())] == 2
    assert values[("foimail_outbox_depth", (("status", "pending"),))] == 2
    assert values[("foimail_outbox_depth", (("status", "sending"),))] == 1
    assert values[("foimail_outbox_depth", (("status", "sent"),))] == 1
    assert values[("foimail_outbox_depth", (("status", "failed"),))] == 2
    assert values[("foimail_outbox_depth", (("status", "suppressed"),))] == 0
    assert values[("foimail_outbox_oldest_pending_age_seconds", ())] == 2 * 3600
    assert values[("foimail_send_failures_total", ())] == 2
    source = ("foimail_last_mailbox_check_timestamp_seconds", (("source", IMAP_SOURCE),))
    assert values[source] == (NOW - timedelta(seconds=60)).timestamp()
    never_checked = [key for key in values if ("source", "maildir:/var/mail/foi") in key[1]]
    assert never_checked == []


def test_metrics_on_an_empty_database_are_zero_not_absent(served: Served) -> None:
    values = scrape(served)
    assert values[("foimail_cases", (("status", "open"),))] == 0
    assert values[("foimail_cases", (("status", "closed"),))] == 0
    assert values[("foimail_cases_overdue", ())] == 0
    assert values[("foimail_outbox_depth", (("status", "pending"),))] == 0
    assert values[("foimail_outbox_oldest_pending_age_seconds", ())] == 0
    assert values[("foimail_send_failures_total", ())] == 0
    assert values[("foimail_set_aside_messages", ())] == 0


def test_healthz_lists_one_problem_per_line(served: Served) -> None:
    add_rows(served.ctx)
    status, _content_type, body = served.get("/healthz")
    assert status == 503
    lines = body.splitlines()
    assert body.endswith("\n") and len(lines) == 2, body
    assert lines[0].startswith("mailbox maildir:/var/mail/foi last checked never")
    assert lines[1].startswith("outbox has mail waiting since")


def test_other_paths_are_not_found(served: Served) -> None:
    for path in ("/", "/metrics/extra", "/healthz.php", "/../etc/passwd"):
        status, _content_type, body = served.get(path)
        assert status == 404, path
        assert body.count("\n") == 1
    assert served.get("/metrics?format=any")[0] == 200


def test_a_database_error_is_one_line_and_no_traceback(served: Served) -> None:
    with served.ctx.engine.begin() as connection:
        connection.execute(text("DROP TABLE outbox"))
    for path in ("/metrics", "/healthz"):
        status, content_type, body = served.get(path)
        assert (status, content_type) == (503, "text/plain; charset=utf-8"), body
        assert body.count("\n") == 1 and body.endswith("\n"), body
        assert "Traceback" not in body and "sqlalche.me" not in body
        assert "outbox" in body


def test_each_request_is_logged_once_at_debug(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="foimail.adapters.http")
    served.get("/metrics")
    served.get("/nowhere")
    lines = [record for record in caplog.records if record.name == "foimail.adapters.http"]
    assert [record.levelno for record in lines] == [logging.DEBUG, logging.DEBUG]
    assert "GET /metrics" in lines[0].getMessage() and " 200 " in lines[0].getMessage()
    assert "GET /nowhere" in lines[1].getMessage() and " 404 " in lines[1].getMessage()


def test_setting_stop_closes_the_port(served: Served) -> None:
    assert served.get("/healthz")[0] == 200
    served.stop.set()
    served.thread.join(10)
    assert not served.thread.is_alive()
    assert refuses_connections(served.host, served.port)


def test_serves_on_ipv6_loopback(make_app: Callable[..., AppContext]) -> None:
    try:
        port = free_port("::1", socket.AF_INET6)
    except OSError as error:
        pytest.skip(f"no IPv6 loopback here: {error}")
    running = start(make_app(clock=SettableClock(NOW), http=HttpSettings(listen=f"[::1]:{port}")))
    try:
        assert running.get("/healthz") == (200, "text/plain; charset=utf-8", "ok\n")
    finally:
        running.stop.set()
        running.thread.join(10)
    assert refuses_connections("::1", port, socket.AF_INET6)


def test_a_port_in_use_is_a_config_error(make_app: Callable[..., AppContext]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        ctx = make_app(http=HttpSettings(listen=listen))
        with pytest.raises(ConfigError) as caught:
            serve(ctx, threading.Event())
    assert caught.value.key == "http.listen"
    assert f"cannot listen on {listen}" in str(caught.value)


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:9187", ("127.0.0.1", 9187)),
        (" 0.0.0.0:9187 ", ("0.0.0.0", 9187)),
        ("localhost:80", ("localhost", 80)),
        ("[::1]:9187", ("::1", 9187)),
        ("[::]:65535", ("::", 65535)),
    ],
)
def test_parse_listen(listen: str, expected: tuple[str, int]) -> None:
    assert parse_listen(listen) == expected


@pytest.mark.parametrize(
    ("listen", "complaint"),
    [
        ("", "expected host:port"),
        ("9187", "expected host:port"),
        ("::1:9187", "IPv6 address in brackets"),
        ("[::1]9187", "[address]:port"),
        ("[::1", "[address]:port"),
        (":9187", "the host is missing"),
        ("[]:9187", "the host is missing"),
        ("127.0.0.1:", "port must be a number"),
        ("127.0.0.1:0", "port must be a number from 1 to 65535"),
        ("127.0.0.1:65536", "port must be a number from 1 to 65535"),
        ("127.0.0.1:http", "port must be a number"),
        ("127.0.0.1:٩١٨٧", "port must be a number"),  # Arabic-Indic digits pass str.isdigit()
    ],
)
def test_parse_listen_refuses_with_a_reason(listen: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        parse_listen(listen)


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_push_from_the_mail_server_wakes_intake(served: Served, method: str) -> None:
    body = b'{"user":"foi@batumi.ge","event":"messageNew","folder":"INBOX","imap-uid":7}'
    assert served.send(method, "/wake", body) == (200, "ok\n")
    assert served.arrived.is_set()


def test_a_push_elsewhere_or_too_large_wakes_nothing(served: Served) -> None:
    assert served.send("PUT", "/metrics")[0] == 404
    assert served.send("PUT", "/wake", b"x" * (64 * 1024 + 1))[0] == 413
    assert served.get("/wake")[0] == 404  # GET reads; only PUT or POST wake
    assert not served.arrived.is_set()
    assert served.get("/healthz")[0] in (200, 503)  # still serving after the refusals
