"""GAC Art. 80(1): a request the office does not hold is forwarded within 5 days, on both databases.

An officer marks the case with ``#toforward <body>``; from then on the digests show the 5-day date, the
case is overdue after it (though its 10-day answer date has not come), and the statistics count it so.

Dates: registered Mon 2026-03-16 (tests/support/desk.py), so the 5 days end Sat 21 March and move to
Mon 23 March (CPC Art. 61(2)); the 10-day answer date is Thu 26 March.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from foimail.store.db import unit_of_work
from foimail.store.statistics import quarterly_statistics
from foimail.usecases.export import case_record
from foimail.usecases.reminders import send_daily_digests
from tests.support.desk import NOTIFY, NUMBER, OFFICER, REQUESTER, Desk, officer_mail, open_desk

FORWARD_BY = date(2026, 3, 23)
BODY = "საქართველოს იუსტიციის სამინისტრო"


@pytest.fixture
def desk(make_app, smtp_server, mailbox) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    desk = open_desk(make_app, smtp_server, mailbox)
    yield desk
    desk.close()


def tbilisi(day: int, hour: int = 9, minute: int = 30) -> datetime:
    """A March 2026 moment, Tbilisi time (UTC+4), as UTC."""
    return datetime(2026, 3, day, hour - 4, minute, tzinfo=UTC)


def mark(desk: Desk) -> None:
    desk.receive(officer_mail(f"#toforward {BODY}\n#note ეს ინფორმაცია იუსტიციის სამინისტროშია\n"))
    [receipt] = desk.send_all()
    assert receipt.rcpt_tos == [OFFICER]
    assert "უფლებამოსილ ორგანოში გადაგზავნის ვადა: 2026 წლის 23 მარტი" in receipt.text
    assert "forwarded to the competent body by 23 March 2026 (GAC Art. 80(1))" in receipt.text


def digest_lines(desk: Desk, day: int) -> str:
    desk.clock.now = tbilisi(day)
    assert send_daily_digests(desk.ctx) == 1
    [digest] = desk.send_all()
    assert digest.rcpt_tos == [NOTIFY]
    return digest.text


def statistics(desk: Desk, day: int) -> dict[str, object]:
    with unit_of_work(desk.ctx.sessions) as session:
        return quarterly_statistics(session, 2026, 1, tbilisi(day, 12), desk.ctx.tz)


def test_marking_sets_the_five_day_date_and_sends_nothing_to_the_requester(desk: Desk) -> None:
    mark(desk)
    case = desk.case()
    assert (case.forward_by, case.due_date, case.status, case.outcome) == (FORWARD_BY, date(2026, 3, 26), "open", None)
    assert case_record(case)["forward_by"] == "2026-03-23"  # foimail cases show / list / export
    [event] = desk.events("to_forward")
    assert event.actor == OFFICER and event.detail == {"body": BODY, "forward_by": "2026-03-23"}
    desk.clock.now = tbilisi(20, 11)
    desk.receive(officer_mail("#toforward\n"))  # marked again, later: the date stays
    [receipt] = desk.send_all()
    assert receipt.rcpt_tos == [OFFICER]
    assert desk.case().forward_by == FORWARD_BY


def test_the_digest_shows_the_date_and_calls_the_case_overdue_after_it(desk: Desk) -> None:
    mark(desk)
    friday = digest_lines(desk, 20)  # one working day to Monday 23rd; the answer date is four away
    assert f"  {NUMBER}  2026-03-26  დარჩა 1 სამუშაო დღე / 1 working day left" in friday
    assert "გადაგზავნის ვადა / forward by: 2026-03-23 (სზაკ / GAC 80(1))" in friday
    assert "OVERDUE" not in friday

    tuesday = digest_lines(desk, 24)  # 26 March not yet come, 23 March passed
    overdue_part = tuesday.split("== მთელი ოფისი / The whole office ==")[1]
    assert f"  {NUMBER}  2026-03-26  ვადაგადაცილებულია / OVERDUE" in overdue_part
    assert "forward by: 2026-03-23" in overdue_part


def test_statistics_count_it_overdue_after_the_fifth_day_and_late_if_forwarded_after(desk: Desk) -> None:
    mark(desk)
    on_the_day = statistics(desk, 23)
    assert (on_the_day["pending"], on_the_day["overdue_open"]) == (1, 0)
    after = statistics(desk, 24)
    assert (after["pending"], after["overdue_open"]) == (0, 1)

    desk.clock.now = tbilisi(25, 11)  # forwarded on the 25th: two days late for Art. 80(1), on time for 40(1)
    desk.receive(officer_mail(f"#forwarded {BODY}\n\nთქვენი მოთხოვნა გადაეგზავნა იუსტიციის სამინისტროს.\n"))
    answer, _receipt = desk.send_all()
    assert answer.rcpt_tos == [REQUESTER]
    decided = statistics(desk, 31)
    assert (decided["forwarded"], decided["answered_late"], decided["answered_on_time"]) == (1, 1, 0)


def test_a_case_forwarded_within_the_five_days_is_on_time(desk: Desk) -> None:
    mark(desk)
    desk.clock.now = tbilisi(23, 17)
    desk.receive(officer_mail(f"#forwarded {BODY}\n\nგადაგზავნილია.\n"))
    desk.send_all()
    decided = statistics(desk, 31)
    assert (decided["forwarded"], decided["answered_late"], decided["answered_on_time"]) == (1, 0, 1)
