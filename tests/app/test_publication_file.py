"""The shipped annex file config/publication.toml, its loader, and the `publication due` listing."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from foimail.core.publication import DueEntry, PublicationEvent, PublicationItem, PublicationPeriod, due_within
from foimail.errors import ConfigError
from foimail.resources import publication_file
from foimail.usecases.publication import format_due, load_publication, parse_within

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "publication.toml"
GEORGIAN = re.compile(r"[\u10d0-\u10ff]")


def test_default_path_is_the_shipped_file() -> None:
    assert publication_file() == SHIPPED


def test_shipped_file_loads_with_the_periods_law_md_gives() -> None:
    items = {entry.id: entry for entry in load_publication()}
    assert items["2.3"].period is PublicationPeriod.YEARLY
    assert items["2.4"].period is PublicationPeriod.QUARTERLY
    for item_id in ("5.13", "6.1", "6.2"):  # annex note 2
        assert items[item_id].period is PublicationPeriod.WITHIN_10_DAYS, item_id


def test_shipped_file_covers_groups_one_to_seven_from_1_1_to_7_2() -> None:
    ids = [entry.id for entry in load_publication()]
    assert ids[0] == "1.1" and ids[-1] == "7.2"
    assert {item_id.split(".")[0] for item_id in ids} == {"1", "2", "3", "4", "5", "6", "7"}
    keys = [tuple(int(part) for part in item_id.split(".")) for item_id in ids]
    assert keys == sorted(keys), "items in annex order"


def test_shipped_file_ids_are_unique_and_every_title_is_given_in_both_languages() -> None:
    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))["item"]
    ids = [entry["id"] for entry in raw]
    assert len(ids) == len(set(ids))
    for entry in load_publication():
        assert entry.title_ka.strip() and entry.title_en.strip(), entry.id
        assert GEORGIAN.search(entry.title_ka), entry.id
        assert not GEORGIAN.search(entry.title_en), entry.id


def test_shipped_file_says_whose_words_its_titles_are() -> None:
    header = " ".join(SHIPPED.read_text(encoding="utf-8").split("[[item]]")[0].replace("#", " ").split())
    assert "title_ka is the annex's own wording" in header
    assert "where this file and the annex differ, the annex wins" in header.lower()


def test_a_broken_file_names_the_item(tmp_path: Path) -> None:
    path = tmp_path / "publication.toml"
    text = SHIPPED.read_text(encoding="utf-8").replace('period = "quarterly"', 'period = "weekly"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_publication(path)
    assert caught.value.key == "2.4"
    assert caught.value.file == str(path)
    assert "weekly" in caught.value.problem


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (None, "(file)", "not found"),
        ('[[item]]\nid = "2.4\n', "(syntax)", ""),
        ('[[item]]\nid = "2.4"\ntitle_ka = "სტატისტიკა"\nperiod = "quarterly"\n', "2.4", "title_en"),
        ('[[item]]\ntitle_ka = "სტატისტიკა"\n', "#1", "id must be"),
    ],
)
def test_load_errors_are_config_errors(tmp_path: Path, text: str | None, key: str, problem: str) -> None:
    path = tmp_path / "publication.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_publication(path)
    assert (caught.value.key, caught.value.file) == (key, str(path))
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("text", "days"),
    [("30d", 30), ("30", 30), ("2w", 14), (" 7D ", 7), ("0", 0), ("1W", 7), ("90d", 90)],
)
def test_parse_within(text: str, days: int) -> None:
    assert parse_within(text) == days


@pytest.mark.parametrize("text", ["", "d", "30x", "-1", "1.5d", "30 days", "2w3d", "thirty"])
def test_parse_within_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="30d, 30 or 2w"):
        parse_within(text)


STATISTICS = PublicationItem("2.4", "სტატისტიკა", "Statistics", PublicationPeriod.QUARTERLY, "foimail stats quarterly")
REPORT = PublicationItem("2.3", "ანგარიში", "Report", PublicationPeriod.YEARLY)


def test_format_due_one_line_per_deadline_with_its_note() -> None:
    listing = format_due([DueEntry(date(2026, 4, 30), STATISTICS), DueEntry(date(2027, 3, 31), REPORT)], lang="ka")
    assert listing.splitlines() == [
        "2026-04-30  2.4  სტატისტიკა / Statistics  (კვარტალური)",
        "    foimail stats quarterly",
        "2027-03-31  2.3  ანგარიში / Report  (ყოველწლიური)",
    ]


def test_format_due_names_the_recorded_act_under_its_item() -> None:
    acts = PublicationItem("6.1", "ნორმატიული აქტები", "Normative acts", PublicationPeriod.WITHIN_10_DAYS, "record it")
    act = PublicationEvent("6.1", "დადგენილება №12", date(2026, 12, 1))
    assert format_due([DueEntry(act.due, acts, act)], lang="ka").splitlines() == [
        "2026-12-11  6.1  ნორმატიული აქტები / Normative acts  (ძალაში შესვლიდან 10 დღეში)",
        "    აქტი: დადგენილება №12 (ძალაში შევიდა 2026-12-01)",
    ]


def test_format_due_in_english_names_the_period_in_english() -> None:
    listing = format_due([DueEntry(date(2027, 3, 31), REPORT)], lang="en")
    assert listing == "2027-03-31  2.3  ანგარიში / Report  (yearly)\n"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("ka", "ამ პერიოდში გამოქვეყნების ვადა არ იწურება."),
        ("en", "No publication deadline falls in this period."),
    ],
)
def test_format_due_says_when_nothing_is_due(lang: str, line: str) -> None:
    assert format_due([], lang=lang) == line + "\n"


def test_format_due_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="language"):
        format_due([], lang="de")


def test_shipped_annex_lists_the_first_quarter_statistics_in_april() -> None:
    listing = format_due(due_within(load_publication(), [], date(2026, 4, 1), parse_within("30d")), lang="en")
    assert listing.startswith("2026-04-30  2.4  ")
    assert "General statistics on requests" in listing
