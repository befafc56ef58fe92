"""Registration numbers: format, read back, find in text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foimail.core.numbering import (
    DEFAULT_FORMAT,
    MAX_SEQ,
    find_numbers,
    format_number,
    normalise_number,
    number_pattern,
    parse_number,
    validate_format,
)

VALID_FORMATS = [
    DEFAULT_FORMAT,
    "FOI-{year}-{seq}",
    "{year}/FOI/{seq:03d}",
    "BTM-FOI-{seq:06d}-{year}",
    "საჯ-{year}-{seq:04d}",
    "№FOI{seq}/{year}",
]


@pytest.mark.parametrize("fmt", VALID_FORMATS)
def test_valid_formats_pass(fmt: str) -> None:
    validate_format(fmt)


@pytest.mark.parametrize(
    ("fmt", "complaint"),
    [
        ("", "empty"),
        ("FOI-{seq:05d}", "{year} exactly once"),
        ("FOI-{year}", "{seq} exactly once"),
        ("FOI-{year}-{year}-{seq}", "{year} exactly once"),
        ("FOI-{year}-{seq}-{seq}", "{seq} exactly once"),
        ("FOI-{year}-{month}-{seq}", "'{month}' is not allowed"),
        ("FOI-{year}-{seq:5d}", "'{seq:5d}' is not allowed"),
        ("FOI-{year}-{seq:010d}", "'{seq:010d}' is not allowed"),
        ("FOI-{year}-{seq:00d}", "'{seq:00d}' is not allowed"),
        ("FOI-{year:04d}-{seq}", "'{year:04d}' is not allowed"),
        ("FOI-{year}-{seq}}", "'}' is not allowed"),
        ("FOI-{{year}}-{seq}", "is not allowed"),
        ("FOI {year} {seq}", "spaces"),
        ("[FOI-{year}-{seq}]", "square brackets"),
        ("{year}-{seq}", "needs a letter"),
        ("№{seq}/{year}", "needs a letter"),  # would read "resolution №3/2014" as a case
        ("FOI-{year}{seq}", "between {year} and {seq}"),
        ("FOI1{year}-{seq}", "digit must not touch {year}"),
        ("FOI-{year}-2{seq}", "digit must not touch {seq}"),
    ],
)
def test_invalid_formats_are_explained(fmt: str, complaint: str) -> None:
    with pytest.raises(ValueError) as raised:
        validate_format(fmt)
    assert complaint in str(raised.value)


@pytest.mark.parametrize(
    ("fmt", "year", "seq", "expected"),
    [
        (DEFAULT_FORMAT, 2026, 42, "FOI-2026-00042"),
        (DEFAULT_FORMAT, 2026, 1, "FOI-2026-00001"),
        (DEFAULT_FORMAT, 2026, 99999, "FOI-2026-99999"),
        (DEFAULT_FORMAT, 2026, 100000, "FOI-2026-100000"),
        ("FOI-{year}-{seq}", 2026, 7, "FOI-2026-7"),
        ("{year}/FOI/{seq:03d}", 2027, 5, "2027/FOI/005"),
        ("საჯ-{year}-{seq:04d}", 2026, 12, "საჯ-2026-0012"),
    ],
)
def test_format_number(fmt: str, year: int, seq: int, expected: str) -> None:
    assert format_number(fmt, year, seq) == expected


@pytest.mark.parametrize(("year", "seq"), [(999, 1), (10000, 1), (2026, 0), (2026, -1), (2026, MAX_SEQ + 1)])
def test_format_number_rejects_out_of_range(year: int, seq: int) -> None:
    with pytest.raises(ValueError):
        format_number(DEFAULT_FORMAT, year, seq)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FOI-2026-00042", (2026, 42)),
        ("foi-2026-42", (2026, 42)),
        ("  Foi-2026-0042 ", (2026, 42)),
        ("FOI–2026–00042", (2026, 42)),  # en dashes from a word processor
        ("FOI-2026-123456", (2026, 123456)),
        ("FOI-2026-00000", None),
        ("FOI-0999-00001", None),
        ("FOI-2026-", None),
        ("FOI-26-00042", None),
        ("FOI-2026-00042x", None),
        ("[FOI-2026-00042]", None),
        ("XFOI-2026-00042", None),
        ("FOI-2026-0004212345", None),  # ten digits: not a sequence
        ("FOI 2026 00042", None),
        ("", None),
        ("FOI-２０２６-00042", None),  # full-width digits are not ours
    ],
)
def test_parse_number_whole_string(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_number(text, DEFAULT_FORMAT) == expected


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("foi-2026-42", DEFAULT_FORMAT, "FOI-2026-00042"),
        ("FOI-2026-00042", DEFAULT_FORMAT, "FOI-2026-00042"),
        ("fOi-2026-000042", DEFAULT_FORMAT, "FOI-2026-00042"),
        ("2027/foi/5", "{year}/FOI/{seq:03d}", "2027/FOI/005"),
        ("საჯ-2026-12", "საჯ-{year}-{seq:04d}", "საჯ-2026-0012"),
        ("request 42", DEFAULT_FORMAT, None),
    ],
)
def test_normalise_number(text: str, fmt: str, expected: str | None) -> None:
    assert normalise_number(text, fmt) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[FOI-2026-00042] budget", ("FOI-2026-00042",)),
        ("RE: FOI-2026-00042", ("FOI-2026-00042",)),
        ("Fwd: foi-2026-42, foi-2026-43 and FOI-2026-00042", ("FOI-2026-00042", "FOI-2026-00043")),
        ("XFOI-2026-1", ()),
        ("FOI-2026-000421234567", ()),
        ("FOI-2026-42abc", ()),
        ("FOI-2026-42-ის პასუხი", ("FOI-2026-00042",)),  # Georgian suffix after a hyphen
        ("FOI-2026-42ზე", ("FOI-2026-00042",)),  # Georgian letters may touch
        ("(FOI-2026-7)", ("FOI-2026-00007",)),
        ("FOI-2026-0", ()),
        ("nothing here 2026-00042", ()),
    ],
)
def test_find_numbers_in_text(text: str, expected: tuple[str, ...]) -> None:
    assert find_numbers(text, DEFAULT_FORMAT) == expected


def test_number_pattern_groups() -> None:
    match = number_pattern(DEFAULT_FORMAT).search("see foi-2026-0042.")
    assert match is not None
    assert (match.group("year"), match.group("seq")) == ("2026", "0042")


_LITERAL = st.text(alphabet="ABCFIOXZაბგ№/.-_", min_size=1, max_size=5)


@st.composite
def formats(draw: st.DrawFn) -> str:
    """Valid formats: a lettered prefix, the two fields in either order, separators between them."""
    prefix = draw(_LITERAL.filter(lambda text: any(ch.isalpha() for ch in text)))
    separator = draw(st.sampled_from(["-", "/", ".", "_", "-N-"]))
    width = draw(st.integers(min_value=0, max_value=9))
    seq = "{seq}" if width == 0 else f"{{seq:0{width}d}}"
    first, second = draw(st.permutations(["{year}", seq]))
    suffix = draw(st.sampled_from(["", "-x", "/ბ"]))
    return f"{prefix}{separator}{first}{separator}{second}{suffix}"


@given(fmt=formats(), year=st.integers(1000, 9999), seq=st.integers(1, MAX_SEQ))
def test_round_trip(fmt: str, year: int, seq: int) -> None:
    number = format_number(fmt, year, seq)
    assert parse_number(number, fmt) == (year, seq)
    assert normalise_number(number.lower(), fmt) == number
    assert find_numbers(f"Re: [{number}] and more", fmt) == (number,)


@given(year=st.integers(1000, 9999), seq=st.integers(1, MAX_SEQ))
def test_unpadded_spelling_normalises(year: int, seq: int) -> None:
    assert normalise_number(f"foi-{year}-{seq}", DEFAULT_FORMAT) == format_number(DEFAULT_FORMAT, year, seq)
