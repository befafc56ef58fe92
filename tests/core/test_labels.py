"""The words letters show (core/labels.py): every value foimail knows has one, in both languages."""

from __future__ import annotations

import re

import pytest

from foimail.core.commands import RefusalGround
from foimail.core.labels import LABELS, LabelGroup, label
from foimail.core.statistics import OUTCOMES
from foimail.core.vocabulary import CaseStatus, MessageKind, OutboxKind, Outcome, StoredKind

GEORGIAN = re.compile(r"[\u10d0-\u10ff]")


@pytest.mark.parametrize(
    ("group", "values"),
    [
        (LabelGroup.OUTCOME, set(Outcome)),
        (LabelGroup.OUTCOME, set(OUTCOMES)),
        (LabelGroup.GROUND, set(RefusalGround)),
        (LabelGroup.STATUS, set(CaseStatus)),
        (LabelGroup.MAIL, set(OutboxKind)),
        (LabelGroup.REPORT, {"quarterly", "art49"}),
        (LabelGroup.DEADLINE, {"refusal_explanation", "forwarding", "forwarding_notice"}),
    ],
)
def test_every_value_of_a_group_has_a_label(group: LabelGroup, values: set[str]) -> None:
    assert set(LABELS[group]) == values


def test_every_kind_of_incoming_message_has_a_label() -> None:
    assert set(MessageKind) | set(StoredKind) == set(LABELS[LabelGroup.MESSAGE])


@pytest.mark.parametrize("group", list(LabelGroup))
def test_labels_are_georgian_and_english(group: LabelGroup) -> None:
    for name, entry in LABELS[group].items():
        assert entry.name == name
        assert GEORGIAN.search(entry.ka), name
        assert not GEORGIAN.search(entry.en), name


@pytest.mark.parametrize(
    ("value", "group", "lang", "text"),
    [
        ("relay", "mail", "ka", "პასუხი მომთხოვნს"),
        ("relay", "mail", "en", "answer to the requester"),
        (RefusalGround.STATE_SECRET, "ground", "ka", "სახელმწიფო საიდუმლოება"),
        ("refused", "outcome", "en", "refused"),
        ("carrier_pigeon", "mail", "ka", "carrier_pigeon"),  # unknown: shown as it is, never an error
        (None, "outcome", "ka", ""),
    ],
)
def test_label(value: object, group: str, lang: str, text: str) -> None:
    assert label(value, group, lang) == text


@pytest.mark.parametrize(("group", "lang"), [("colour", "ka"), ("mail", "ru")])
def test_an_unknown_group_or_language_is_a_template_mistake(group: str, lang: str) -> None:
    with pytest.raises(ValueError):
        label("relay", group, lang)
