"""Every shipped template rendered and compared, whole, with a reviewed expected text (tests/mail/letters/).

The expected texts were read as a Georgian official (and an English reader) would read the letter: a change
to a template shows here as a diff to review, never silently. Each expected file is the subject line, a
blank line, then the body.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from foimail.core.commands import COMMAND_ALIASES, COMMAND_USAGE, GROUND_ALIASES, CommandKind
from foimail.core.publication import DueEntry, PublicationEvent, PublicationItem, PublicationPeriod
from foimail.mail.render import TemplateRenderer

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
EXPECTED = Path(__file__).resolve().parent / "letters"
GEORGIAN = re.compile(r"[\u10d0-\u10ff]")
TBILISI = timezone(timedelta(hours=4))

OFFICE = {
    "office_name": "ქ. ბათუმის მერია",
    "office_name_en": "Batumi City Hall",
    "office_address": "foi@batumi.ge",
    "office_complaints_to": "ქალაქ ბათუმის მერი, ბათუმი, ლუკა ასათიანის ქ. №25",
}
ANNEX_ITEM = PublicationItem(
    "6.1",
    "ნორმატიული აქტები, რომლებიც უშუალოდ არის დაკავშირებული ადმინისტრაციული ორგანოს საქმიანობასთან",
    "Normative acts directly related to the activity of the administrative body",
    PublicationPeriod.WITHIN_10_DAYS,
)
OFFICIAL = "გიორგი მამალაძე <g.mamaladze@batumi.ge>"
BODY = "ქალბატონო ნინო,\n\nგაცნობებთ თქვენს მოთხოვნაზე მიღებულ გადაწყვეტილებას.\n\nპატივისცემით,\nგიორგი მამალაძე"


def line(
    number: str, subject: str, requester: str, due: date, left: int, overdue: bool, forward_by: date | None = None
) -> SimpleNamespace:
    """A digest line with the attributes usecases/reminders.py gives one."""
    return SimpleNamespace(
        number=number,
        subject=subject,
        requester=requester,
        due_date=due,
        working_days_left=left,
        overdue=overdue,
        forward_by=forward_by,
    )


def answer(outcome: str | None, **extra: object) -> dict[str, object]:
    values: dict[str, object] = {
        "body": BODY,
        "case_number": "FOI-2026-00042",
        "outcome": outcome,
        "ground": None,
        "act": None,
        "official": OFFICIAL,
        "unit": "",
        "forwarded_to": None,
        "tagged_subject": "[FOI-2026-00042] 2025 წლის ბიუჯეტის შესრულება",
    }
    return {**values, **extra}


DIGEST_CASES = [
    line("FOI-2026-00031", "შესყიდვები", "nino@example.ge", date(2026, 11, 24), 0, True),
    line("FOI-2026-00040", "ბიუჯეტი", "levan@example.com", date(2026, 12, 3), 0, False),
    line("FOI-2026-00041", "ხელფასები", "tamar@example.ge", date(2026, 12, 4), 1, False),
    line("FOI-2026-00042", "გრანტები", "nino@example.ge", date(2026, 12, 8), 3, False),
    line("FOI-2026-00043", "სასამართლო", "levan@example.com", date(2026, 12, 10), 1, False, date(2026, 12, 4)),
]
OFFICE_VIEW = {
    "overdue": DIGEST_CASES[:1],
    "stuck_confirmations": [(17, ["nino@example.ge"], None)],
    "failed": [(18, "relay", ["old@example.ge"], "550 5.1.1 mailbox unavailable")],
    "to_check": [
        SimpleNamespace(
            id=904,
            kind="auto_reply",
            sender="k.becker@stadtwerke-example.de",
            subject="Abwesenheitsnotiz: [FOI-2026-00042]",
            reasons="Subject: Abwesenheitsnotiz: [FOI-2026-00042]",
            command="foimail register 904",
        )
    ],
    "set_aside": [(903, "auto_reply", "levan@example.com", "Out of office", "Auto-Submitted: auto-replied")],
    "side_deadlines": [("FOI-2026-00038", "refusal_explanation", date(2026, 12, 7))],
    "decree_reminder": True,
    "next_year": 2027,
}

LETTERS: dict[str, tuple[str, dict[str, object]]] = {
    "confirmation": (
        "requester/confirmation",
        {
            "case_number": "FOI-2026-00042",
            "subject": "2025 წლის ბიუჯეტის შესრულება",
            "requester_name": "ნინო ბერიძე",
            "registered_local": datetime(2026, 11, 20, 17, 30, tzinfo=TBILISI),
            "due_date": date(2026, 12, 3),
            "start_day": date(2026, 11, 24),
        },
    ),
    "confirmation_no_name": (
        "requester/confirmation",
        {
            "case_number": "FOI-2026-00043",
            "subject": "",
            "requester_name": None,
            "registered_local": datetime(2026, 12, 22, 10, 0, tzinfo=TBILISI),
            "due_date": date(2027, 1, 4),
            "start_day": date(2026, 12, 23),
        },
    ),
    "answer_full": ("requester/answer", answer("answered_full")),
    "answer_refused": (
        "requester/answer",
        answer(
            "refused",
            ground="personal_data",
            act="პერსონალურ მონაცემთა დაცვის შესახებ კანონი, მუხლი 5",
            unit="ქ. ბათუმის მერიის ფინანსური სამსახური",
        ),
    ),  # fmt: skip
    "answer_partial_no_complaints_to": (
        "requester/answer",
        {**answer("answered_partial", ground="commercial_secret", act=None), "office_complaints_to": ""},
    ),
    "answer_forwarded": ("requester/answer", answer("forwarded", forwarded_to="საქართველოს ფინანსთა სამინისტრო")),
    "answer_not_held": ("requester/answer", answer("not_held")),
    "receipt_relayed": (
        "officer/receipt",
        {
            "case_number": "FOI-2026-00042",
            "requester": "nino@example.ge",
            "relayed": True,
            "sent_local": datetime(2026, 12, 3, 14, 2, tzinfo=TBILISI),
            "summary": "",
            "status": "closed",
            "outcome": "refused",
            "forward_by": None,
        },
    ),
    "receipt_recorded": (
        "officer/receipt",
        {
            "case_number": "FOI-2026-00042",
            "requester": "nino@example.ge",
            "relayed": False,
            "sent_local": datetime(2026, 12, 3, 14, 2, tzinfo=TBILISI),
            "summary": "#note ფინანსურ სამსახურს ვკითხე",
            "status": "open",
            "outcome": None,
            "forward_by": None,
        },
    ),
    "receipt_to_forward": (
        "officer/receipt",
        {
            "case_number": "FOI-2026-00043",
            "requester": "levan@example.com",
            "relayed": False,
            "sent_local": datetime(2026, 11, 30, 11, 15, tzinfo=TBILISI),
            "summary": "#toforward საქართველოს იუსტიციის სამინისტრო",
            "status": "open",
            "outcome": None,
            "forward_by": date(2026, 12, 4),
        },
    ),
    "publication": (
        "office/publication",
        {
            "today": date(2026, 12, 4),
            "entries": [
                DueEntry(
                    date(2026, 12, 11), ANNEX_ITEM, PublicationEvent("6.1", "მერის ბრძანება №12", date(2026, 12, 1))
                ),
            ],
        },
    ),
    "error_no_case": (
        "officer/error",
        {
            "original_subject": "Re: ბიუჯეტი",
            "errors": ["no case number in the subject / თემაში საქმის ნომერი არ არის"],
            "example_number": "FOI-2026-00042",
            "message_row_id": 904,
            "no_case": True,
        },
    ),
    "returned_unsafe": (
        "officer/returned",
        {
            "case_number": "FOI-2026-00042",
            "original_subject": "RE: [FOI-2026-00042] ბიუჯეტი",
            "reason": "the answer still holds an attribution line / პასუხში დარჩა ციტირების შესავალი: "
            "'On Mon, 23 Nov 2026 at 08:26, FOI wrote:'",
            "message_row_id": 906,
        },
    ),
    "copied_as_note": (
        "officer/copied",
        {"case_number": "FOI-2026-00042", "original_subject": "[FOI-2026-00042] can we refuse this?"},
    ),
    "digest_office": ("office/digest", {"today": date(2026, 12, 3), "cases": DIGEST_CASES[1:], "office": OFFICE_VIEW}),
    "digest_officer": ("office/digest", {"today": date(2026, 12, 3), "cases": [], "office": None}),
    "followup": (
        "office/followup",
        {
            "case_number": "FOI-2026-00042",
            "subject": "ბიუჯეტი",
            "sender": "other@example.ge",
            "other_sender": True,
            "requester": "nino@example.ge",
            "message_subject": "Re: [FOI-2026-00042] ბიუჯეტი",
            "due_date": date(2026, 12, 3),
            "excerpt": "გთხოვთ, დამატებით გამომიგზავნოთ ხარჯების ცხრილი.",
        },
    ),
    "forgery": (
        "office/forgery",
        {
            "case_number": "FOI-2026-00042",
            "sender": "mayor@batumi.ge",
            "reason": "dkim=fail spf=fail",
            "subject": "#refused other",
            "message_row_id": 905,
        },
    ),
    "set_aside": (
        "office/set_aside",
        {
            "today": date(2026, 12, 3),
            "messages": [
                SimpleNamespace(
                    id=911,
                    kind="spam",
                    sender="nino.beridze@gmail.com",
                    subject="საჯარო ინფორმაციის მოთხოვნა",
                    reasons="X-Spam-Flag: YES",
                    command="foimail register 911",
                ),
                SimpleNamespace(
                    id=912,
                    kind="unparseable",
                    sender="<>",
                    subject="request",
                    reasons="no usable sender address: From: (missing)",
                    command="foimail register 912",
                ),
            ],
        },
    ),
    "delivery_failed": (
        "office/delivery_failed",
        {
            "case_number": "FOI-2026-00042",
            "outbox_kind": "confirmation",
            "recipients": ["nino@example.ge"],
            "reason": "550 5.1.1 <nino@example.ge>: Recipient address rejected",
        },
    ),
    "report": (
        "office/report",
        {
            "period": "2026Q4",
            "what": "quarterly",
            "publish_by": date(2027, 1, 31),
            "filename": "foimail-2.4-2026Q4.csv",
            "path": "/var/lib/foimail/stats/foimail-2.4-2026Q4.csv",
        },
    ),
}


def render(template: str, values: dict[str, object]) -> str:
    renderer = TemplateRenderer(TEMPLATES)
    context = {**OFFICE, **values}
    subject = " ".join(renderer.render(f"{template}.subject.j2", **context).split())
    audience, _, event = template.partition("/")
    text, html = renderer.render_pair(audience, event, **context)
    assert html is None  # no HTML twins are shipped: the text is the letter
    return f"{subject}\n\n{text}"


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_letter_reads_as_reviewed(name: str) -> None:
    template, values = LETTERS[name]
    expected = (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")
    assert render(template, values) == expected


def test_every_shipped_template_has_a_reviewed_letter() -> None:
    shipped = {str(path.relative_to(TEMPLATES)).removesuffix(".txt.j2") for path in TEMPLATES.rglob("*.txt.j2")}
    covered = {template for template, _ in LETTERS.values()}
    assert shipped == covered
    assert sorted(path.stem for path in EXPECTED.glob("*.txt")) == sorted(LETTERS)


def test_no_machine_words_in_georgian_sentences() -> None:
    """A Georgian line (or the Georgian side of a "ka / en" line) names no kind of mail in English."""
    for name, (template, values) in LETTERS.items():
        for line in render(template, values).splitlines():
            georgian = line.split(" / ")[0]
            if GEORGIAN.search(georgian):
                for word in ("confirmation", "relay", "outbox", "set aside", "digest", "OVERDUE"):
                    assert word not in georgian, (name, line)


def test_the_officers_help_lists_every_command_as_the_parser_knows_it() -> None:
    assert sorted(usage.kind for usage in COMMAND_USAGE) == sorted(CommandKind)
    for usage in COMMAND_USAGE:
        assert COMMAND_ALIASES[usage.word_en] is usage.kind
        assert COMMAND_ALIASES[usage.word_ka] is usage.kind
    text = render(*LETTERS["error_no_case"])
    for usage in COMMAND_USAGE:
        assert f"#{usage.word_ka}" in text and f"#{usage.word_en}" in text
    for word in GROUND_ALIASES:
        if "-" not in word:
            assert word in text
