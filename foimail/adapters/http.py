"""The daemon's HTTP endpoint: `GET /healthz` and `GET /metrics` (Prometheus text), read at request time, and
`PUT /wake` (or POST), the mail server's push notification that mail has arrived.

Started by service.py when `http.listen` is set; stopped by the daemon's stop event. Nothing here writes: a
wake-up only ends intake's wait for mail early, so a stray or hostile one costs one look at the mailbox.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from foimail.context import AppContext
from foimail.core.calendar import is_overdue, local_date
from foimail.core.vocabulary import CaseStatus, Direction, OutboxStatus
from foimail.errors import ConfigError, FoimailError
from foimail.store.db import unit_of_work
from foimail.store.models import Case, MailboxState, OutboxItem, StoredMessage
from foimail.usecases.health import daemon_health

log = logging.getLogger("foimail.adapters.http")

TEXT_PLAIN = "text/plain; charset=utf-8"
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)  # the same "waiting" as health.daemon_health
MAX_LINE = 300
MAX_WAKE_BODY = 64 * 1024


def parse_listen(text: str) -> tuple[str, int]:
    """Split "127.0.0.1:9187", "localhost:9187" or "[::1]:9187" into (host, port)."""
    value = text.strip()
    if value.startswith("["):
        host, bracket, rest = value[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            raise ValueError(f"{text!r}: an IPv6 address is written [address]:port, e.g. [::1]:9187")
        port_text = rest[1:]
    else:
        host, colon, port_text = value.rpartition(":")
        if not colon:
            raise ValueError(f"{text!r}: expected host:port, e.g. 127.0.0.1:9187")
        if ":" in host:
            raise ValueError(f"{text!r}: put an IPv6 address in brackets, e.g. [::1]:9187")
    if not host:
        raise ValueError(f"{text!r}: the host is missing (use 127.0.0.1, or 0.0.0.0 for every interface)")
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{text!r}: the port must be a number from 1 to 65535, not {port_text!r}")
    return host, int(port_text)


def serve(ctx: AppContext, stop: threading.Event, arrived: threading.Event | None = None) -> threading.Thread:
    """Serve `http.listen` in a daemon thread until `stop` is set; the thread ends once the port is closed.

    Raises ConfigError when the setting is malformed or the address cannot be bound.
    """
    listen = ctx.settings.http.listen
    try:
        host, port = parse_listen(listen)
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (ValueError, OSError) as exc:
        raise ConfigError("http.listen", ctx.settings.source, str(exc)) from exc
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FoimailCollector(ctx))
    try:
        server = _Server((host, port), family, ctx, registry, arrived or threading.Event())
    except OSError as exc:
        raise ConfigError("http.listen", ctx.settings.source, f"cannot listen on {listen}: {exc}") from exc

    def run() -> None:
        try:
            server.serve_forever(poll_interval=0.5)
        finally:
            server.server_close()
            log.info("http: stopped listening on %s", listen)

    def watch() -> None:
        stop.wait()
        server.shutdown()

    thread = threading.Thread(target=run, name="http", daemon=True)
    thread.start()
    threading.Thread(target=watch, name="http-stop", daemon=True).start()
    log.info("http: listening on %s (/healthz, /metrics, /wake)", listen)
    return thread


class FoimailCollector:
    """Reads the database at scrape time: a handful of GROUP BY queries in one transaction."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        now = self.ctx.clock()
        today = local_date(now, self.ctx.tz)
        with unit_of_work(self.ctx.sessions) as session:
            messages = session.execute(
                select(StoredMessage.kind, StoredMessage.set_aside, func.count())
                .where(StoredMessage.direction == Direction.IN)
                .group_by(StoredMessage.kind, StoredMessage.set_aside)
            ).all()
            cases = session.execute(select(Case.status, func.count()).group_by(Case.status)).all()
            open_by_due_date = session.execute(
                select(Case.due_date, func.count()).where(Case.status == CaseStatus.OPEN).group_by(Case.due_date)
            ).all()
            outbox = session.execute(
                select(OutboxItem.status, func.count(), func.min(OutboxItem.created_at)).group_by(OutboxItem.status)
            ).all()
            checks = session.execute(select(MailboxState.source, MailboxState.last_check_at)).all()

        yield from _message_metrics([(kind, bool(set_aside), count) for kind, set_aside, count in messages])
        yield from _case_metrics(
            {status: count for status, count in cases},
            [(due, count) for due, count in open_by_due_date],
            today,
        )
        yield from _outbox_metrics([(status, count, oldest) for status, count, oldest in outbox], now)
        last_check = GaugeMetricFamily(
            "foimail_last_mailbox_check_timestamp_seconds",
            "When each mail source was last checked (Unix time); absent until the first check.",
            labels=["source"],
        )
        for source, checked_at in checks:
            if checked_at is not None:
                last_check.add_metric([source], checked_at.timestamp())
        yield last_check


def _message_metrics(rows: list[tuple[str, bool, int]]) -> Iterator[Metric]:
    by_kind: dict[str, int] = {}
    set_aside = 0
    for kind, is_set_aside, count in rows:
        by_kind[kind] = by_kind.get(kind, 0) + count
        set_aside += count if is_set_aside else 0
    total = CounterMetricFamily("foimail_messages", "Inbound messages stored, by classification kind.", labels=["kind"])
    for kind, count in sorted(by_kind.items()):
        total.add_metric([kind], count)
    yield total
    yield GaugeMetricFamily(
        "foimail_set_aside_messages",
        "Inbound messages set aside (not registered as a case).",
        value=set_aside,
    )


def _case_metrics(
    by_status: dict[str, int], open_by_due_date: list[tuple[date | None, int]], today: date
) -> Iterator[Metric]:
    cases = GaugeMetricFamily("foimail_cases", "Registered cases, by status.", labels=["status"])
    for status in CaseStatus:
        cases.add_metric([status.value], by_status.get(status, 0))
    yield cases
    overdue = sum(count for due, count in open_by_due_date if due is not None and is_overdue(due, today))
    yield GaugeMetricFamily(
        "foimail_cases_overdue", "Open cases past their due date (office-local calendar).", value=overdue
    )


def _outbox_metrics(rows: list[tuple[str, int, datetime | None]], now: datetime) -> Iterator[Metric]:
    depth = GaugeMetricFamily("foimail_outbox_depth", "Outbox items, by status.", labels=["status"])
    by_status = {status: count for status, count, _oldest in rows}
    for status in OutboxStatus:
        depth.add_metric([status.value], by_status.get(status, 0))
    for unknown in sorted(set(by_status) - set(OutboxStatus)):
        depth.add_metric([unknown], by_status[unknown])
    yield depth
    waiting = [oldest for status, _count, oldest in rows if status in WAITING and oldest is not None]
    age = max(0.0, (now - min(waiting)).total_seconds()) if waiting else 0.0
    yield GaugeMetricFamily(
        "foimail_outbox_oldest_pending_age_seconds",
        "Age of the oldest outbox item still waiting to be sent (pending or sending); 0 when none.",
        value=age,
    )
    yield CounterMetricFamily(
        "foimail_send_failures",
        "Outbox items given up on (SMTP 5xx or retried too long).",
        value=by_status.get(OutboxStatus.FAILED, 0),
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        family: socket.AddressFamily,
        ctx: AppContext,
        registry: CollectorRegistry,
        arrived: threading.Event,
    ) -> None:
        self.address_family = family
        self.ctx = ctx
        self.registry = registry
        self.arrived = arrived
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, a reverse DNS query we have no use for.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    server_version = "foimail"
    sys_version = ""  # no Python version in the Server header

    def do_GET(self) -> None:  # the name http.server dispatches to
        status, content_type, body = self._answer(urlsplit(self.path).path)
        try:
            self._reply(status, content_type, body)
        except ConnectionError:
            log.debug("http: %s went away before the answer", self.address_string())

    def do_PUT(self) -> None:
        """Dovecot's push_notification `ox` driver PUTs a small JSON document for each delivered message."""
        status, content_type, body = self._wake(urlsplit(self.path).path)
        try:
            self._reply(status, content_type, body)
        except ConnectionError:
            log.debug("http: %s went away before the answer", self.address_string())

    do_POST = do_PUT  # what other mail servers' hooks (or curl) send

    def _wake(self, path: str) -> tuple[int, str, bytes]:
        if path != "/wake":
            return 404, TEXT_PLAIN, b"not found: PUT or POST /wake\n"
        length = self.headers.get("Content-Length", "0")
        size = int(length) if length.isdigit() else -1
        if not 0 <= size <= MAX_WAKE_BODY:
            if 0 < size <= 16 * MAX_WAKE_BODY:
                self.rfile.read(size)  # read, so that the client gets the answer rather than a reset
            self.close_connection = True  # an unread body must not be taken for the next request
            return 413, TEXT_PLAIN, f"a wake-up carries at most {MAX_WAKE_BODY} bytes\n".encode()
        self.rfile.read(size)  # its content (user, folder, uid) is not needed: intake looks for itself
        cast(_Server, self.server).arrived.set()
        return 200, TEXT_PLAIN, b"ok\n"

    def _answer(self, path: str) -> tuple[int, str, bytes]:
        server = cast(_Server, self.server)
        try:
            if path == "/healthz":
                problems = [_one_line(problem) for problem in daemon_health(server.ctx)]
                if problems:
                    return 503, TEXT_PLAIN, "".join(f"{problem}\n" for problem in problems).encode()
                return 200, TEXT_PLAIN, b"ok\n"
            if path == "/metrics":
                return 200, CONTENT_TYPE_LATEST, generate_latest(server.registry)
            return 404, TEXT_PLAIN, b"not found: try /healthz or /metrics\n"
        except (FoimailError, SQLAlchemyError) as exc:
            return 503, TEXT_PLAIN, f"{_one_line(_describe(exc))}\n".encode()
        except Exception:  # the request boundary: log it, answer one line, keep serving
            log.exception("http: %s failed", path)
            return 500, TEXT_PLAIN, b"internal error (see the foimail log)\n"

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # the base class's name
        if log.isEnabledFor(logging.DEBUG):
            # The request line is the client's text: escape control characters so it cannot forge log lines.
            line = (format % args).encode("unicode_escape").decode("ascii")
            log.debug("http: %s %s", self.address_string(), line)


def _describe(exc: Exception) -> str:
    if isinstance(exc, SQLAlchemyError):
        # str() of a SQLAlchemyError carries the statement and a link; the driver's message is what helps.
        detail = getattr(exc, "orig", None) or exc.__class__.__name__
        return f"database unavailable: {detail}"
    return str(exc)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"
