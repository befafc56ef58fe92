"""Walk the office calendar day by day, running the daily jobs as the scheduler would; read what they queued.

The expected side is kept apart from the code under test: working days come from docs/LAW.md's list written out
here (`DAYS_OFF`), not from foimail's calendar, so a holiday the calendar forgot shows up as a failure.
"""

from __future__ import annotations

import email
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.policy import default
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from foimail.context import AppContext
from foimail.runners import OutboxRunner
from foimail.store.db import unit_of_work
from foimail.store.models import Case, OutboxItem
from foimail.usecases.daily import run_daily_jobs
from foimail.usecases.intake import process_one
from tests.support.app import SettableClock
from tests.support.mails import request_mail

TBILISI = ZoneInfo("Asia/Tbilisi")
MORNING_RUN = time(9, 30)  # reminders.at
AFTERNOON_RUN = time(14, 30)  # a restart later the same day: must queue nothing new

# docs/LAW.md's Labour Code Art. 30 days off that fall on a weekday, December 2026 to January 2029.
DAYS_OFF = frozenset(
    [date(2027, 1, day) for day in (1, 7, 19)]  # 2 January 2027 is a Saturday
    + [date(2027, 3, 3), date(2027, 3, 8), date(2027, 4, 9)]
    + [date(2027, 4, 30), date(2027, 5, 3)]  # Orthodox Good Friday and Easter Monday (Easter: 2 May 2027)
    + [date(2027, 5, day) for day in (12, 17, 26)]  # 9 May 2027 is a Sunday
    + [date(2027, 10, 14), date(2027, 11, 23)]  # 28 August 2027 is a Saturday
    + [
        date(2028, 1, 7),
        date(2028, 1, 19),
        date(2028, 3, 3),
        date(2028, 3, 8),
        date(2028, 4, 14),
    ]  # Easter 16 Apr
    + [date(2028, 4, 17), date(2028, 5, 9), date(2028, 5, 12), date(2028, 5, 17), date(2028, 5, 26)]
    + [date(2028, 8, 28), date(2028, 11, 23), date(2029, 1, 1), date(2029, 1, 2), date(2029, 1, 19)]
)
NUMBER = re.compile(r"FOI-\d{4}-\d{5}")
DIGEST_SUBJECT = "Daily digest"
PUBLICATION_SUBJECT = "Proactive publication due"
OFFICE_OVERDUE_HEADING = "Overdue cases (deemed refusals, GAC Art. 177(2)):"
DECREE_LINE = "have the Government's decreed days off for January"


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in DAYS_OFF


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def working_days(first: date, last: date) -> set[date]:
    return {day for day in days(first, last) if is_working_day(day)}


def office_time(day: date, hour: int, minute: int = 0) -> datetime:
    """hour:minute Tbilisi time (UTC+4, no daylight saving) as an aware UTC moment, as the clock gives it."""
    return datetime.combine(day, time(hour, minute), tzinfo=TBILISI).astimezone(UTC)


@dataclass(frozen=True)
class Queued:
    """One outbox row, its rendered mail parsed back."""

    kind: str
    recipients: tuple[str, ...]
    queued_on: date  # local date of created_at
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes], ...]


def queued_mail(ctx: AppContext) -> list[Queued]:
    with unit_of_work(ctx.sessions) as session:
        items = list(session.execute(select(OutboxItem).order_by(OutboxItem.id)).scalars())
        rows = [(item.kind, tuple(item.recipients), item.created_at, item.raw) for item in items]
    found = []
    for kind, recipients, created_at, raw in rows:
        if raw is None:  # a confirmation: rendered when it is sent
            found.append(Queued(kind, recipients, created_at.astimezone(TBILISI).date(), "", "", ()))
            continue
        message = email.message_from_bytes(raw, policy=default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        attachments = tuple(
            (part.get_filename() or "", part.get_payload(decode=True)) for part in message.iter_attachments()
        )
        found.append(
            Queued(
                kind,
                recipients,
                created_at.astimezone(TBILISI).date(),
                " ".join(str(message["Subject"]).split()),
                body.get_content() if body is not None else "",
                attachments,
            )
        )
    return found


def digests(mail: Iterable[Queued]) -> list[Queued]:
    return [m for m in mail if m.kind == "digest" and DIGEST_SUBJECT in m.subject]


def publication_reminders(mail: Iterable[Queued]) -> list[Queued]:
    return [m for m in mail if PUBLICATION_SUBJECT in m.subject]


def reports(mail: Iterable[Queued]) -> list[Queued]:
    return [m for m in mail if m.kind == "report"]


def office_overdue_numbers(digest: Queued) -> set[str]:
    """Case numbers the notify digest lists as deemed refusals (its whole-office overdue section)."""
    _, heading, rest = digest.body.partition(OFFICE_OVERDUE_HEADING)
    assert heading, f"no whole-office overdue section in the digest of {digest.queued_on}"
    listed = set()
    for line in rest.splitlines():
        if not line.strip():
            continue
        if not line.startswith("  "):  # the next section's heading
            break
        if "OVERDUE" in line:
            listed.update(NUMBER.findall(line))
    return listed


def own_case_numbers(digest: Queued) -> set[str]:
    """Case numbers in the digest's first section: the recipient's own cases falling due or overdue."""
    own, _, _ = digest.body.partition("== ")
    return set(NUMBER.findall(own))


Action = Callable[[AppContext], None]


class CalendarWalk:
    """Run the daily jobs at 09:30 and 14:30 Tbilisi on given days, with actions at given moments.

    Requests are registered through the real intake pipeline and confirmed through the real outbox runner
    (the confirmation sets the due date; give the context an smtp.pickup_dir: "sent" is written to a folder).
    """

    def __init__(self, ctx: AppContext, clock: SettableClock, runner: OutboxRunner) -> None:
        self.ctx = ctx
        self.clock = clock
        self.runner = runner
        self.actions: list[tuple[datetime, Action]] = []
        self._registered = 0

    def at(self, moment: datetime, action: Action) -> None:
        self.actions.append((moment, action))

    def register(self, moment: datetime, *, officer: str | None = None) -> None:
        """A request from a new requester arrives at `moment` and is confirmed at once; `officer` gets it."""
        self._registered += 1
        sender = f"requester{self._registered}@example.org"
        body = f"Request {self._registered}: the 2025 budget execution report."

        def arrive(ctx: AppContext) -> None:
            result = process_one(ctx, request_mail(sender=sender, body=body), source="walk", received_at=self.clock())
            assert result.kind == "request", result
            while self.runner.run_once():  # until the queue is empty: the confirmation sets the due date
                pass
            if officer is not None:
                set_case(ctx, result.case_number, assigned_officer=officer)

        self.at(moment, arrive)

    def close(self, moment: datetime, number: str, outcome: str, **fields: object) -> None:
        """The case is decided at `moment`: its fields set in the database, as the officer workflow would."""
        self.at(
            moment,
            lambda ctx: set_case(ctx, number, status="closed", outcome=outcome, answered_at=moment, **fields),
        )

    def run(self, run_days: Iterable[date]) -> None:
        """The jobs run on `run_days` (the daemon is down on the others); every action happens regardless."""
        timeline = list(self.actions)
        for day in run_days:
            for run in (MORNING_RUN, AFTERNOON_RUN):
                timeline.append((office_time(day, run.hour, run.minute), run_daily_jobs))
        for moment, action in sorted(timeline, key=lambda entry: entry[0]):
            self.clock.now = moment
            action(self.ctx)


def set_case(ctx: AppContext, number: str | None, **fields: object) -> None:
    with unit_of_work(ctx.sessions) as session:
        changed = session.execute(update(Case).where(Case.number == number).values(**fields))
        assert changed.rowcount == 1, number  # type: ignore[attr-defined]


def due_dates(ctx: AppContext) -> dict[str, date | None]:
    with unit_of_work(ctx.sessions) as session:
        return {case.number: case.due_date for case in session.execute(select(Case)).scalars()}
