"""The request statistics: Batumi res. No. 3 annex item 2.4 (quarterly) and the GAC Art. 49 report (yearly).

Pure (ring 0): the columns, their labels and definitions, and the arithmetic. The database groups the
period's cases into a few hundred ``Tally`` rows (SQL GROUP BY in ``foimail/statistics.py``: state, refusal
ground, days, lateness, count); ``statistics_row`` adds the tallies up into the row defined here.

One row per period. A request counts in the period in which it was **registered**: the Tbilisi local date of
``registered_at`` falls in [period_start, period_end]. Outcomes are taken **as of the export moment** ``now``:
a case is *decided* when its status is ``closed``, its outcome is one of the six outcomes below and its
``answered_at`` is empty or not after ``now`` (so a report made again later for an old ``now`` shows what was
true then). A case registered after ``now`` is not counted. "Today" is the Tbilisi date of ``now``.

A *decision* is a decided case whose outcome is not ``withdrawn`` and whose ``answered_at`` is recorded:
the office answered in full or in part, refused, returned (not held) or forwarded it. ``answered_at`` is the
moment of the decision and of the message carrying it. Local dates are Tbilisi dates; *days* of a decision
are the calendar days from the local date of ``registered_at`` to that of ``answered_at`` (0 = same day).

Columns, in order (``COLUMNS``):

- ``period_start``, ``period_end`` — the first and last local date of the period, inclusive.
- ``received`` — requests registered in the period (and not after ``now``).
- ``answered_full``, ``answered_partial``, ``refused``, ``not_held`` (returned, GAC Art. 80(4)), ``forwarded``
  (GAC Art. 80(1)), ``withdrawn`` — decided cases with that outcome.
- ``refused_personal_data``, ``refused_commercial_secret``, ``refused_state_secret``,
  ``refused_professional_secret`` — decided cases with outcome ``refused`` **or** ``answered_partial`` whose
  refusal ground is that one (GAC Arts. 27¹–27⁴, 28; partial refusals count under their ground too).
  ``refused_other`` — the same for ground ``other`` and for refusals with no recognised ground recorded, so
  the five ground columns always add up to ``refused + answered_partial``.
- ``pending`` — not decided as of ``now`` and not overdue: no due date yet (the Art. 40(1) period starts only
  after the confirmation, Batumi res. No. 3 Art. 4.3), or a due date on or after today.
- ``overdue_open`` — not decided as of ``now`` with a due date before today (CPC Art. 61(3): the due date
  lasts until 24:00): deemed refusals, GAC Art. 177(2).
- The outcome columns exclude each other: ``received = answered_full + answered_partial + refused + not_held +
  forwarded + withdrawn + pending + overdue_open`` (``outcome_columns_add_up``).
- ``answered_on_time`` — decisions whose local answer date is on or before the due date (CPC Art. 61(3),
  "until 24:00"), or that were made before any due date existed (before the confirmation was delivered: the
  period had not started). ``answered_late`` — decisions whose local answer date is after the due date. The
  two add up to the number of decisions.
- ``answered_same_day`` — decisions made on the local date of registration (days = 0).
- ``median_days`` — the median of the decisions' days (the mean of the two middle values for an even count;
  a whole number when it is one); ``max_days`` — the largest. Both empty when there is no decision.
- ``refusal_notice_late`` — refusals (``refused`` or ``answered_partial``) decided after the due date: the
  refusal was not communicated "immediately" (GAC Art. 41(1)) within the Art. 40(1) period, and the request
  was a deemed refusal (Art. 177(2)) before it came. What this column does **not** measure: the GAC Art. 41(2)
  written explanation due 3 days after the decision. foimail sends the refusal and its written explanation as
  one message from one template (docs/LAW.md), and stores one moment for both (``answered_at``), so by the stored
  data that explanation is never later than its decision; counting it would always give 0 and say nothing.

The yearly Art. 49 report covers ``art49_period`` (1 January–10 December) and adds (``ANNUAL_SECTIONS``):

- ``by_official`` (49(b)) — decisions (as above) per ``deciding_official``, by outcome, and their total;
- ``by_act`` (49(e)) — decided refusals (``refused`` and ``answered_partial``) per ground (as in the ground
  columns) and legislative act relied on (``refusal_act`` as written, trimmed; empty counts as not recorded);
- ``appeals`` (49(f)) — ``refusals_open_to_appeal`` = refused + answered_partial + overdue_open (decisions and
  deemed refusals open to an administrative complaint, Art. 180, or a claim in court, Art. 47); the appeals
  actually lodged and upheld stay empty: foimail does not record complaints or claims;
- ``office`` (49(c), 49(d), 49(g)) — personal-data note, breaches and penalties, costs in GEL: always empty,
  for the office to fill in; foimail never guesses them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from foimail.core.commands import RefusalGround

__all__ = [
    "ALL_NAMES",
    "ANNUAL_CSV_COLUMNS",
    "ANNUAL_SECTIONS",
    "APPEAL_FIELDS",
    "BY_ACT_MEASURES",
    "BY_OFFICIAL_MEASURES",
    "COLUMNS",
    "COLUMN_NAMES",
    "DECISION_OUTCOMES",
    "GROUND_COLUMNS",
    "LANGUAGES",
    "OFFICE_APPEAL_FIELDS",
    "OFFICE_FIELDS",
    "OTHER_GROUND",
    "OUTCOMES",
    "OUTCOME_COLUMNS",
    "REFUSAL_OUTCOMES",
    "Label",
    "fixed_utc_offset",
    "label_for",
    "labels",
    "Tally",
    "median_of_histogram",
    "outcome_columns_add_up",
    "period_utc_bounds",
    "statistics_row",
]

_ONE_DAY = timedelta(days=1)
LANGUAGES = ("ka", "en")


@dataclass(frozen=True)
class Label:
    """A machine name and its human labels, Georgian first."""

    name: str
    ka: str
    en: str

    def text(self, lang: str) -> str:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        return self.ka if lang == "ka" else self.en


COLUMNS: tuple[Label, ...] = (
    Label("period_start", "პერიოდის დასაწყისი", "Period start"),
    Label("period_end", "პერიოდის დასასრული", "Period end"),
    Label("received", "რეგისტრირებული მოთხოვნა", "Requests registered"),
    Label("answered_full", "სრულად დაკმაყოფილებული", "Answered in full"),
    Label("answered_partial", "ნაწილობრივ დაკმაყოფილებული", "Answered in part"),
    Label("refused", "უარი გაცემაზე", "Refused"),
    Label("refused_personal_data", "უარი: პერსონალური მონაცემები", "Refusals: personal data"),
    Label("refused_commercial_secret", "უარი: კომერციული საიდუმლოება", "Refusals: commercial secret"),
    Label("refused_state_secret", "უარი: სახელმწიფო საიდუმლოება", "Refusals: state secret"),
    Label("refused_professional_secret", "უარი: პროფესიული საიდუმლოება", "Refusals: professional secret"),
    Label("refused_other", "უარი: სხვა საფუძველი", "Refusals: other ground"),
    Label("not_held", "დაბრუნებული, არ გვაქვს (სზაკ 80(4))", "Not held, returned (GAC Art. 80(4))"),
    Label("forwarded", "გადაგზავნილი (სზაკ 80(1))", "Forwarded (GAC Art. 80(1))"),
    Label("withdrawn", "გამოთხოვილი", "Withdrawn"),
    Label("pending", "განხილვის პროცესში", "Under consideration"),
    Label(
        "overdue_open",
        "ვადაგადაცილებული, უარად ითვლება (სზაკ 177(2))",
        "Overdue, deemed refused (GAC Art. 177(2))",
    ),
    Label("answered_on_time", "ვადაში გაცემული პასუხი", "Decided on time"),
    Label("answered_late", "ვადის გადაცილებით გაცემული პასუხი", "Decided late"),
    Label("answered_same_day", "რეგისტრაციის დღესვე გაცემული პასუხი", "Decided on the day of registration"),
    Label("median_days", "პასუხის დღეები, მედიანა", "Days to decision, median"),
    Label("max_days", "პასუხის დღეები, მაქსიმუმი", "Days to decision, maximum"),
    Label("refusal_notice_late", "ვადის გასვლის შემდეგ გაცემული უარი", "Refusals decided after the due date"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)

OUTCOMES = ("answered_full", "answered_partial", "refused", "not_held", "forwarded", "withdrawn")
DECISION_OUTCOMES = tuple(outcome for outcome in OUTCOMES if outcome != "withdrawn")
REFUSAL_OUTCOMES = ("answered_partial", "refused")
OUTCOME_COLUMNS = (*OUTCOMES, "pending", "overdue_open")
GROUND_COLUMNS: dict[str, str] = {ground.value: f"refused_{ground.value}" for ground in RefusalGround}
OTHER_GROUND = RefusalGround.OTHER.value

BY_OFFICIAL_MEASURES: tuple[Label, ...] = (
    Label("deciding_official", "გადაწყვეტილების მიმღები პირი", "Deciding official"),
    *(column for column in COLUMNS if column.name in DECISION_OUTCOMES),
    Label("decisions", "გადაწყვეტილებები სულ", "Decisions, total"),
)
BY_ACT_MEASURES: tuple[Label, ...] = (
    Label("refusal_ground", "უარის საფუძველი", "Refusal ground"),
    Label("refusal_act", "სამართლებრივი აქტი", "Legislative act relied on"),
    *(column for column in COLUMNS if column.name in REFUSAL_OUTCOMES),
    Label("refusals", "უარი სულ (სრული და ნაწილობრივი)", "Refusals, total (full and partial)"),
)
APPEAL_FIELDS: tuple[Label, ...] = (
    Label(
        "refusals_open_to_appeal",
        "გასაჩივრებადი უარი (მათ შორის ნაწილობრივი და ვადაგადაცილებული)",
        "Refusals open to appeal (partial and deemed refusals included)",
    ),
    Label("appeals_lodged", "შეტანილი საჩივარი და სარჩელი", "Complaints and court claims lodged"),
    Label("appeals_upheld", "დაკმაყოფილებული საჩივარი და სარჩელი", "Complaints and court claims upheld"),
)
# Filled by the office, never by foimail: foimail records neither complaints nor court claims.
OFFICE_APPEAL_FIELDS = ("appeals_lodged", "appeals_upheld")
OFFICE_FIELDS: tuple[Label, ...] = (
    Label(
        "personal_data_note",
        "პერსონალური მონაცემების დამუშავება (სზაკ 49(გ))",
        "Personal-data processing (GAC Art. 49(c))",
    ),
    Label(
        "breaches_and_penalties",
        "დარღვევები და დაკისრებული სანქციები (სზაკ 49(დ))",
        "Breaches and penalties (GAC Art. 49(d))",
    ),
    Label("costs_gel", "ხარჯები, ლარი (სზაკ 49(ზ))", "Costs, GEL (GAC Art. 49(g))"),
)
ANNUAL_SECTIONS: tuple[Label, ...] = (
    Label("totals", "საერთო სტატისტიკა (სზაკ 49(ა))", "Requests and outcomes (GAC Art. 49(a))"),
    Label(
        "by_official",
        "გადაწყვეტილებები თანამდებობის პირის მიხედვით (სზაკ 49(ბ))",
        "Decisions by official (GAC Art. 49(b))",
    ),
    Label(
        "by_act",
        "უარის სამართლებრივი საფუძვლები (სზაკ 49(ე))",
        "Legislative acts relied on to refuse (GAC Art. 49(e))",
    ),
    Label("appeals", "გასაჩივრება (სზაკ 49(ვ))", "Appeals against refusals (GAC Art. 49(f))"),
    Label(
        "office",
        "სამსახურის მიერ შესავსები (სზაკ 49(გ), (დ), (ზ))",
        "Filled in by the office (GAC Art. 49(c), (d), (g))",
    ),
)
# The annual CSV: one table, one measure per row (layout documented in foimail/statistics.py).
ANNUAL_CSV_COLUMNS: tuple[Label, ...] = (
    Label("section", "ნაწილი", "Section"),
    Label("official", "თანამდებობის პირი", "Official"),
    BY_ACT_MEASURES[0],
    BY_ACT_MEASURES[1],
    Label("measure", "მაჩვენებელი", "Measure"),
    Label("value", "მნიშვნელობა", "Value"),
    Label("label", "დასახელება", "Label"),
)
_ALL_LABELS = {
    label.name: label
    for group in (
        COLUMNS,
        BY_OFFICIAL_MEASURES,
        BY_ACT_MEASURES,
        APPEAL_FIELDS,
        OFFICE_FIELDS,
        ANNUAL_SECTIONS,
        ANNUAL_CSV_COLUMNS,
    )
    for label in group
}
ALL_NAMES: tuple[str, ...] = tuple(_ALL_LABELS)


def label_for(name: str, lang: str) -> str:
    """The human label of a column, measure, field or section name in `lang` ("ka" or "en")."""
    try:
        return _ALL_LABELS[name].text(lang)
    except KeyError:
        raise ValueError(f"no label for {name!r}") from None


def labels(names: Sequence[str], lang: str) -> tuple[str, ...]:
    """Human labels for `names`, in order."""
    return tuple(label_for(name, lang) for name in names)


def outcome_columns_add_up(row: Mapping[str, object]) -> bool:
    """The outcome columns exclude each other and cover every request: their sum is `received`."""
    total = 0
    for name in OUTCOME_COLUMNS:
        value = row[name]
        if not isinstance(value, int):
            return False
        total += value
    return total == row["received"]


def period_utc_bounds(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) covering local dates first..last, midnight to midnight."""
    if last < first:
        raise ValueError(f"period ends before it starts: {first} .. {last}")
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + _ONE_DAY, time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def fixed_utc_offset(tz: tzinfo, first: date, last: date) -> int:
    """The UTC offset in seconds of `tz` at every local midnight from `first` to `last`.

    The database turns a UTC moment into its local date by adding one offset; that is exact only while the
    zone keeps one offset. Asia/Tbilisi has been UTC+4 without daylight saving since 2005; a zone whose
    offset changes within the range is refused (ValueError) rather than counted wrongly near midnight.
    """
    offsets: set[timedelta] = set()
    day = first
    while day <= last:
        offset = datetime.combine(day, time(0), tzinfo=tz).utcoffset()
        if offset is None:
            raise ValueError(f"time zone {tz} gives no UTC offset")
        offsets.add(offset)
        day += _ONE_DAY
    if len(offsets) != 1:
        raise ValueError(f"time zone {tz} changes its UTC offset between {first} and {last}")
    return int(offsets.pop().total_seconds())


@dataclass(frozen=True)
class Tally:
    """How many of a period's cases share one state, refusal ground, days and lateness (one GROUP BY row).

    `state` is the outcome of a decided case, else "overdue_open" or "pending"; `ground` is the refusal ground
    recorded on a refused or partly answered case (else None); `days` is the local answer date minus the local
    registration date (None without an answer time); `late` says the local answer date is after the due date.
    """

    state: str
    ground: str | None
    days: int | None
    late: bool
    count: int


def statistics_row(first: date, last: date, tallies: Iterable[Tally]) -> dict[str, object]:
    """The 2.4 row, keyed by ``COLUMN_NAMES`` in order, from the period's tallies (module docstring)."""
    row: dict[str, object] = dict.fromkeys(COLUMN_NAMES, 0)
    row.update(period_start=first, period_end=last)
    counts: dict[str, int] = dict.fromkeys(COLUMN_NAMES[2:], 0)
    days_histogram: dict[int, int] = {}
    for tally in tallies:
        if tally.state not in OUTCOME_COLUMNS:
            raise ValueError(f"unknown case state {tally.state!r}")
        counts["received"] += tally.count
        counts[tally.state] += tally.count
        if tally.state in REFUSAL_OUTCOMES:
            counts[GROUND_COLUMNS.get(tally.ground or OTHER_GROUND, GROUND_COLUMNS[OTHER_GROUND])] += tally.count
        if tally.state not in DECISION_OUTCOMES or tally.days is None:
            continue
        days_histogram[tally.days] = days_histogram.get(tally.days, 0) + tally.count
        counts["answered_late" if tally.late else "answered_on_time"] += tally.count
        counts["answered_same_day"] += tally.count if tally.days == 0 else 0
        counts["refusal_notice_late"] += tally.count if tally.late and tally.state in REFUSAL_OUTCOMES else 0
    row.update(counts)
    row["median_days"] = median_of_histogram(days_histogram) if days_histogram else None
    row["max_days"] = max(days_histogram) if days_histogram else None
    return row


def median_of_histogram(histogram: Mapping[int, int]) -> int | float:
    """The median of values given as {value: count}: the mean of the two middle ones for an even count.

    A whole median stays an int (3, not 3.0); a half is a float (2.5).
    """
    total = sum(histogram.values())
    if total < 1:
        raise ValueError("the median of no values")
    middle = sorted({(total - 1) // 2, total // 2})  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < len(middle) and middle[len(found)] < seen:
            found.append(value)
    doubled = found[0] + found[-1]
    return doubled // 2 if doubled % 2 == 0 else doubled / 2
