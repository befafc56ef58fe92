"""The words letters show for foimail's values: outcomes, refusal grounds, case statuses, kinds of mail.

One place for them, so that a template never spells a machine name ("relay", "confirmation") inside a
Georgian sentence and two letters never name one outcome two ways. Templates reach them through the
`ka` and `en` filters (mail/render.py): ``{{ outcome|ka("outcome") }}``. A value without a label is shown
as it is, never an error: a new kind must not stop a digest; tests/core/test_labels.py checks that every
known value has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from foimail.core.commands import RefusalGround
from foimail.core.statistics import LANGUAGES, Label
from foimail.core.vocabulary import CaseStatus, MessageKind, OutboxKind, Outcome, StoredKind

__all__ = ["LABELS", "LabelGroup", "label"]


class LabelGroup(StrEnum):
    """Which kind of value a label names: one machine name may mean different things in two groups."""

    OUTCOME = "outcome"
    GROUND = "ground"
    STATUS = "status"
    MAIL = "mail"  # what foimail sends (outbox kinds)
    MESSAGE = "message"  # what came in (stored message kinds)
    DEADLINE = "deadline"  # the side deadlines of GAC Arts. 41 and 80
    REPORT = "report"  # the statistics files foimail builds


def _group(*labels: Label) -> Mapping[str, Label]:
    return {entry.name: entry for entry in labels}


LABELS: Final[Mapping[LabelGroup, Mapping[str, Label]]] = {
    LabelGroup.OUTCOME: _group(
        Label(Outcome.ANSWERED_FULL, "ინფორმაცია გაცემულია სრულად", "answered in full"),
        Label(Outcome.ANSWERED_PARTIAL, "ინფორმაცია გაცემულია ნაწილობრივ", "answered in part"),
        Label(Outcome.REFUSED, "ინფორმაციის გაცემაზე უარი", "refused"),
        Label(
            Outcome.NOT_HELD,
            "ინფორმაცია არ გვაქვს, მოთხოვნა დაბრუნდა (სზაკ 80(4))",
            "not held, returned (GAC Art. 80(4))",
        ),
        Label(Outcome.FORWARDED, "გადაეგზავნა უფლებამოსილ ორგანოს (სზაკ 80(1))", "forwarded (GAC Art. 80(1))"),
        Label(Outcome.WITHDRAWN, "მომთხოვნმა მოთხოვნა უკან გამოითხოვა", "withdrawn by the requester"),
    ),
    # GAC Arts. 27¹–27⁴, 28: the grounds as a refusal names them to the requester.
    LabelGroup.GROUND: _group(
        Label(RefusalGround.PERSONAL_DATA, "პერსონალური მონაცემები", "personal data"),
        Label(RefusalGround.COMMERCIAL_SECRET, "კომერციული საიდუმლოება", "commercial secret"),
        Label(RefusalGround.STATE_SECRET, "სახელმწიფო საიდუმლოება", "state secret"),
        Label(RefusalGround.PROFESSIONAL_SECRET, "პროფესიული საიდუმლოება", "professional secret"),
        Label(RefusalGround.OTHER, "სხვა კანონიერი საფუძველი", "another legal ground"),
    ),
    LabelGroup.STATUS: _group(
        Label(CaseStatus.OPEN, "ღია", "open"),
        Label(CaseStatus.CLOSED, "დახურული", "closed"),
    ),
    LabelGroup.MAIL: _group(
        Label(OutboxKind.CONFIRMATION, "რეგისტრაციის დადასტურება", "registration confirmation"),
        Label(OutboxKind.RELAY, "პასუხი მომთხოვნს", "answer to the requester"),
        Label(OutboxKind.NOTIFY, "შეტყობინება ოფისისთვის", "notice to the office"),
        Label(OutboxKind.DIGEST, "დღის მიმოხილვა", "daily digest"),
        Label(OutboxKind.REPORT, "სტატისტიკის ფაილი", "statistics file"),
        Label(
            OutboxKind.FOLLOWUP_NOTICE, "შეტყობინება საქმეზე მოსული წერილის შესახებ", "notice of a message on a case"
        ),
        Label(OutboxKind.DELIVERY_FAILED, "შეტყობინება მიუწოდებელი წერილის შესახებ", "notice of a failed delivery"),
        Label(OutboxKind.OFFICER_RECEIPT, "დადასტურება თანამშრომლისთვის", "receipt to the officer"),
        Label(OutboxKind.OFFICER_ERROR, "შეცდომის შესახებ შეტყობინება თანამშრომლისთვის", "error notice to the officer"),
    ),
    LabelGroup.MESSAGE: _group(
        # Besides the classifier's kinds, the kinds usecases/ store a message under once handled.
        Label(StoredKind.PENDING, "დაუმუშავებელი", "not yet processed"),
        Label(MessageKind.REQUEST, "მოთხოვნა", "request"),
        Label(MessageKind.TAGGED, "წერილი საქმის ნომრით", "message naming a case"),
        Label(StoredKind.FOLLOW_UP, "დამატებითი წერილი საქმეზე", "follow-up on a case"),
        Label(StoredKind.DUPLICATE, "უკვე მიღებული წერილის ასლი", "copy of a message already received"),
        Label(MessageKind.BOUNCE, "მიუწოდებლობის შეტყობინება", "bounce"),
        Label(MessageKind.AUTO_REPLY, "ავტომატური პასუხი", "automatic reply"),
        Label(MessageKind.OWN_MAIL, "ჩვენივე წერილი", "our own mail"),
        Label(MessageKind.SPAM, "სპამი", "spam"),
        Label(MessageKind.UNPARSEABLE, "გაუმართავი წერილი", "unreadable message"),
        Label(StoredKind.OFFICER, "თანამშრომლის წერილი", "officer's message"),
        Label(StoredKind.OFFICER_ERROR, "თანამშრომლის წერილი შეცდომით", "officer's message with errors"),
        Label(
            StoredKind.OFFICER_RETURNED,
            "თანამშრომლის წერილი, დაბრუნებული გაუგზავნელად",
            "officer's message, returned unsent",
        ),
        Label(StoredKind.OFFICER_NOTE, "თანამშრომლის შენიშვნა საქმეზე", "officer's note on a case"),
    ),
    LabelGroup.DEADLINE: _group(
        Label(
            "refusal_explanation",
            "უარის წერილობითი განმარტება (სზაკ 41(2))",
            "written explanation of a refusal (GAC Art. 41(2))",
        ),
        Label("forwarding", "გადაგზავნა უფლებამოსილ ორგანოში (სზაკ 80(1))", "forwarding (GAC Art. 80(1))"),
        Label(
            "forwarding_notice",
            "მომთხოვნის ინფორმირება გადაგზავნის შესახებ (სზაკ 80(3))",
            "telling the requester of the forwarding (GAC Art. 80(3))",
        ),
    ),
    LabelGroup.REPORT: _group(
        Label(
            "quarterly",
            "კვარტალური სტატისტიკა, დანართის პუნქტი 2.4",
            "quarterly statistics, annex item 2.4",
        ),
        Label(
            "art49",
            "სზაკ-ის 49-ე მუხლით გათვალისწინებული ყოველწლიური ანგარიში, დანართის პუნქტი 2.3",
            "the yearly report under GAC Art. 49, annex item 2.3",
        ),
    ),
}


def label(value: object, group: str, lang: str) -> str:
    """The `lang` ("ka" or "en") label of `value` in `group`; the value itself when it has none.

    ValueError for an unknown group or language: those are mistakes in a template, found by its tests.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    text = "" if value is None else str(value)
    found = LABELS[LabelGroup(group)].get(text)
    return text if found is None else found.text(lang)
