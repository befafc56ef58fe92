"""The legal calendar, checked against dates worked out by hand on a printed calendar (not by the code).

Reference weekdays: 2026-06-08 is a Monday (June 2026 has no holidays); 2025-12-31 a Wednesday;
2026-11-23 (Giorgoba) a Monday; 2027-01-01 a Friday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest

from foimail.core.calendar import (
    DeadlineRules,
    WorkingCalendar,
    annual_publication_due,
    art49_period,
    art49_report_date,
    due_date,
    explain_due_date,
    forwarding_due,
    forwarding_notice_due,
    is_due_within,
    is_overdue,
    local_date,
    parse_quarter,
    period_end,
    quarter_bounds,
    quarter_of,
    quarterly_publication_due,
    refusal_explanation_due,
    return_due,
    working_days_between,
)
from foimail.core.decreed_days import DECREED_DAYS_OFF

TBILISI = ZoneInfo("Asia/Tbilisi")
STANDARD = WorkingCalendar()
DEFAULT = DeadlineRules()
D = date.fromisoformat


def confirmed(text: str) -> datetime:
    """An ISO moment; without an offset it is Tbilisi local time."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TBILISI)


def case(
    when: str,
    start: str,
    last: str,
    due: str,
    why: str,
    *,
    rules: DeadlineRules = DEFAULT,
    calendar: WorkingCalendar = STANDARD,
) -> object:
    return pytest.param(when, D(start), D(last), D(due), rules, calendar, id=why)


DUE_DATE_CASES = [
    # docs/LAW.md worked examples, row by row.
    case("2026-11-20 17:30", "2026-11-24", "2026-12-03", "2026-12-03", "law: Fri before Giorgoba"),
    case("2026-11-20T21:00Z", "2026-11-24", "2026-12-03", "2026-12-03", "law: Sat 01:00 local"),
    case("2026-11-12 10:00", "2026-11-13", "2026-11-22", "2026-11-24", "law: last Sun, Mon 23 Nov holiday"),
    case("2026-04-08 10:00", "2026-04-14", "2026-04-23", "2026-04-23", "law: 9 Apr and Easter 2026"),
    case("2026-12-21 10:00", "2026-12-22", "2026-12-31", "2026-12-31", "law: last day 31 Dec"),
    case("2026-12-22 10:00", "2026-12-23", "2027-01-01", "2027-01-04", "law: last day 1 Jan 2027"),
    case("2026-05-08 12:00", "2026-05-11", "2026-05-20", "2026-05-20", "law: 9 May on a Saturday"),
    case("2027-04-28 12:00", "2027-04-29", "2027-05-08", "2027-05-10", "law: 9 May 2027 Sunday"),
    case("2026-10-13 11:00", "2026-10-15", "2026-10-24", "2026-10-26", "law: day before 14 Oct"),
    case("2025-12-31 10:00", "2026-01-08", "2026-01-17", "2026-01-20", "law: decreed 5-6 Jan 2026"),
    # Every weekday of a holiday-free week (8-14 June 2026); start is the next working day even at 10:00.
    case("2026-06-08 10:00", "2026-06-09", "2026-06-18", "2026-06-18", "Mon: last day Thu"),
    case("2026-06-09 10:00", "2026-06-10", "2026-06-19", "2026-06-19", "Tue: last day Fri"),
    case("2026-06-10 10:00", "2026-06-11", "2026-06-20", "2026-06-22", "Wed: last day Sat, rolls to Mon"),
    case("2026-06-11 10:00", "2026-06-12", "2026-06-21", "2026-06-22", "Thu: last day Sun, rolls to Mon"),
    case("2026-06-12 10:00", "2026-06-15", "2026-06-24", "2026-06-24", "Fri: weekend skipped before start"),
    case("2026-06-13 10:00", "2026-06-15", "2026-06-24", "2026-06-24", "Sat: start Mon"),
    case("2026-06-14 10:00", "2026-06-15", "2026-06-24", "2026-06-24", "Sun: start Mon"),
    # Midnight in Tbilisi (UTC+4): the local date decides, not the UTC date.
    case("2026-06-12T19:59Z", "2026-06-15", "2026-06-24", "2026-06-24", "Fri 23:59 local is a Friday"),
    case("2026-06-12T20:30Z", "2026-06-15", "2026-06-24", "2026-06-24", "Sat 00:30 local given as Fri UTC"),
    case("2026-06-11T19:59Z", "2026-06-12", "2026-06-21", "2026-06-22", "Thu 23:59 local: start Fri"),
    case("2026-06-11T20:00Z", "2026-06-15", "2026-06-24", "2026-06-24", "Fri 00:00 local: start Mon"),
    case("2026-06-14T20:30Z", "2026-06-16", "2026-06-25", "2026-06-25", "Mon 00:30 local given as Sun UTC"),
    case("2026-06-11T23:30-05:00", "2026-06-15", "2026-06-24", "2026-06-24", "Thu in New York, Fri in Tbilisi"),
    # Holidays of 2025 (Labour Code Art. 30).
    case("2024-12-31 10:00", "2025-01-03", "2025-01-12", "2025-01-13", "1-2 Jan 2025 Wed-Thu"),
    case("2025-01-06 10:00", "2025-01-08", "2025-01-17", "2025-01-17", "7 Jan 2025 Tue"),
    case("2025-01-09 10:00", "2025-01-10", "2025-01-19", "2025-01-20", "19 Jan 2025 Sun, not moved"),
    case("2025-02-28 10:00", "2025-03-04", "2025-03-13", "2025-03-13", "3 Mar 2025 Mon"),
    case("2025-04-09 10:00", "2025-04-10", "2025-04-19", "2025-04-22", "confirmed on 9 Apr; last Sat, Easter"),
    case("2025-04-17 10:00", "2025-04-22", "2025-05-01", "2025-05-01", "Good Friday to Easter Monday 2025"),
    case("2025-05-08 10:00", "2025-05-13", "2025-05-22", "2025-05-22", "9 May Fri and 12 May Mon 2025"),
    case("2025-05-15 10:00", "2025-05-16", "2025-05-25", "2025-05-27", "17 May Sat; last Sun, 26 May Mon"),
    case("2025-08-27 10:00", "2025-09-01", "2025-09-10", "2025-09-10", "28 Aug and decreed 29 Aug 2025"),
    case("2025-10-13 10:00", "2025-10-15", "2025-10-24", "2025-10-24", "14 Oct 2025 Tue"),
    case("2025-11-13 10:00", "2025-11-14", "2025-11-23", "2025-11-24", "23 Nov 2025 Sun, not moved"),
    # Holidays of 2026.
    case("2026-01-08 10:00", "2026-01-09", "2026-01-18", "2026-01-20", "last Sun, 19 Jan 2026 Mon"),
    case("2026-01-16 10:00", "2026-01-20", "2026-01-29", "2026-01-29", "19 Jan 2026 before start"),
    case("2026-03-02 10:00", "2026-03-04", "2026-03-13", "2026-03-13", "3 Mar 2026 Tue"),
    case("2026-03-31 10:00", "2026-04-01", "2026-04-10", "2026-04-14", "last day Good Friday 2026"),
    case("2026-05-11 10:00", "2026-05-13", "2026-05-22", "2026-05-22", "12 May 2026 Tue"),
    case("2026-05-25 10:00", "2026-05-27", "2026-06-05", "2026-06-05", "26 May 2026 Tue"),
    case("2026-08-18 10:00", "2026-08-19", "2026-08-28", "2026-08-31", "last day 28 Aug 2026 Fri"),
    # Holidays of 2027.
    case("2026-12-31 10:00", "2027-01-04", "2027-01-13", "2027-01-13", "1 Jan Fri, 2 Jan Sat 2027"),
    case("2027-01-06 10:00", "2027-01-08", "2027-01-17", "2027-01-18", "7 Jan 2027 Thu"),
    case("2027-01-18 10:00", "2027-01-20", "2027-01-29", "2027-01-29", "19 Jan 2027 Tue"),
    case("2027-03-02 10:00", "2027-03-04", "2027-03-13", "2027-03-15", "3 Mar 2027 Wed; last Sat"),
    case("2027-03-05 10:00", "2027-03-09", "2027-03-18", "2027-03-18", "8 Mar 2027 Mon"),
    case("2027-04-08 10:00", "2027-04-12", "2027-04-21", "2027-04-21", "9 Apr 2027 Fri"),
    case("2027-04-29 10:00", "2027-05-04", "2027-05-13", "2027-05-13", "Good Friday to Easter Monday 2027"),
    case("2027-05-11 10:00", "2027-05-13", "2027-05-22", "2027-05-24", "12 May 2027 Wed; last Sat"),
    case("2027-05-14 10:00", "2027-05-18", "2027-05-27", "2027-05-27", "17 May 2027 Mon"),
    case("2027-05-25 10:00", "2027-05-27", "2027-06-05", "2027-06-07", "26 May 2027 Wed; last Sat"),
    case("2027-08-27 10:00", "2027-08-30", "2027-09-08", "2027-09-08", "28 Aug 2027 Sat"),
    case("2027-10-04 10:00", "2027-10-05", "2027-10-14", "2027-10-15", "last day 14 Oct 2027 Thu"),
    case("2027-11-22 10:00", "2027-11-24", "2027-12-03", "2027-12-03", "23 Nov 2027 Tue"),
    # Year boundaries.
    case("2025-12-26 10:00", "2025-12-29", "2026-01-07", "2026-01-08", "last day 7 Jan 2026"),
    case("2027-12-29 10:00", "2027-12-30", "2028-01-08", "2028-01-10", "into 2028: last Sat 8 Jan"),
    # Without the 2026 decree the date would be 14 January (docs/LAW.md): why the decreed days ship as data.
    case(
        "2025-12-31 10:00",
        "2026-01-05",
        "2026-01-14",
        "2026-01-14",
        "no decreed days: 14 Jan",
        calendar=WorkingCalendar(decreed=()),
    ),
    # The office's own days off and working days.
    case(
        "2026-06-10 10:00",
        "2026-06-11",
        "2026-06-20",
        "2026-06-23",
        "extra day off Mon 22 Jun",
        calendar=WorkingCalendar(extra_days_off=[D("2026-06-22")]),
    ),
    case(
        "2026-06-10 10:00",
        "2026-06-11",
        "2026-06-20",
        "2026-06-20",
        "extra working Sat 20 Jun",
        calendar=WorkingCalendar(extra_working_days=[D("2026-06-20")]),
    ),
    case(
        "2026-11-12 10:00",
        "2026-11-13",
        "2026-11-22",
        "2026-11-23",
        "extra working day overrides Giorgoba",
        calendar=WorkingCalendar(extra_working_days=[D("2026-11-23")]),
    ),
    case(
        "2025-12-31 10:00",
        "2026-01-05",
        "2026-01-14",
        "2026-01-14",
        "extra working day overrides a decree",
        calendar=WorkingCalendar(extra_working_days=[D("2026-01-05")]),
    ),
    # Paused (suspended) periods; base case Mon 8 Jun: start Tue 9, last Thu 18 June.
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-06-21",
        "2026-06-22",
        "3 paused days inside",
        rules=DeadlineRules(paused_ranges=((D("2026-06-10"), D("2026-06-12")),)),
    ),
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-06-18",
        "2026-06-18",
        "pause before start",
        rules=DeadlineRules(paused_ranges=((D("2026-06-01"), D("2026-06-08")),)),
    ),
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-06-18",
        "2026-06-18",
        "pause after last day",
        rules=DeadlineRules(paused_ranges=((D("2026-06-19"), D("2026-06-30")),)),
    ),
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-06-21",
        "2026-06-22",
        "extension reaches a second pause",  # 18 -> 19 (paused) -> 20 (paused) -> 21
        rules=DeadlineRules(paused_ranges=((D("2026-06-10"), D("2026-06-10")), (D("2026-06-19"), D("2026-06-20")))),
    ),
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-06-22",
        "2026-06-22",
        "overlapping pauses counted once",  # 10-13 June: 4 days
        rules=DeadlineRules(paused_ranges=((D("2026-06-10"), D("2026-06-12")), (D("2026-06-11"), D("2026-06-13")))),
    ),
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-07-10",
        "2026-07-10",
        "state of emergency all June",  # 22 paused days 9-30 June; 1-10 July are days 1-10
        rules=DeadlineRules(paused_ranges=((D("2026-06-01"), D("2026-06-30")),)),
    ),
    # The other settings.
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-06-19",
        "2026-06-19",
        "start is day 0: one day more",
        rules=DeadlineRules(start_is_day_one=False),
    ),
    case(
        "2026-06-09 10:00",
        "2026-06-10",
        "2026-06-20",
        "2026-06-22",
        "start is day 0, last Sat",
        rules=DeadlineRules(start_is_day_one=False),
    ),
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-06-19",
        "2026-06-19",
        "start is day 0 and paused: not counted",  # the paused start day is outside days 1-10
        rules=DeadlineRules(start_is_day_one=False, paused_ranges=((D("2026-06-09"), D("2026-06-09")),)),
    ),
    case(
        "2026-06-10 10:00",
        "2026-06-11",
        "2026-06-20",
        "2026-06-20",
        "no roll forward: due Sat",
        rules=DeadlineRules(roll_forward=False),
    ),
    case(
        "2026-06-08 10:00",
        "2026-06-09",
        "2026-06-13",
        "2026-06-15",
        "5-day period",
        rules=DeadlineRules(period_days=5),
    ),
]


@pytest.mark.parametrize(("when", "start", "last", "due", "rules", "calendar"), DUE_DATE_CASES)
def test_due_date(
    when: str, start: date, last: date, due: date, rules: DeadlineRules, calendar: WorkingCalendar
) -> None:
    explanation = explain_due_date(confirmed(when), calendar, rules, TBILISI)
    assert (explanation.start_day, explanation.last_day, explanation.due_date) == (start, last, due)
    assert due_date(confirmed(when), calendar, rules, TBILISI) == due


def test_due_date_cases_are_many() -> None:
    assert len(DUE_DATE_CASES) >= 40


def test_explanation_lists_what_was_skipped_and_why() -> None:
    explanation = explain_due_date(confirmed("2025-12-31 10:00"), STANDARD, DEFAULT, TBILISI)
    assert explanation.confirmation_date == D("2025-12-31")
    assert explanation.paused_days == 0
    assert [day for day, _ in explanation.skipped] == [
        D(text)
        for text in (
            *("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"),
            *("2026-01-05", "2026-01-06", "2026-01-07"),
            *("2026-01-17", "2026-01-18", "2026-01-19"),
        )
    ]
    reasons = dict(explanation.skipped)
    assert reasons[D("2026-01-03")] == "Saturday"
    assert reasons[D("2026-01-05")].startswith("decreed day off (Government resolution")
    assert reasons[D("2026-01-19")] == holidays.country_holidays("GE", years=2026)[D("2026-01-19")]


def test_explanation_counts_paused_days() -> None:
    rules = DeadlineRules(paused_ranges=((D("2026-06-10"), D("2026-06-12")),))
    explanation = explain_due_date(confirmed("2026-06-08 10:00"), STANDARD, rules, TBILISI)
    assert explanation.paused_days == 3
    assert explanation.skipped == ((D("2026-06-21"), "Sunday"),)


def test_explanation_without_roll_forward_skips_nothing_after_last_day() -> None:
    rules = DeadlineRules(roll_forward=False)
    explanation = explain_due_date(confirmed("2026-06-10 10:00"), STANDARD, rules, TBILISI)
    assert explanation.skipped == ()


@pytest.mark.parametrize(
    "rules_kwargs",
    [{"period_days": 0}, {"paused_ranges": ((D("2026-06-10"), D("2026-06-09")),)}],
    ids=["zero period", "reversed pause"],
)
def test_deadline_rules_refuse_nonsense(rules_kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        DeadlineRules(**rules_kwargs)  # type: ignore[arg-type]


def test_naive_confirmation_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        due_date(datetime(2026, 6, 8, 10, 0), STANDARD, DEFAULT, TBILISI)


# Every Labour Code Art. 30 holiday of 2025-2027, Orthodox Easter worked out by hand (20 Apr 2025,
# 12 Apr 2026, 2 May 2027), plus the decreed days docs/LAW.md names.
ART_30_DAYS_OFF = [
    *("2025-01-01", "2025-01-02", "2025-01-07", "2025-01-19", "2025-03-03", "2025-03-08", "2025-04-09"),
    *("2025-04-18", "2025-04-19", "2025-04-20", "2025-04-21", "2025-05-09", "2025-05-12", "2025-05-17"),
    *("2025-05-26", "2025-08-28", "2025-08-29", "2025-10-14", "2025-11-23"),
    *("2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-19", "2026-03-03"),
    *("2026-03-08", "2026-04-09", "2026-04-10", "2026-04-11", "2026-04-12", "2026-04-13", "2026-05-09"),
    *("2026-05-12", "2026-05-17", "2026-05-26", "2026-08-28", "2026-10-14", "2026-11-23"),
    *("2027-01-01", "2027-01-02", "2027-01-07", "2027-01-19", "2027-03-03", "2027-03-08", "2027-04-09"),
    *("2027-04-30", "2027-05-01", "2027-05-02", "2027-05-03", "2027-05-09", "2027-05-12", "2027-05-17"),
    *("2027-05-26", "2027-08-28", "2027-10-14", "2027-11-23"),
    *("2022-01-03", "2022-01-06", "2023-01-03", "2023-01-06", "2024-01-03", "2024-01-05"),
    *("2024-05-07", "2024-05-08", "2024-05-10", "2024-05-17"),
]


@pytest.mark.parametrize("day", ART_30_DAYS_OFF)
def test_holidays_and_decreed_days_are_days_off(day: str) -> None:
    assert not STANDARD.is_working_day(D(day))
    assert STANDARD.non_working_reason(D(day)) is not None


@pytest.mark.parametrize(
    "day",
    ["2026-01-08", "2026-04-14", "2026-05-18", "2025-05-16", "2027-01-04", "2024-05-13", "2026-06-08"],
)
def test_ordinary_weekdays_are_working_days(day: str) -> None:
    assert STANDARD.is_working_day(D(day))
    assert STANDARD.non_working_reason(D(day)) is None


def test_non_working_reasons() -> None:
    georgian = holidays.country_holidays("GE", years=[2026, 2027])
    calendar = WorkingCalendar(extra_days_off=[D("2026-06-10"), D("2026-06-13")])
    assert calendar.non_working_reason(D("2026-06-06")) == "Saturday"
    assert calendar.non_working_reason(D("2026-06-07")) == "Sunday"
    assert calendar.non_working_reason(D("2026-11-23")) == georgian[D("2026-11-23")]
    assert calendar.non_working_reason(D("2027-01-02")) == georgian[D("2027-01-02")]  # holiday on a Saturday
    assert calendar.non_working_reason(D("2026-01-05")) == (
        "decreed day off (Government resolution, Labour Code Art. 30(3), published December 2025)"
    )
    assert calendar.non_working_reason(D("2026-06-10")) == "extra day off (config)"
    assert calendar.non_working_reason(D("2026-06-13")) == "Saturday"


def test_extra_working_day_overrides_everything() -> None:
    days = [D("2026-06-13"), D("2026-11-23"), D("2026-01-05"), D("2026-06-10")]
    calendar = WorkingCalendar(extra_days_off=[D("2026-06-10")], extra_working_days=days)
    assert all(calendar.is_working_day(day) for day in days)


def test_decreed_days_are_those_law_md_names_and_holidays_lacks() -> None:
    named = {D(f"2022-01-0{n}") for n in (3, 4, 5, 6)} | {D(f"2023-01-0{n}") for n in (3, 4, 5, 6)}
    named |= {D("2024-01-03"), D("2024-01-04"), D("2024-01-05")}
    named |= {D("2024-05-07"), D("2024-05-08"), D("2024-05-10"), D("2026-01-05"), D("2026-01-06")}
    assert {entry.day for entry in DECREED_DAYS_OFF} == named
    package = holidays.country_holidays("GE", years=range(2022, 2027))
    for entry in DECREED_DAYS_OFF:
        assert entry.day not in package, f"`holidays` now has {entry.day}: drop it from decreed_days.py"
        assert entry.day.weekday() < 5
        assert "Labour Code Art. 30(3)" in entry.source and entry.reason


@pytest.mark.parametrize(
    ("day", "after", "on_or_after", "on_or_before"),
    [
        ("2026-06-08", "2026-06-09", "2026-06-08", "2026-06-08"),  # Mon: a working day is its own answer
        ("2026-06-12", "2026-06-15", "2026-06-12", "2026-06-12"),  # Fri: next is Mon
        ("2026-06-13", "2026-06-15", "2026-06-15", "2026-06-12"),  # Sat
        ("2026-01-01", "2026-01-08", "2026-01-08", "2025-12-31"),  # New Year, decreed days, Christmas
        ("2026-04-10", "2026-04-14", "2026-04-14", "2026-04-08"),  # Good Friday 2026 (9 Apr holiday too)
    ],
)
def test_working_day_navigation(day: str, after: str, on_or_after: str, on_or_before: str) -> None:
    assert STANDARD.next_working_day(D(day)) == D(after)
    assert STANDARD.working_day_on_or_after(D(day)) == D(on_or_after)
    assert STANDARD.last_working_day_on_or_before(D(day)) == D(on_or_before)


def test_calendar_loads_any_year() -> None:
    assert STANDARD.is_working_day(D("2099-06-08"))  # a Monday
    assert not STANDARD.is_working_day(D("2099-01-01"))


@pytest.mark.parametrize(
    ("moment", "local"),
    [
        (datetime(2026, 6, 12, 19, 59, tzinfo=UTC), "2026-06-12"),
        (datetime(2026, 6, 12, 20, 0, tzinfo=UTC), "2026-06-13"),
        (datetime(2026, 6, 12, 23, 59, tzinfo=TBILISI), "2026-06-12"),
        (datetime(2026, 6, 12, 0, 30, tzinfo=timezone(timedelta(hours=5))), "2026-06-11"),  # 23:30 local
    ],
)
def test_local_date(moment: datetime, local: str) -> None:
    assert local_date(moment, TBILISI) == D(local)


def test_local_date_refuses_naive() -> None:
    with pytest.raises(ValueError):
        local_date(datetime(2026, 6, 12, 10, 0), TBILISI)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        ("2026-06-08", "2026-06-08", 0),  # same day
        ("2026-06-08", "2026-06-12", 4),  # Mon -> Fri: Tue-Fri
        ("2026-06-12", "2026-06-15", 1),  # Fri -> Mon: Mon only
        ("2026-06-12", "2026-06-14", 0),  # Fri -> Sun
        ("2025-12-31", "2026-01-08", 1),  # only 8 Jan works
        ("2026-06-15", "2026-06-12", -1),  # reversed: negative
        ("2026-01-08", "2025-12-31", -1),
    ],
)
def test_working_days_between(start: str, end: str, count: int) -> None:
    assert working_days_between(D(start), D(end), STANDARD) == count


@pytest.mark.parametrize(
    ("due", "today", "within", "expected"),
    [
        ("2026-06-10", "2026-06-10", 0, True),  # due today
        ("2026-06-11", "2026-06-10", 0, False),  # due tomorrow, asked for today only
        ("2026-06-11", "2026-06-10", 1, True),
        ("2026-06-15", "2026-06-12", 1, True),  # Fri -> Mon is one working day
        ("2026-06-16", "2026-06-12", 1, False),
        ("2026-11-24", "2026-11-20", 1, True),  # Fri -> Tue over the weekend and Giorgoba
        ("2026-06-09", "2026-06-10", 5, False),  # overdue: no reminder
        ("2026-06-13", "2026-06-12", 0, True),  # a Saturday due date (roll_forward off), nothing between
    ],
)
def test_is_due_within(due: str, today: str, within: int, expected: bool) -> None:
    assert is_due_within(D(due), D(today), within, STANDARD) is expected


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        ("2026-06-10", "2026-06-09", False),
        ("2026-06-10", "2026-06-10", False),
        ("2026-06-10", "2026-06-11", True),
    ],
)
def test_is_overdue(due: str, today: str, expected: bool) -> None:
    assert is_overdue(D(due), D(today)) is expected


@pytest.mark.parametrize(
    ("function", "event", "due"),
    [
        (refusal_explanation_due, "2026-06-08", "2026-06-11"),  # Mon + 3 = Thu
        (refusal_explanation_due, "2026-06-11", "2026-06-15"),  # Thu + 3 = Sun -> Mon
        (refusal_explanation_due, "2026-11-20", "2026-11-24"),  # Fri + 3 = Mon 23 Nov holiday -> Tue
        (forwarding_due, "2026-06-08", "2026-06-15"),  # Mon + 5 = Sat -> Mon
        (forwarding_due, "2026-06-09", "2026-06-15"),  # Tue + 5 = Sun -> Mon
        (forwarding_due, "2025-12-31", "2026-01-08"),  # + 5 = 5 Jan decreed; 6 decreed, 7 Christmas
        (forwarding_notice_due, "2026-06-09", "2026-06-11"),  # Tue + 2 = Thu
        (forwarding_notice_due, "2026-06-11", "2026-06-15"),  # Thu + 2 = Sat -> Mon
        (return_due, "2026-04-07", "2026-04-14"),  # Tue + 5 = Easter Sunday -> Easter Monday -> Tue
        (return_due, "2026-06-10", "2026-06-15"),  # Wed + 5 = Mon
    ],
)
def test_other_periods(function: object, event: str, due: str) -> None:
    assert function(D(event), STANDARD) == D(due)  # type: ignore[operator]


def test_period_end() -> None:
    assert period_end(D("2026-06-08"), 1, STANDARD) == D("2026-06-09")
    assert period_end(D("2026-06-08"), 10, STANDARD) == D("2026-06-18")
    assert period_end(D("2026-12-22"), 10, STANDARD) == D("2027-01-04")  # 1 Jan, then weekend
    with pytest.raises(ValueError):
        period_end(D("2026-06-08"), 0, STANDARD)


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [
        (1, "2026-01-01", "2026-03-31"),
        (2, "2026-04-01", "2026-06-30"),
        (3, "2026-07-01", "2026-09-30"),
        (4, "2026-10-01", "2026-12-31"),
    ],
)
def test_quarter_bounds(quarter: int, first: str, last: str) -> None:
    assert quarter_bounds(2026, quarter) == (D(first), D(last))
    assert quarter_of(D(first)) == quarter_of(D(last)) == (2026, quarter)


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_quarter_bounds_refuses_bad_quarter(quarter: int) -> None:
    with pytest.raises(ValueError):
        quarter_bounds(2026, quarter)
    with pytest.raises(ValueError):
        quarterly_publication_due(2026, quarter)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("2026Q3", (2026, 3)), ("2026-Q3", (2026, 3)), ("2027q1", (2027, 1)), (" 2025-Q4\n", (2025, 4))],
)
def test_parse_quarter(text: str, parsed: tuple[int, int]) -> None:
    assert parse_quarter(text) == parsed


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026-3", "26Q1", "2026Q", "", "2026--Q1", "2026 Q1", "Q3"])
def test_parse_quarter_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quarter(text)


@pytest.mark.parametrize(
    ("quarter", "due"),
    [(1, "2026-04-30"), (2, "2026-07-30"), (3, "2026-10-30"), (4, "2027-01-31")],
)
def test_quarterly_publication_due(quarter: int, due: str) -> None:
    assert quarterly_publication_due(2026, quarter) == D(due)


def test_annual_publication_due() -> None:
    assert annual_publication_due(2026) == D("2027-03-31")
    assert annual_publication_due(2027) == D("2028-03-31")


@pytest.mark.parametrize(
    ("year", "report"),
    [
        (2026, "2026-12-10"),  # Thursday
        (2027, "2027-12-10"),  # Friday
        (2028, "2028-12-08"),  # 10 Dec is a Sunday
        (2022, "2022-12-09"),  # 10 Dec is a Saturday
    ],
)
def test_art49_report_date(year: int, report: str) -> None:
    assert art49_report_date(year, STANDARD) == D(report)


def test_art49_period() -> None:
    assert art49_period(2026) == (D("2026-01-01"), D("2026-12-10"))
