"""Quoted history is cut from officers' answers, whichever client quoted it and wherever the answer is."""

from __future__ import annotations

import pytest

from foimail.core.quotes import strip_quoted

ANSWER = "ბატონო გიორგი,\n\nმოთხოვნილი ინფორმაცია თანდართულია.\n\nლაშა"

CASES = {
    "gmail_top_posted": (
        f"{ANSWER}\n\nOn Mon, 23 Nov 2026 at 08:26, FOI <foi@batumi.ge> wrote:\n> New message from the requester\n"
        "> foimail cases show FOI-2026-00010\n",
        ANSWER + "\n",
    ),
    "gmail_attribution_wrapped": (
        f"{ANSWER}\n\nOn Mon, 23 Nov 2026 at 08:26, ქ. ბათუმის მერია <foi@batumi.ge>\nwrote:\n\n> Internal: assigned\n",
        ANSWER + "\n",
    ),
    "thunderbird_bottom_posted": (
        "On 23.11.2026 08:26, FOI wrote:\n> Internal: assigned to Lasha, check with HR\n>\n\n#partial personal\n"
        f"{ANSWER}\n",
        "#partial personal\n" + ANSWER + "\n",
    ),
    "georgian_gmail_attribution": (
        f"{ANSWER}\n\nორშ, 23 ნოე. 2026, 08:26-ზე ქ. ბათუმის მერია <foi@batumi.ge> წერს:\n> შიდა შენიშვნა\n",
        ANSWER + "\n",
    ),
    "russian_attribution": (
        f"{ANSWER}\n\n23.11.2026 8:26, FOI пишет:\n> внутреннее\n",
        ANSWER + "\n",
    ),
    "outlook_original_message": (
        f"{ANSWER}\n\n-----Original Message-----\nFrom: FOI <foi@batumi.ge>\nSent: Monday\nInternal: assigned\n",
        ANSWER + "\n",
    ),
    "outlook_rule_and_header_block": (
        f"{ANSWER}\n\n________________________________\nFrom: ქ. ბათუმის მერია <foi@batumi.ge>\n"
        "Sent: Monday, November 23, 2026 8:26 AM\nTo: Lasha\nSubject: [FOI-2026-00010]\n\nInternal\n",
        ANSWER + "\n",
    ),
    "outlook_header_block_without_rule": (
        f"{ANSWER}\n\nFrom: FOI <foi@batumi.ge>\nSent: Monday, November 23, 2026 8:26 AM\nInternal\n",
        ANSWER + "\n",
    ),
    # Gmail's old attribution (talon's fixtures): date, name and address, no verb, no colon, quoted lines below.
    "gmail_dated_address_without_verb": (
        f"{ANSWER}\n2026/4/7 FOI Batumi <foi@batumi.ge>\n\n> Internal: assigned to Lasha\n",
        ANSWER + "\n",
    ),
    "dated_address_line_followed_by_prose_is_prose": (
        f"{ANSWER}\n2026/4/7 Lasha Beridze <lasha@batumi.ge>\nასევე გიგზავნით ცხრილს.\n",
        f"{ANSWER}\n2026/4/7 Lasha Beridze <lasha@batumi.ge>\nასევე გიგზავნით ცხრილს.\n",
    ),
    "sent_in_prose_is_not_an_attribution": (
        "On 23.11.2026 the following letters were sent:\n- to the Ministry\n",
        "On 23.11.2026 the following letters were sent:\n- to the Ministry\n",
    ),
    "nothing_quoted": (ANSWER, ANSWER + "\n"),
    "greater_than_in_prose_is_kept_when_not_at_line_start": ("Budget > 2 million GEL.\n", "Budget > 2 million GEL.\n"),
    "from_line_alone_is_prose": (
        "From: 1 January 2025 to 31 March 2025 the costs were...\n",
        "From: 1 January 2025 to 31 March 2025 the costs were...\n",
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(CASES.values()), ids=list(CASES))
def test_strip_quoted(text: str, expected: str) -> None:
    assert strip_quoted(text) == expected
