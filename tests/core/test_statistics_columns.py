"""The statistics' columns, labels and arithmetic (ring 0): data only, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foimail.core.statistics import (
    ALL_NAMES,
    ANNUAL_CSV_COLUMNS,
    COLUMN_NAMES,
    COLUMNS,
    DECISION_OUTCOMES,
    GROUND_COLUMNS,
    OUTCOME_COLUMNS,
    REFUSAL_OUTCOMES,
    Tally,
    fixed_utc_offset,
    label_for,
    labels,
    median_of_histogram,
    outcome_columns_add_up,
    period_utc_bounds,
    statistics_row,
)

TBILISI = ZoneInfo("Asia/Tbilisi")
BERLIN = ZoneInfo("Europe/Berlin")
Q1 = (date(2026, 1, 1), date(2026, 3, 31))

# docs/LAW.md, "Statistics", copied by hand.
LAW_COLUMNS = (
    "period_start, period_end, received, answered_full, answered_partial, refused, refused_personal_data, "
    "refused_commercial_secret, refused_state_secret, refused_professional_secret, refused_other, not_held, "
    "forwarded, withdrawn, pending, overdue_open, answered_on_time, answered_late, answered_same_day, "
    "median_days, max_days, refusal_notice_late"
).split(", ")


def test_columns_are_the_law_list_in_order() -> None:
    assert list(COLUMN_NAMES) == LAW_COLUMNS


def test_every_name_has_a_georgian_and_an_english_label() -> None:
    for name in ALL_NAMES:
        georgian, english = label_for(name, "ka"), label_for(name, "en")
        assert any("\u10d0" <= char <= "\u10ff" for char in georgian), name
        assert english.isascii() and english.strip(), name
    for lang in ("ka", "en"):
        assert len(set(labels(COLUMN_NAMES, lang))) == len(COLUMNS)


def test_annual_csv_columns_and_grounds() -> None:
    assert [c.name for c in ANNUAL_CSV_COLUMNS] == [
        "section", "official", "refusal_ground", "refusal_act", "measure", "value", "label"
    ]  # fmt: skip
    assert sorted(GROUND_COLUMNS.values()) == sorted(name for name in COLUMN_NAMES if name.startswith("refused_"))


@pytest.mark.parametrize(("name", "lang"), [("no_such_column", "en"), ("received", "ru"), ("received", "")])
def test_unknown_names_and_languages_are_refused(name: str, lang: str) -> None:
    with pytest.raises(ValueError):
        label_for(name, lang)


@pytest.mark.parametrize(
    ("first", "last", "tz", "start", "end"),
    [
        (*Q1, TBILISI, datetime(2025, 12, 31, 20, tzinfo=UTC), datetime(2026, 3, 31, 20, tzinfo=UTC)),
        (date(2026, 7, 1), date(2026, 9, 30), TBILISI,
         datetime(2026, 6, 30, 20, tzinfo=UTC), datetime(2026, 9, 30, 20, tzinfo=UTC)),
        (date(2026, 1, 1), date(2026, 12, 10), TBILISI,
         datetime(2025, 12, 31, 20, tzinfo=UTC), datetime(2026, 12, 10, 20, tzinfo=UTC)),
        # CET to CEST inside the period: the end is at +02:00.
        (*Q1, BERLIN, datetime(2025, 12, 31, 23, tzinfo=UTC), datetime(2026, 3, 31, 22, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_period_utc_bounds(first: date, last: date, tz: ZoneInfo, start: datetime, end: datetime) -> None:
    assert period_utc_bounds(first, last, tz) == (start, end)


def test_a_backwards_period_is_refused() -> None:
    with pytest.raises(ValueError):
        period_utc_bounds(date(2026, 2, 1), date(2026, 1, 31), TBILISI)


def test_fixed_utc_offset() -> None:
    assert fixed_utc_offset(TBILISI, date(2026, 1, 1), date(2027, 1, 15)) == 4 * 3600
    assert fixed_utc_offset(BERLIN, date(2026, 4, 1), date(2026, 9, 30)) == 2 * 3600
    with pytest.raises(ValueError, match="changes its UTC offset"):
        fixed_utc_offset(BERLIN, *Q1)


@pytest.mark.parametrize(
    ("histogram", "median"),
    [
        ({3: 1}, 3),
        ({1: 1, 2: 1}, 1.5),
        ({1: 1, 3: 1}, 2),
        ({0: 5, 1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 7: 1, 14: 2, 15: 1, 16: 1, 18: 1}, 2.5),
        ({0: 3, 9: 1}, 0),
        ({0: 2, 9: 2}, 4.5),
        ({-1: 1, 1: 1}, 0),
    ],
)
def test_median_of_histogram(histogram: dict[int, int], median: int | float) -> None:
    result = median_of_histogram(histogram)
    assert result == median
    assert type(result) is type(median)


def test_median_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        median_of_histogram({})


def _row(*tallies: Tally) -> dict[str, object]:
    return statistics_row(*Q1, tallies)


def _counts(row: dict[str, object]) -> dict[str, object]:
    """The row without its period and its zero or empty columns."""
    return {name: value for name, value in row.items() if value not in (0, None) and "period" not in name}


@pytest.mark.parametrize(
    ("tally", "expected"),
    [
        # median_days and max_days are 0 here, left out with the other zeros.
        (Tally("answered_full", None, 0, False, 2),
         {"received": 2, "answered_full": 2, "answered_on_time": 2, "answered_same_day": 2}),
        (Tally("answered_partial", "state_secret", 12, True, 1),
         {"received": 1, "answered_partial": 1, "refused_state_secret": 1, "answered_late": 1,
          "median_days": 12, "max_days": 12, "refusal_notice_late": 1}),
        (Tally("refused", None, 3, False, 1),
         {"received": 1, "refused": 1, "refused_other": 1, "answered_on_time": 1, "median_days": 3,
          "max_days": 3}),
        (Tally("refused", "made_up_ground", 3, False, 1),
         {"received": 1, "refused": 1, "refused_other": 1, "answered_on_time": 1, "median_days": 3,
          "max_days": 3}),
        (Tally("forwarded", None, 11, True, 1),
         {"received": 1, "forwarded": 1, "answered_late": 1, "median_days": 11, "max_days": 11}),
        # Not decisions: no timing columns.
        (Tally("withdrawn", None, 2, False, 1), {"received": 1, "withdrawn": 1}),
        (Tally("refused", "personal_data", None, False, 1),
         {"received": 1, "refused": 1, "refused_personal_data": 1}),
        (Tally("overdue_open", None, 30, True, 4), {"received": 4, "overdue_open": 4}),
        (Tally("pending", None, None, False, 1), {"received": 1, "pending": 1}),
    ],
)  # fmt: skip
def test_one_tally(tally: Tally, expected: dict[str, object]) -> None:
    assert _counts(_row(tally)) == expected


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown case state"):
        _row(Tally("lost", None, None, False, 1))


def test_no_cases() -> None:
    row = _row()
    assert row["period_start"] == Q1[0] and row["period_end"] == Q1[1]
    assert _counts(row) == {}
    assert row["median_days"] is None and row["max_days"] is None
    assert outcome_columns_add_up(row)


def test_outcome_columns_add_up_detects_a_gap() -> None:
    row = _row(Tally("pending", None, None, False, 3))
    assert outcome_columns_add_up(row)
    assert not outcome_columns_add_up({**row, "received": 4})
    assert not outcome_columns_add_up({**row, "pending": None})


tallies = st.lists(
    st.builds(
        Tally,
        state=st.sampled_from(OUTCOME_COLUMNS),
        ground=st.sampled_from([None, "other", "nonsense", *GROUND_COLUMNS]),
        days=st.none() | st.integers(0, 400),
        late=st.booleans(),
        count=st.integers(1, 1000),
    ),
    max_size=30,
)


@given(tallies)
def test_the_columns_hang_together(tallies: list[Tally]) -> None:
    row = _row(*tallies)
    value = {name: row[name] for name in COLUMN_NAMES}
    assert outcome_columns_add_up(row)
    ints = {name: v for name, v in value.items() if isinstance(v, int)}
    assert sum(ints[column] for column in GROUND_COLUMNS.values()) == ints["refused"] + ints["answered_partial"]
    decisions = sum(t.count for t in tallies if t.state in DECISION_OUTCOMES and t.days is not None)
    assert ints["answered_on_time"] + ints["answered_late"] == decisions
    assert ints["answered_same_day"] <= decisions
    refusal_decisions_late = sum(
        t.count for t in tallies if t.state in REFUSAL_OUTCOMES and t.days is not None and t.late
    )
    assert ints["refusal_notice_late"] == refusal_decisions_late <= ints["answered_late"]
    if decisions:
        days = [t.days for t in tallies if t.state in DECISION_OUTCOMES and t.days is not None]
        median, maximum = row["median_days"], row["max_days"]
        assert isinstance(median, int | float) and isinstance(maximum, int)
        assert min(d for d in days if d is not None) <= median <= maximum == max(d for d in days if d is not None)
    else:
        assert row["median_days"] is None and row["max_days"] is None
