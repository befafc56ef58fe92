"""What of an officer's mail may reach the requester: the answer, cut from its quoted history by structure
first (the HTML part's quote containers), by text second (`core.quotes`), then checked once more.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from foimail.core.message import Attachment, InboundMessage
from foimail.core.quotes import history_left, strip_quoted
from foimail.mail.text_body import html_answer_text, html_to_text

_WORD = re.compile(r"\w+")
_INTERLEAVED = (
    "the answer is written between pieces of the quoted message / პასუხი დაწერილია ციტირებული წერილის ნაწილებს შორის"
)
_SAME_CONTENT = 0.8  # share of the plain part's words the HTML part must hold to be its alternative


@dataclass(frozen=True)
class OfficerAnswer:
    """The officer's own text and attachments, and why it must not be relayed (None when it may).

    `attachments` leave out the inline images that only the quoted history showed (Gmail and Outlook attach
    them again to a reply): a screenshot from an internal thread is history too.
    """

    text: str
    unsafe: str | None
    attachments: tuple[Attachment, ...] = ()


def officer_answer(message: InboundMessage, number_format: str) -> OfficerAnswer:
    """The answer in `message`, history cut; `unsafe` says why nothing may be relayed (the fail-safe).

    The HTML part is read when it is the message's body: the only part, or the alternative of the plain one
    (a gateway's HTML disclaimer next to a plain answer is not).
    """
    if message.html and _is_the_body(message.html, message.text):
        html = html_answer_text(message.html)
        text = strip_quoted(html.text)
        attachments = tuple(a for a in message.attachments if a.content_id not in html.history_images)
        if html.interleaved or html.written_below:
            return OfficerAnswer(text, _INTERLEAVED, attachments)
        written = html.text.strip() or html_to_text(message.html).strip()
    else:
        text = strip_quoted(message.text)
        attachments = message.attachments
        written = message.text.strip()
    if not written:  # an empty mail (the answer is its attachments): nothing was cut, nothing to fear
        return OfficerAnswer("", None, attachments)
    return OfficerAnswer(text, history_left(text, number_format), attachments)


def _is_the_body(html: str, plain: str) -> bool:
    html_words = Counter(_WORD.findall(html_to_text(html).lower()))
    plain_words = Counter(_WORD.findall(plain.lower()))
    if not plain_words:
        return True
    shared = sum((plain_words & html_words).values())
    return shared >= _SAME_CONTENT * sum(plain_words.values())
