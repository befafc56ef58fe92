"""Annex 2.4 and Art. 49 statistics on SQLite and PostgreSQL, against counts worked out by hand.

The cases below are the fixture; every expected number in this file was counted from this table by hand
(the working is in the comments), not produced by the code. Times are Tbilisi local time (UTC+4).

    case registered   due    outcome / state                  answered     days  notes
    C01  07-01 10:00  07-15  answered_full A                  07-01 15:00  0     same day
    C02  07-02 09:00  07-16  answered_full A                  07-06 11:00  4
    C03  07-03 09:00  07-17  answered_full B                  07-17 23:59  14    last minute: on time
    C04  07-06 10:00  07-20  answered_full B                  07-21 00:10  15    late (07-20 20:10 UTC)
    C05  07-07 10:00  07-21  partial, personal_data A         07-10 12:00  3
    C06  07-08 10:00  07-22  partial, commercial B            07-24 10:00  16    late refusal
    C07  07-09 10:00  07-23  refused, personal_data A         07-09 18:00  0     same day; act spaced
    C08  07-10 10:00  07-24  refused, state_secret A          07-28 10:00  18    late refusal
    C09  07-13 10:00  07-27  refused, professional B          07-20 10:00  7
    C10  07-14 10:00  07-28  refused, other (no official)     07-15 10:00  1
    C11  07-15 10:00  07-29  refused, commercial, act "" B    07-29 10:00  14    on the due date
    C12  07-16 10:00  07-30  refused, no ground, no act A     07-17 10:00  1     counts as "other"
    C13  08-03 10:00  08-17  not_held B                       08-05 10:00  2
    C14  08-04 10:00  08-18  forwarded A                      08-04 11:00  0     same day
    C15  08-05 10:00  08-19  forwarded A                      08-10 10:00  5
    C16  08-06 10:00  08-20  withdrawn                        08-07 10:00  -     not a decision
    C17  08-07 10:00  08-21  withdrawn                        (none)       -
    C18  09-21 10:00  10-05  open
    C19  09-24 10:00  10-09  open
    C20  09-28 10:00  10-12  open
    C21  09-25 10:00  10-10  open                                                due "today" (Q3 run)
    C22  09-29 10:00  (none) open                                                not confirmed yet
    C23  09-30 23:30  10-14  answered_full B                  10-02 10:00  2     19:30 UTC: Q3
    C24  10-01 00:30  10-15  open                                                09-30 20:30 UTC: Q4
    C25  07-01 00:30  07-15  answered_full A                  07-01 09:00  0     06-30 20:30 UTC: Q3
    C26  06-30 23:30  07-14  answered_full B                  07-01 10:00  1     19:30 UTC: Q2
    C27  09-22 10:00  10-06  answered_full A                  10-12 10:00  20    after the Q3 run
    C28  10-20 10:00  11-03  refused, personal_data B         11-05 10:00  16    after Q3 run; late
    C29  08-10 10:00  (none) answered_full B                  08-10 10:05  0     before confirmation
    C30  08-11 10:00  08-25  status open, outcome answered_full, 08-12      reopened: counts as open
    C31  12-10 23:30  12-24  open                                                last Art. 49 day
    C32  12-11 00:30  12-25  open                                                12-10 20:30 UTC: out

A = n.beridze@batumi.ge, B = t.abashidze@batumi.ge. All dates are in 2026.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from foimail.core import statistics as rules
from foimail.core.commands import RefusalGround
from foimail.core.vocabulary import CaseStatus, Outcome
from foimail.store.db import make_engine, upgrade
from foimail.store.models import Case
from foimail.store.statistics import annual_report, period_statistics, quarterly_statistics
from foimail.usecases.export import ANNUAL_CSV_COLUMNS, render_statistics

TBILISI = ZoneInfo("Asia/Tbilisi")
A = "n.beridze@batumi.ge"
B = "t.abashidze@batumi.ge"
LPDP = "Law on Personal Data Protection, Art. 5"
NOW_Q3 = "2026-10-10 12:00"  # the Q3 export: "today" is 10 October
NOW_YEAR = "2026-12-15 10:00"  # the Art. 49 export: "today" is 15 December


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TBILISI)


# number, registered, due, outcome, answered, ground, act, official, status (None: closed iff outcome)
Row = tuple[str, str, str | None, str | None, str | None, str | None, str | None, str | None, str | None]
CASES: list[Row] = [
    ("C01", "07-01 10:00", "07-15", "answered_full", "07-01 15:00", None, None, A, None),
    ("C02", "07-02 09:00", "07-16", "answered_full", "07-06 11:00", None, None, A, None),
    ("C03", "07-03 09:00", "07-17", "answered_full", "07-17 23:59", None, None, B, None),
    ("C04", "07-06 10:00", "07-20", "answered_full", "07-21 00:10", None, None, B, None),
    ("C05", "07-07 10:00", "07-21", "answered_partial", "07-10 12:00", "personal_data", LPDP, A, None),
    ("C06", "07-08 10:00", "07-22", "answered_partial", "07-24 10:00", "commercial_secret",
     "Entrepreneurs Law, Art. 9", B, None),
    ("C07", "07-09 10:00", "07-23", "refused", "07-09 18:00", "personal_data", f"  {LPDP} ", A, None),
    ("C08", "07-10 10:00", "07-24", "refused", "07-28 10:00", "state_secret", "Law on State Secrets, Art. 1",
     A, None),
    ("C09", "07-13 10:00", "07-27", "refused", "07-20 10:00", "professional_secret", "GAC Art. 28", B, None),
    ("C10", "07-14 10:00", "07-28", "refused", "07-15 10:00", "other", "GAC Art. 28", None, None),
    ("C11", "07-15 10:00", "07-29", "refused", "07-29 10:00", "commercial_secret", "", B, None),
    ("C12", "07-16 10:00", "07-30", "refused", "07-17 10:00", None, None, A, None),
    ("C13", "08-03 10:00", "08-17", "not_held", "08-05 10:00", None, None, B, None),
    ("C14", "08-04 10:00", "08-18", "forwarded", "08-04 11:00", None, None, A, None),
    ("C15", "08-05 10:00", "08-19", "forwarded", "08-10 10:00", None, None, A, None),
    ("C16", "08-06 10:00", "08-20", "withdrawn", "08-07 10:00", None, None, None, None),
    ("C17", "08-07 10:00", "08-21", "withdrawn", None, None, None, None, None),
    ("C18", "09-21 10:00", "10-05", None, None, None, None, None, None),
    ("C19", "09-24 10:00", "10-09", None, None, None, None, None, None),
    ("C20", "09-28 10:00", "10-12", None, None, None, None, None, None),
    ("C21", "09-25 10:00", "10-10", None, None, None, None, None, None),
    ("C22", "09-29 10:00", None, None, None, None, None, None, None),
    ("C23", "09-30 23:30", "10-14", "answered_full", "10-02 10:00", None, None, B, None),
    ("C24", "10-01 00:30", "10-15", None, None, None, None, None, None),
    ("C25", "07-01 00:30", "07-15", "answered_full", "07-01 09:00", None, None, A, None),
    ("C26", "06-30 23:30", "07-14", "answered_full", "07-01 10:00", None, None, B, None),
    ("C27", "09-22 10:00", "10-06", "answered_full", "10-12 10:00", None, None, A, None),
    ("C28", "10-20 10:00", "11-03", "refused", "11-05 10:00", "personal_data", LPDP, B, None),
    ("C29", "08-10 10:00", None, "answered_full", "08-10 10:05", None, None, B, None),
    ("C30", "08-11 10:00", "08-25", "answered_full", "08-12 10:00", None, None, A, "open"),
    ("C31", "12-10 23:30", "12-24", None, None, None, None, None, None),
    ("C32", "12-11 00:30", "12-25", None, None, None, None, None, None),
]  # fmt: skip


def _case(seq: int, row: Row) -> Case:
    number, registered, due, outcome, answered, ground, act, official, status = row
    registered_at = at(f"2026-{registered}")
    return Case(
        number=number, year=2026, seq=seq, requester_address=f"r{seq}@example.ge", received_at=registered_at,
        registered_at=registered_at, confirmed_at=registered_at if due else None,
        due_date=date.fromisoformat(f"2026-{due}") if due else None,
        status=status or (CaseStatus.CLOSED if outcome else CaseStatus.OPEN), outcome=outcome,
        refusal_ground=ground, refusal_act=act, deciding_official=official,
        answered_at=at(f"2026-{answered}") if answered else None,
    )  # fmt: skip


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add_all(_case(seq, row) for seq, row in enumerate(CASES, start=1))
        session.commit()
        yield session
    engine.dispose()


def zero_row(first: str, last: str) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(rules.COLUMN_NAMES, 0)
    row.update(period_start=date.fromisoformat(first), period_end=date.fromisoformat(last))
    row.update(median_days=None, max_days=None)
    return row


# Q3 as of 10 October. Registered in Q3: C01-C23, C25, C27, C29, C30 (not C24, C26, C28, C31, C32) = 27.
# Decided: full C01-C04, C23, C25, C29 = 7 (C27 is answered after now, C30 is open); partial C05, C06;
# refused C07-C12 = 6; not_held C13; forwarded C14, C15; withdrawn C16, C17. Open: C18-C22, C27, C30;
# overdue (due before 10-10): C18, C19, C27 (10-06), C30 (08-25) = 4; pending: C20, C21 (due today), C22 = 3.
# 7+2+6+1+2+2+3+4 = 27. Grounds: personal C05 C07; commercial C06 C11; state C08; professional C09;
# other C10 C12 (no ground). Decisions: 18; days sorted 0 0 0 0 0 1 1 2 2 3 4 5 7 14 14 15 16 18:
# median (9th, 10th) = (2 + 3) / 2 = 2.5, max 18. Late: C04, C06, C08 = 3; on time 15 (C29: no due date yet).
# Same day: C01, C07, C14, C25, C29 = 5. Refusals late: C06, C08 = 2.
Q3_ROW = {
    "period_start": date(2026, 7, 1), "period_end": date(2026, 9, 30), "received": 27, "answered_full": 7,
    "answered_partial": 2, "refused": 6, "refused_personal_data": 2, "refused_commercial_secret": 2,
    "refused_state_secret": 1, "refused_professional_secret": 1, "refused_other": 2, "not_held": 1,
    "forwarded": 2, "withdrawn": 2, "pending": 3, "overdue_open": 4, "answered_on_time": 15,
    "answered_late": 3, "answered_same_day": 5, "median_days": 2.5, "max_days": 18, "refusal_notice_late": 2,
}  # fmt: skip

# The Art. 49 period 01-01..12-10 as of 15 December: the 27 above and C24, C26, C28, C31 = 31 (C32 is out).
# Now decided too: C27 (full, 20 days, late), C28 (refused personal, 16 days, late); C26 (full, 1 day).
# full 7+C26+C27 = 9; refused 6+C28 = 7. Open: C18-C22, C24, C30, C31; pending: C22 (no due), C31 (12-24) = 2;
# overdue: the other 6. 9+2+7+1+2+2+2+6 = 31. Decisions 21; days sorted 0 0 0 0 0 1 1 1 2 2 3 4 5 7 14 14 15
# 16 16 18 20: median (11th) = 3, max 20. Late: C04, C06, C08, C27, C28 = 5, on time 16; refusals late 3.
YEAR_ROW = {
    "period_start": date(2026, 1, 1), "period_end": date(2026, 12, 10), "received": 31, "answered_full": 9,
    "answered_partial": 2, "refused": 7, "refused_personal_data": 3, "refused_commercial_secret": 2,
    "refused_state_secret": 1, "refused_professional_secret": 1, "refused_other": 2, "not_held": 1,
    "forwarded": 2, "withdrawn": 2, "pending": 2, "overdue_open": 6, "answered_on_time": 16,
    "answered_late": 5, "answered_same_day": 5, "median_days": 3, "max_days": 20, "refusal_notice_late": 3,
}  # fmt: skip


def test_the_machine_vocabulary_matches_the_schema() -> None:
    assert set(rules.OUTCOMES) == {outcome.value for outcome in Outcome}
    assert set(rules.GROUND_COLUMNS) == {ground.value for ground in RefusalGround}


def test_quarter_counts_every_column(session: Session) -> None:
    row = quarterly_statistics(session, 2026, 3, at(NOW_Q3), TBILISI)
    assert row == Q3_ROW
    assert list(row) == list(rules.COLUMN_NAMES)
    assert isinstance(row["median_days"], float)


def test_a_request_counts_in_the_quarter_of_its_local_registration_date(session: Session) -> None:
    # Q2: only C26 (23:30 on 30 June); its answer on 1 July is 1 day later, on time.
    q2 = zero_row("2026-04-01", "2026-06-30")
    q2.update(received=1, answered_full=1, answered_on_time=1, median_days=1, max_days=1)
    assert quarterly_statistics(session, 2026, 2, at(NOW_Q3), TBILISI) == q2
    # Q4 as of 10 October: C24 (00:30 on 1 October, due 10-15) is pending; C28 is not registered yet.
    q4 = zero_row("2026-10-01", "2026-12-31")
    q4.update(received=1, pending=1)
    assert quarterly_statistics(session, 2026, 4, at(NOW_Q3), TBILISI) == q4


def test_outcomes_are_taken_as_of_now(session: Session) -> None:
    # Q4 as of 15 December: C24 overdue (10-15); C28 refused, 16 days, after the due date 11-03;
    # C31 (12-10 23:30, due 12-24) pending; C32 (12-11 00:30) pending.
    q4 = zero_row("2026-10-01", "2026-12-31")
    q4.update(received=4, refused=1, refused_personal_data=1, pending=2, overdue_open=1, answered_late=1,
              median_days=16, max_days=16, refusal_notice_late=1)  # fmt: skip
    assert quarterly_statistics(session, 2026, 4, at(NOW_YEAR), TBILISI) == q4
    # Q3 as of 20 October: C27 is decided now (answered 10-12, due 10-06: late, 20 days); C20 (10-12) overdue.
    q3 = dict(Q3_ROW)
    q3.update(answered_full=8, pending=1, overdue_open=5, answered_late=4, max_days=20, median_days=3)
    # days sorted 0 0 0 0 0 1 1 2 2 3 4 5 7 14 14 15 16 18 20 (19): the 10th is 3.
    assert quarterly_statistics(session, 2026, 3, at("2026-10-20 12:00"), TBILISI) == q3


def test_an_empty_period_is_all_zeros(session: Session) -> None:
    assert period_statistics(session, date(2025, 1, 1), date(2025, 12, 31), at(NOW_Q3), TBILISI) == zero_row(
        "2025-01-01", "2025-12-31"
    )


def test_microseconds_before_midnight_stay_on_their_day(session: Session) -> None:
    # SQLite's date functions round to the millisecond: 23:59:59.9999 must not become the next day.
    last_instant = ".999999"
    extra = [
        ("X1", "2025-02-02 10:00", "2025-02-16", "2025-02-16 23:59:59" + last_instant),  # on time, 14 days
        ("X2", "2025-02-27 23:59:59" + last_instant, "2025-03-13", "2025-02-28 00:00:00.000001"),  # 1 day
        ("X3", "2025-03-31 23:59:59" + last_instant, "2025-04-14", None),  # Q1; overdue
        ("X4", "2025-04-01 00:00:00", "2025-04-15", None),  # Q2
    ]
    for seq, (number, registered, due, answered) in enumerate(extra, start=1):
        session.add(
            Case(
                number=number, year=2025, seq=seq, requester_address="x@example.ge",
                received_at=at(registered), registered_at=at(registered), due_date=date.fromisoformat(due),
                status=CaseStatus.CLOSED if answered else CaseStatus.OPEN,
                outcome="answered_full" if answered else None, answered_at=at(answered) if answered else None,
            )
        )  # fmt: skip
    session.commit()
    q1 = zero_row("2025-01-01", "2025-03-31")
    q1.update(received=3, answered_full=2, overdue_open=1, answered_on_time=2, median_days=7.5, max_days=14)
    assert quarterly_statistics(session, 2025, 1, at(NOW_Q3), TBILISI) == q1


def test_annual_report_sections(session: Session) -> None:
    report = annual_report(session, 2026, at(NOW_YEAR), TBILISI)
    assert report["totals"] == YEAR_ROW
    # A: C01 C02 C25 C27 full; C05 partial; C07 C08 C12 refused; C14 C15 forwarded = 10.
    # B: C03 C04 C23 C29 C26 full; C06 partial; C09 C11 C28 refused; C13 not held = 10. None: C10 refused.
    assert report["by_official"] == [
        {"deciding_official": A, "answered_full": 4, "answered_partial": 1, "refused": 3, "not_held": 0,
         "forwarded": 2, "decisions": 10},
        {"deciding_official": B, "answered_full": 5, "answered_partial": 1, "refused": 3, "not_held": 1,
         "forwarded": 0, "decisions": 10},
        {"deciding_official": None, "answered_full": 0, "answered_partial": 0, "refused": 1, "not_held": 0,
         "forwarded": 0, "decisions": 1},
    ]  # fmt: skip
    # C05 C07 (act trimmed) C28 share one act; C11's empty act and C12's missing one read "not recorded".
    assert report["by_act"] == [
        {"refusal_ground": "personal_data", "refusal_act": LPDP, "answered_partial": 1, "refused": 2,
         "refusals": 3},
        {"refusal_ground": "commercial_secret", "refusal_act": "Entrepreneurs Law, Art. 9",
         "answered_partial": 1, "refused": 0, "refusals": 1},
        {"refusal_ground": "commercial_secret", "refusal_act": None, "answered_partial": 0, "refused": 1,
         "refusals": 1},
        {"refusal_ground": "other", "refusal_act": "GAC Art. 28", "answered_partial": 0, "refused": 1,
         "refusals": 1},
        {"refusal_ground": "other", "refusal_act": None, "answered_partial": 0, "refused": 1, "refusals": 1},
        {"refusal_ground": "professional_secret", "refusal_act": "GAC Art. 28", "answered_partial": 0,
         "refused": 1, "refusals": 1},
        {"refusal_ground": "state_secret", "refusal_act": "Law on State Secrets, Art. 1",
         "answered_partial": 0, "refused": 1, "refusals": 1},
    ]  # fmt: skip
    # 7 refused + 2 partial + 6 deemed refusals.
    assert report["appeals"] == {
        "refusals_open_to_appeal": 15,
        "appeals_lodged": None,
        "appeals_upheld": None,
    }
    assert report["office"] == {"personal_data_note": None, "breaches_and_penalties": None, "costs_gel": None}


def test_quarterly_csv_and_json(session: Session) -> None:
    row = quarterly_statistics(session, 2026, 3, at(NOW_Q3), TBILISI)
    plain = render_statistics(row, "csv", None)
    assert plain == (
        "\ufeff" + ",".join(rules.COLUMN_NAMES) + "\r\n"
        "2026-07-01,2026-09-30,27,7,2,6,2,2,1,1,2,1,2,2,3,4,15,3,5,2.5,18,2\r\n"
    )
    georgian = render_statistics(row, "csv", "ka").removeprefix("\ufeff").splitlines()
    assert georgian[0].startswith("პერიოდის დასაწყისი,პერიოდის დასასრული,რეგისტრირებული მოთხოვნა,")
    assert georgian[1:] == plain.removeprefix("\ufeff").splitlines()
    document = json.loads(render_statistics(row, "json", "en"))
    assert document.pop("labels")["overdue_open"] == "Overdue, deemed refused (GAC Art. 177(2))"
    assert document == {**Q3_ROW, "period_start": "2026-07-01", "period_end": "2026-09-30"}
    assert "labels" not in json.loads(render_statistics(row, "json", None))


def test_annual_csv_is_one_table_of_measures(session: Session) -> None:
    report = annual_report(session, 2026, at(NOW_YEAR), TBILISI)
    lines = list(csv.reader(io.StringIO(render_statistics(report, "csv", "ka").removeprefix("\ufeff"))))
    assert lines[0][0] == "ნაწილი"
    assert tuple(lines[1]) == ANNUAL_CSV_COLUMNS
    body = lines[2:]
    # 22 totals + 3 officials x 6 + 7 acts x 3 + 3 appeals + 3 office fields.
    assert len(body) == 22 + 18 + 21 + 3 + 3
    assert body[2] == ["totals", "", "", "", "received", "31", "რეგისტრირებული მოთხოვნა"]
    assert ["by_official", A, "", "", "decisions", "10", "გადაწყვეტილებები სულ"] in body
    assert ["by_act", "", "personal_data", LPDP, "refused", "2", "უარი გაცემაზე"] in body
    assert ["appeals", "", "", "", "appeals_lodged", "", "შეტანილი საჩივარი და სარჩელი"] in body
    assert body[-1] == ["office", "", "", "", "costs_gel", "", "ხარჯები, ლარი (სზაკ 49(ზ))"]
    english = render_statistics(report, "json", "en")
    assert json.loads(english)["labels"]["by_official"] == "Decisions by official (GAC Art. 49(b))"


def test_officer_text_cannot_become_a_spreadsheet_formula() -> None:
    report = {
        "totals": zero_row("2026-01-01", "2026-12-10"),
        "by_official": [],
        "by_act": [
            {
                "refusal_ground": "other",
                "refusal_act": '=HYPERLINK("http://x")',
                "answered_partial": 0,
                "refused": 1,
                "refusals": 1,
            }
        ],  # fmt: skip
        "appeals": {"refusals_open_to_appeal": 1, "appeals_lodged": None, "appeals_upheld": None},
        "office": {"personal_data_note": None, "breaches_and_penalties": None, "costs_gel": None},
    }
    text = render_statistics(report, "csv", None)
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


@pytest.mark.parametrize(("fmt", "lang"), [("xlsx", None), ("csv", "ru")])
def test_render_refuses_unknown_formats_and_languages(fmt: str, lang: str | None) -> None:
    with pytest.raises(ValueError):
        render_statistics(zero_row("2026-01-01", "2026-03-31"), fmt, lang)
