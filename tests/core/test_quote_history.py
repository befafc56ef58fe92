"""Plain-text history in every client family and language: the answer survives, no line of the history does."""

from __future__ import annotations

import pytest

from foimail.core.quotes import history_left, strip_quoted
from tests.support.history_samples import ATTRIBUTIONS, HEADER_BLOCKS, INTERNAL, OUTLOOK_FIELDS, SEPARATORS, quoted

FORMAT = "FOI-{year}-{seq:05d}"
# The officer's answer, with a line of their own that starts with ">" in the middle (a quoted article of law).
ANSWER = (
    "ბატონო გიორგი,\n\nმოთხოვნილი ინფორმაცია თანდართულია.\n"
    "> საჯარო ინფორმაცია არის ოფიციალური დოკუმენტი (სზაკ, მუხლი 2)\n"
    "ასევე გიგზავნით ბიუჯეტის ცხრილს.\n\nპატივისცემით,\nლაშა ბერიძე"
)


def _samples() -> list[pytest.param]:
    samples = []
    for name, line in ATTRIBUTIONS.items():
        samples.append(pytest.param(f"{line}\n{quoted(INTERNAL)}", id=f"{name}-quoted"))
        samples.append(pytest.param(f"{line}\n\n{INTERNAL}", id=f"{name}-unquoted"))
    for name, block in HEADER_BLOCKS.items():
        samples.append(pytest.param(f"{block.format(*OUTLOOK_FIELDS)}\n\n{INTERNAL}", id=name))
        rule = "________________________________"
        samples.append(pytest.param(f"{rule}\n{block.format(*OUTLOOK_FIELDS)}\n\n{INTERNAL}", id=f"{name}-rule"))
    for name, line in SEPARATORS.items():
        block = HEADER_BLOCKS["en_outlook"].format(*OUTLOOK_FIELDS)
        samples.append(pytest.param(f"{line}\n{block}\n\n{INTERNAL}", id=name))
    return samples


def assert_only_the_answer(history: str, result: str, answer: str = ANSWER) -> None:
    assert result == answer + "\n"
    kept = {line.strip() for line in result.split("\n")}
    for line in history.split("\n"):
        if line.strip(" >"):
            assert line.strip() not in kept, line
    assert history_left(result, FORMAT) is None


@pytest.mark.parametrize("history", _samples())
def test_history_below_the_answer_is_cut(history: str) -> None:
    assert_only_the_answer(history, strip_quoted(f"{ANSWER}\n\n{history}\n"))


@pytest.mark.parametrize("history", _samples())
def test_history_right_under_the_last_line_is_cut(history: str) -> None:
    assert_only_the_answer(history, strip_quoted(f"{ANSWER}\n{history}"))


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_any_newline_convention(newline: str) -> None:
    history = f"{ATTRIBUTIONS['en_gmail']}\n{quoted(INTERNAL)}"
    result = strip_quoted(f"{ANSWER}\n\n{history}".replace("\n", newline))
    assert_only_the_answer(history, result)


# Bottom-posted answers hold no ">" line of their own: below a quoted block, a ">" line cannot be told from an
# interleaved reply's quote, so such a mail goes back to its officer (see FAIL_SAFE).
PLAIN_ANSWER = "ბატონო გიორგი,\n\nმოთხოვნილი ინფორმაცია თანდართულია.\n\nპატივისცემით,\nლაშა ბერიძე"
BOTTOM_POSTED = {
    "thunderbird_attribution": f"{ATTRIBUTIONS['en_thunderbird']}\n{quoted(INTERNAL)}\n\n{PLAIN_ANSWER}",
    "gmail_ka_attribution": f"{ATTRIBUTIONS['ka_gmail']}\n{quoted(INTERNAL)}\n{PLAIN_ANSWER}",
    "no_attribution": f"{quoted(INTERNAL)}\n\n{PLAIN_ANSWER}",
    "bottom_posted_with_history_below": f"{ATTRIBUTIONS['de_gmail']}\n{quoted(INTERNAL)}\n\n{PLAIN_ANSWER}\n\n"
    f"-----Original Message-----\n{INTERNAL}",
}


@pytest.mark.parametrize("text", list(BOTTOM_POSTED.values()), ids=list(BOTTOM_POSTED))
def test_answer_below_the_quote_is_kept(text: str) -> None:
    assert_only_the_answer(INTERNAL, strip_quoted(text), PLAIN_ANSWER)


def test_bare_attribution_counts_when_only_quoted_lines_follow() -> None:
    history = f"FOI Batumi wrote:\n{quoted(INTERNAL)}"
    assert_only_the_answer(history, strip_quoted(f"{ANSWER}\n\n{history}"))


OWN_TEXT = {
    "greater_than_in_prose": "Budget > 2 million GEL.",
    "quoted_line_in_the_middle": "Dear Giorgi,\n> Article 2 of the GAC\nas cited above, the answer is yes.",
    "from_line_alone_is_prose": "From: 1 January 2025 to 31 March 2025 the costs were 3 million GEL.",
    "date_line_alone": "Date: 23.11.2026\nThe documents are attached.",
    "colon_line_without_verb": "The budget lines are:\n- roads\n- schools",
    "wrote_in_prose": "The mayor wrote a letter on this in 2024 and it is attached.",
    "dashes_without_title": "Summary\n----------\nThree items.",
    "prose_ending_in_a_colon": "I wrote to the ministry on 12.10.2026 and they answered as follows:\n- roads",
    "formal_letter_subject_and_date": "თემა: ბიუჯეტის შესრულება\nთარიღი: 23.11.2026\n\nპასუხი თანდართულია.",
    "memo_lines_without_from_or_date": "To: Mr Giorgi Beridze\nSubject: your request of 20 November\nYes.",
}


@pytest.mark.parametrize("text", list(OWN_TEXT.values()), ids=list(OWN_TEXT))
def test_the_officers_own_text_is_kept_whole(text: str) -> None:
    assert strip_quoted(text) == text + "\n"
    assert history_left(strip_quoted(text), FORMAT) is None


FAIL_SAFE = {
    "nothing_left": ("On Mon, 23 Nov 2026 at 08:26, FOI <foi@batumi.ge> wrote:\n> only history\n", "nothing is left"),
    "only_blank": ("\n  \n", "nothing is left"),
    "header_block_on_top": (
        f"{HEADER_BLOCKS['en_outlook'].format(*OUTLOOK_FIELDS)}\n\n{INTERNAL}",
        "nothing is left",
    ),
    "interleaved_reply": (
        f"{ATTRIBUTIONS['en_gmail']}\n> question one\n\nanswer one\n\n> question two\n\nanswer two\n",
        "attribution line",
    ),
    "bottom_posted_answer_with_a_quoted_line": (
        f"{ATTRIBUTIONS['en_thunderbird']}\n{quoted(INTERNAL)}\n\n{ANSWER}\n",
        "attribution line",
    ),
    "interleaved_without_attribution": ("> question one\nanswer one\n> question two\nanswer two\n", "between quoted"),
    "bare_attribution_in_the_middle": (
        "Dear Giorgi,\nThe requester wrote:\n> Send me it\nHere it is.\n",
        "attribution",
    ),
    "case_tag_left": ("Answer.\nRe: [FOI-2026-00001] budget\nmore\n", "case-tagged subject"),
    "lone_from_line_with_address": ("Answer.\n\nFrom: FOI Batumi <foi@batumi.ge>\nInternal\n", "header line"),
    "lone_subject_line_with_number": ("Answer.\n\nТема: FOI-2026-00001 бюджет\nInternal\n", "header line"),
}


@pytest.mark.parametrize(("text", "reason"), list(FAIL_SAFE.values()), ids=list(FAIL_SAFE))
def test_fail_safe_names_what_is_left(text: str, reason: str) -> None:
    found = history_left(strip_quoted(text), FORMAT)
    assert found is not None and reason in found


def test_a_dashed_attribution_left_in_an_answer_is_history() -> None:
    """The fail-safe knows Android's "---- X wrote ----" too, wherever the cut left it."""
    assert history_left(f"{ANSWER}\n---- FOI Batumi wrote ----\n", FORMAT) is not None


@pytest.mark.parametrize(
    "block",
    [
        # quotequail's unwrap fixture: Apple Mail's forward, quoted whole, between the answer and a last line.
        f"> Begin forwarded message:\n>\n> From: {OUTLOOK_FIELDS[0]}\n> Subject: {OUTLOOK_FIELDS[2]}\n>\n> Internal",
        f"> -----Original Message-----\n> {INTERNAL.splitlines()[1]}",
        f"> On Mon, 23 Nov 2026 at 08:26, {OUTLOOK_FIELDS[0]} wrote:\n>> {INTERNAL.splitlines()[1]}",
        f"> От: {OUTLOOK_FIELDS[0]}\n> Отправлено: 23 ноября 2026 г. 8:26",
    ],
    ids=["apple_forward", "outlook_separator", "nested_attribution", "ru_header_block"],
)
def test_a_quoted_block_in_the_middle_that_holds_an_earlier_message_is_history(block: str) -> None:
    """A ">" block kept between the officer's lines may be a quoted law, but not one holding a forwarded
    message's separator, header lines or attribution: nothing is relayed, the officer is told."""
    answer = strip_quoted(f"{ANSWER}\n\n{block}\n\nასევე იხილეთ დანართი.\n")
    assert block.split("\n")[0] in answer  # kept by the cut: the fail-safe is what stops it
    assert history_left(answer, FORMAT) is not None


def test_a_signature_alone_is_no_answer() -> None:
    """Gmail's forward with nothing written above it keeps the signature below (quotequail's fixture)."""
    answer = strip_quoted(f"-- \nლაშა ბერიძე\nსაჯარო ინფორმაციის ოფიცერი\n\n{ATTRIBUTIONS['en_gmail']}\n> {INTERNAL}\n")
    assert answer.startswith("--")
    assert history_left(answer, FORMAT) is not None
    assert history_left(f"{ANSWER}\n-- \nლაშა ბერიძე\n", FORMAT) is None


def test_text_written_below_a_quoted_block_is_not_dropped_unseen() -> None:
    """talon's "reply wraps quotations": answer, attribution, quoted block, then more of the officer's text.
    Cutting at the attribution would drop that text without anyone seeing it; the officer is asked instead."""
    history = f"{ATTRIBUTIONS['en_gmail']}\n{quoted(INTERNAL)}"
    answer = strip_quoted(f"{ANSWER}\n\n{history}\n\nდანართი 2 გამოგიგზავნით ხვალ.\n")
    assert "დანართი 2 გამოგიგზავნით ხვალ." in answer
    assert history_left(answer, FORMAT) is not None


@pytest.mark.parametrize(
    "below",
    [
        "> View ticket (http://example.com/action\n_nonce=3dd518)\n>\n",  # talon: a wrapped quoted line
        "\n-- \nლაშა ბერიძე\n",  # Thunderbird's signature placed below the quote
    ],
    ids=["wrapped_quoted_line", "signature_below_the_quote"],
)
def test_what_follows_a_quoted_block_without_being_an_answer_is_cut(below: str) -> None:
    history = f"{ATTRIBUTIONS['en_gmail']}\n{quoted(INTERNAL)}"
    assert_only_the_answer(history, strip_quoted(f"{ANSWER}\n\n{history}\n{below}"))
