"""Officers' command lines (#refused, #forwarded, #note ...) and the error replies, end to end.

Mail comes in through a real Dovecot and goes out through a real aiosmtpd, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from foimail.store.db import unit_of_work
from foimail.store.models import Case
from tests.support.desk import (
    ANSWER_AT,
    NUMBER,
    OFFICER,
    OFFICER_NAME,
    REQUEST_SUBJECT,
    REQUESTER,
    Desk,
    officer_mail,
)
from tests.support.mails import request_mail

LETTER = "ქალბატონო ნინო,\n\nგაცნობებთ თქვენს მოთხოვნაზე მიღებულ გადაწყვეტილებას.\n\nპატივისცემით,\nგიორგი მამალაძე\n"
APPEAL_KA = ("ერთი თვის ვადაში", "სასამართლოში")
APPEAL_EN = ("administrative complaint within one month", "before a court", "under GAC Art. 41")


# command line -> (outcome, refusal_ground, refusal_act, forwarded_to), and what the requester must read.
OUTCOMES = {
    "partial": (
        "#partial personal data Law of Georgia on Personal Data Protection, Art. 5",
        ("answered_partial", "personal_data", "Law of Georgia on Personal Data Protection, Art. 5", None),
        (
            "answered in part",
            "Ground of refusal: personal data (Law of Georgia on Personal Data Protection, Art. 5)",
            "ნაწილობრივ",
            *APPEAL_KA,
            *APPEAL_EN,
        ),
    ),
    "refused": (
        "#refused commercial secret GAC Art. 28",
        ("refused", "commercial_secret", "GAC Art. 28", None),
        (
            "has been refused",
            "Ground of refusal: commercial secret (GAC Art. 28)",
            "უარის საფუძველი: კომერციული საიდუმლოება (GAC Art. 28)",
            f"Decided by: {OFFICER_NAME} <{OFFICER}>",
            *APPEAL_KA,
            *APPEAL_EN,
        ),
    ),
    "refused, Georgian": (
        "#უარი პერსონალური მონაცემები პერსონალურ მონაცემთა დაცვის შესახებ კანონი, მუხლი 5",
        ("refused", "personal_data", "პერსონალურ მონაცემთა დაცვის შესახებ კანონი, მუხლი 5", None),
        (
            "უარის საფუძველი: პერსონალური მონაცემები (პერსონალურ მონაცემთა დაცვის შესახებ კანონი, მუხლი 5)",
            *APPEAL_KA,
            *APPEAL_EN,
        ),
    ),
    "refused, unit consulted": (
        "#refused state secret GAC Art. 28\n#consulted ქალაქის სამსახური / City Service",
        ("refused", "state_secret", "GAC Art. 28", None),
        (
            "Unit or body we consulted: ქალაქის სამსახური / City Service",
            "სამსახური ან ორგანო, რომელსაც კონსულტაციისთვის მივმართეთ: ქალაქის სამსახური / City Service",
            *APPEAL_EN,
        ),
    ),
    "forwarded": (
        "#forwarded საქართველოს ფინანსთა სამინისტრო",
        ("forwarded", None, None, "საქართველოს ფინანსთა სამინისტრო"),
        (
            "forwarded to the competent body: საქართველოს ფინანსთა სამინისტრო",
            "Art. 80",
            "გადაეგზავნა უფლებამოსილ ორგანოს: საქართველოს ფინანსთა სამინისტრო",
        ),
    ),
    "forwarded, Georgian": (
        "#გადაგზავნილი აჭარის ავტონომიური რესპუბლიკის ფინანსთა სამინისტრო",
        ("forwarded", None, None, "აჭარის ავტონომიური რესპუბლიკის ფინანსთა სამინისტრო"),
        ("forwarded to the competent body: აჭარის ავტონომიური რესპუბლიკის ფინანსთა სამინისტრო",),
    ),
    "notheld": (
        "#notheld",
        ("not_held", None, None, None),
        ("does not hold the information requested", "GAC Art. 80(4)", "მოთხოვნა გიბრუნდებათ"),
    ),
}


@pytest.mark.parametrize("command, row, phrases", list(OUTCOMES.values()), ids=list(OUTCOMES))
def test_outcome_command_is_recorded_and_relayed_without_command_lines(
    desk: Desk, command: str, row: tuple, phrases: tuple
) -> None:
    desk.receive(officer_mail(f"{command}\n\n{LETTER}"))
    answer, receipt = desk.send_all()

    assert answer.rcpt_tos == [REQUESTER] and receipt.rcpt_tos == [OFFICER]
    assert answer.mail["Subject"] == f"[{NUMBER}] {REQUEST_SUBJECT}"
    assert answer.text.startswith(LETTER.rstrip()) and "#" not in answer.text
    for phrase in phrases:
        assert phrase in answer.text
    case = desk.case()
    assert (case.outcome, case.refusal_ground, case.refusal_act, case.forwarded_to) == row
    assert (case.status, case.deciding_official, case.answered_at) == ("closed", OFFICER, ANSWER_AT)
    [decided] = desk.events("decided")
    assert decided.actor == OFFICER
    assert (decided.detail["outcome"], decided.detail["ground"], decided.detail["act"]) == row[:3]


def test_note_sends_nothing_to_the_requester_and_is_recorded(desk: Desk) -> None:
    note = "ბიუჯეტის დეპარტამენტს ვკითხე, პასუხს ველოდები"
    desk.receive(officer_mail(f"#note {note}\n#შენიშვნა ვადა ხუთშაბათია\n\nდრაფტი: ჯერ არ გაგზავნოთ.\n"))
    [receipt] = desk.send_all()

    assert receipt.rcpt_tos == [OFFICER] and note in receipt.text
    assert [e.detail["text"] for e in desk.events("note")] == [note, "ვადა ხუთშაბათია"]
    assert all(e.actor == OFFICER for e in desk.events("note"))
    case = desk.case()
    assert (case.outcome, case.status, case.deciding_official, case.answered_at) == (None, "open", None, None)


def test_assign_sets_the_officer_who_then_hears_of_follow_ups(desk: Desk) -> None:
    desk.receive(officer_mail("#assign <Eka.Tsiklauri@batumi.ge>\n"))
    [receipt] = desk.send_all()
    assert receipt.rcpt_tos == [OFFICER]
    assert "#assign eka.tsiklauri@batumi.ge" in receipt.text
    case = desk.case()
    assert case.assigned_officer == "eka.tsiklauri@batumi.ge" and case.outcome is None
    [assigned] = desk.events("assigned")
    assert (assigned.actor, assigned.detail["officer"]) == (OFFICER, "eka.tsiklauri@batumi.ge")

    desk.clock.advance(hours=1)
    desk.receive(request_mail(subject=f"Re: [{NUMBER}] {REQUEST_SUBJECT}", body="როდის მივიღებ პასუხს?"))
    [notice] = desk.send_all()
    assert notice.rcpt_tos == ["eka.tsiklauri@batumi.ge"]  # no longer the notify list
    assert "როდის მივიღებ პასუხს?" in notice.text


@pytest.mark.parametrize("command", ["#withdrawn", "#გამოთხოვილი"])
def test_withdrawn_closes_the_case_without_writing_to_the_requester(desk: Desk, command: str) -> None:
    desk.receive(officer_mail(f"{command}\n"))
    [receipt] = desk.send_all()
    assert receipt.rcpt_tos == [OFFICER]
    case = desk.case()
    assert (case.outcome, case.status, case.deciding_official) == ("withdrawn", "closed", OFFICER)
    assert desk.events("decided")[0].detail["outcome"] == "withdrawn"


TAGGED = f"RE: [{NUMBER}] {REQUEST_SUBJECT}"
# subject, body, replying in the case's thread -> what the error reply must say.
MISTAKES = {
    "unknown command": (TAGGED, f"#approve\n\n{LETTER}", False, "unknown command #approve"),
    "refusal without ground": (TAGGED, f"#refused\n\n{LETTER}", False, "give the ground"),
    "two outcomes": (TAGGED, f"#refused other\n#notheld\n\n{LETTER}", False, "only one outcome"),
    "unknown number": ("RE: [FOI-2026-00099] ბიუჯეტი", LETTER, False, "no case FOI-2026-00099"),
    "unknown number in the thread of a known case": (
        "RE: [FOI-2026-00099] ბიუჯეტი",
        LETTER,
        True,
        "no case FOI-2026-00099",
    ),
    "no number": ("ბიუჯეტის შესრულების ანგარიში", LETTER, False, "no case number"),
}


@pytest.mark.parametrize("subject, body, threaded, error", list(MISTAKES.values()), ids=list(MISTAKES))
def test_mistake_gets_an_error_reply_and_nothing_reaches_the_requester(
    desk: Desk, subject: str, body: str, threaded: bool, error: str
) -> None:
    in_reply_to = desk.confirmation_id if threaded else None
    raw = officer_mail(body, subject=subject, message_id="<mistake-1@batumi.ge>", in_reply_to=in_reply_to)
    desk.receive(raw)
    [reply] = desk.send_all()

    assert reply.rcpt_tos == [OFFICER]
    assert reply.mail["Subject"] == f"შეცდომა / Not processed: {subject}"
    assert reply.mail["In-Reply-To"] == "<mistake-1@batumi.ge>"
    assert error in reply.text and "nothing was sent to the requester" in reply.text
    stored = desk.stored("<mistake-1@batumi.ge>")
    assert (stored.kind, stored.set_aside, stored.raw) == ("officer_error", True, raw)  # kept, promotable
    assert any(error in reason for reason in stored.reasons)
    case = desk.case()
    assert (case.outcome, case.status, case.deciding_official) == (None, "open", None)
    with unit_of_work(desk.ctx.sessions) as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == 1  # nothing registered either
    on_case = subject == TAGGED
    assert stored.case_id == (case.id if on_case else None)
    assert [e.actor for e in desk.events("officer_error")] == ([OFFICER] if on_case else [])
