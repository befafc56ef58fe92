"""The use cases that change what the statistics read store the case's values, on both databases.

A decision (any outcome, a correction), a forward mark after a forwarded decision, a confirmation delivered
after the decision: each leaves the values of store/case_tallies.py as the definitions give them
(``Desk.close`` checks every desk test for that too). Dates: tests/support/desk.py (registered Mon 16 March
2026 13:30 Tbilisi, due Thu 26 March; the 5 days of GAC Art. 80(1) end Mon 23 March).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from foimail.config import OfficeSettings
from foimail.runners import IntakeRunner, OutboxRunner
from foimail.store.models import Case
from tests.support.app import SettableClock, imap_settings_for, smtp_settings_for
from tests.support.desk import ANSWER_AT, NOTIFY, REQUEST_AT, REQUESTER, Desk, officer_mail, open_desk
from tests.support.mails import request_mail

TBILISI_OFFSET = 4 * 3600
REGISTERED_DAY = (date(2026, 3, 16) - date(1970, 1, 1)).days


@pytest.fixture
def desk(make_app, smtp_server, mailbox) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    desk = open_desk(make_app, smtp_server, mailbox)
    yield desk
    desk.close()


def tbilisi(day: int, hour: int = 9) -> datetime:
    """A March 2026 moment, Tbilisi time (UTC+4), as UTC."""
    return datetime(2026, 3, day, hour - 4, 0, tzinfo=UTC)


def values(case: Case) -> tuple[object, ...]:
    return case.stats_utc_offset, case.stats_registered_day, case.stats_days, case.stats_late, case.stats_as_of


def test_an_open_case_has_none_and_a_refusal_stores_its_own(desk: Desk) -> None:
    assert values(desk.case()) == (None,) * 5
    desk.receive(officer_mail("#refused personal data GAC Art. 28\nთქვენი მოთხოვნა არ დაკმაყოფილდა.\n"))
    desk.send_all()
    case = desk.case()
    assert case.outcome == "refused" and case.answered_at is not None
    assert values(case) == (TBILISI_OFFSET, REGISTERED_DAY, 3, False, case.answered_at)  # 16 -> 19 March
    assert desk.stale_statistics_values() == 0


def test_a_corrected_decision_keeps_its_answer_time_and_takes_the_new_outcome(desk: Desk) -> None:
    desk.receive(officer_mail("#refused state secret GAC Art. 28\nუარი.\n"))
    desk.send_all()
    first = desk.case().answered_at
    desk.clock.now = tbilisi(27)  # after the due date; the first answer is the one judged (GAC Art. 40)
    desk.receive(officer_mail("#partial personal data GAC Art. 28\nნაწილობრივ.\n"))
    desk.send_all()
    case = desk.case()
    assert case.outcome == "answered_partial" and case.answered_at == first
    assert values(case) == (TBILISI_OFFSET, REGISTERED_DAY, 3, False, first)


def test_a_forward_mark_after_a_forwarded_decision_makes_it_late(desk: Desk) -> None:
    desk.clock.now = tbilisi(25)  # forwarded on the 25th: before the due date (26th), no 5-day date yet
    desk.receive(officer_mail("#forwarded საქართველოს ფინანსთა სამინისტრო\nგადაგზავნილია.\n"))
    desk.send_all()
    assert values(desk.case())[2:4] == (9, False)
    desk.clock.now = tbilisi(27)
    desk.receive(officer_mail("#toforward საქართველოს ფინანსთა სამინისტრო\n"))  # the 5 days ended on the 23rd
    desk.send_all()
    case = desk.case()
    assert case.forward_by == date(2026, 3, 23)
    assert values(case)[2:4] == (9, True)


def test_a_decision_before_the_confirmation_went_out_stays_current_when_it_does(  # type: ignore[no-untyped-def]
    make_app, smtp_server, mailbox
) -> None:
    clock = SettableClock(REQUEST_AT)
    ctx = make_app(
        clock=clock,
        smtp=smtp_settings_for(smtp_server),
        imap=imap_settings_for(mailbox),
        office=OfficeSettings(notify=(NOTIFY,), allow_unauthenticated_officers=True),
    )
    desk = Desk(ctx, clock, smtp_server, mailbox, IntakeRunner(ctx), OutboxRunner(ctx))
    desk.receive(request_mail(sender=REQUESTER, subject="მოთხოვნა", message_id="<request-1@example.org>"))
    clock.now = ANSWER_AT
    desk.receive(officer_mail("#notheld\nარ გვაქვს.\n"))
    assert (desk.case().due_date, values(desk.case())[2:4]) == (None, (3, False))
    sent = desk.send_all()  # the confirmation, the answer, the officer's receipt
    assert REQUESTER in sent[0].rcpt_tos
    case = desk.case()
    assert case.due_date is not None and case.confirmed_at is not None
    assert values(case) == (TBILISI_OFFSET, REGISTERED_DAY, 3, False, case.answered_at)
    desk.close()
