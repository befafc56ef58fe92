"""Subjects: the case tag, reply prefixes and out-of-office wording (subjects arrive RFC 2047-decoded).

The tag ``[FOI-2026-00042]`` is how mail finds its case again (res. No. 3 Art. 4.3: the confirmation quotes
the registration number); the number's spelling belongs to `core.numbering`.
"""

from __future__ import annotations

import re

from foimail.core.numbering import find_numbers

__all__ = [
    "find_case_number",
    "is_out_of_office_subject",
    "strip_reply_prefixes",
    "tagged_subject",
]

# Reply and forward prefixes as mail clients write them (RFC 5322 §3.6.5 suggests only "Re: "; clients
# localise it): English, German (AW, WG), Nordic (SV), French (TR), Russian (Отв, Ответ, Пересл), Georgian
# (პასუხი, გადაგზავნა), with counters such as Re[2]: and Re(2):, and a full-width colon.
_PREFIX_WORDS = r"re|fwd?|aw|wg|sv|tr|ответ|отв|пересл|პასუხი|გადაგზავნა"
_REPLY_PREFIX = re.compile(
    rf"^\s*(?:{_PREFIX_WORDS})\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)

# Out-of-office wording, only at the very start (after reply prefixes), as Outlook, Exchange, Gmail, Yandex,
# Mail.ru and their Georgian/Russian/German translations write it. Phrases a citizen might open a real subject
# with ("Out of office hours ...", "Отпуск по уходу ...") must be followed by a separator or nothing.
_STRICT_PHRASES = (
    r"out\s+of\s+(?:the\s+)?office(?:\s+auto[-\s]?reply)?",
    r"ooo",
    r"automatic\s+(?:reply|response)",
    r"auto[-\s]?(?:reply|response|responder)",
    r"away(?:\s+from\s+(?:the\s+|my\s+)?office)?",
    r"автоответ(?:чик)?",
    r"автоматический\s+ответ",
    r"нет\s+на\s+месте",
    r"вне\s+офиса",
    r"отпуск",
    r"ავტომატური\s+პასუხი",
    r"ავტოპასუხი",
    r"abwesenheitsnotiz",
)
# First-person statements ("I am not in the office") that no request opens with: any continuation will do.
_FREE_PHRASES = (
    r"ოფისში\s+არ\s+ვარ",
    r"არ\s+ვიმყოფები",
    r"(?:i\s+am|i['’]m)\s+out\s+of\s+(?:the\s+)?office",
)
_OUT_OF_OFFICE = re.compile(
    r"^[\[(]?\s*(?:"
    rf"(?:{'|'.join(_STRICT_PHRASES)})\s*(?:[:：\-–—|/\])]|$)"
    rf"|(?:{'|'.join(_FREE_PHRASES)})(?!\w)"
    r")",
    re.IGNORECASE,
)


def find_case_number(subject: str, fmt: str) -> str | None:
    """The first registration number anywhere in `subject`, normalised (``foi-2026-42`` -> FOI-2026-00042)."""
    numbers = find_numbers(subject, fmt)
    return numbers[0] if numbers else None


def carries_tag(subject: str, number: str) -> bool:
    """Whether `subject` carries ``[number]`` as foimail writes it (a reply keeps it; a mention does not)."""
    return re.search(rf"\[\s*{re.escape(number)}\s*\]", subject, re.IGNORECASE) is not None


def strip_reply_prefixes(subject: str) -> str:
    """`subject` without its leading ``Re:``/``Fwd:``/``პასუხი:``... prefixes, however many."""
    previous = None
    while previous != subject:
        previous = subject
        subject = _REPLY_PREFIX.sub("", subject, count=1)
    return subject.strip()


def tagged_subject(number: str, subject: str) -> str:
    """``[number] subject``: reply prefixes and any earlier ``[number]`` tag (any case) taken out."""
    existing_tag = re.compile(rf"\[\s*{re.escape(number)}\s*\]\s*", re.IGNORECASE)
    rest = strip_reply_prefixes(subject)
    previous = None
    while previous != rest:
        previous = rest
        rest = strip_reply_prefixes(existing_tag.sub("", rest))
    return f"[{number}] {rest}" if rest else f"[{number}]"


def is_out_of_office_subject(subject: str) -> bool:
    """True when the subject opens (after reply prefixes) with clear out-of-office wording.

    ``Automatic reply: ...`` (Outlook), ``ავტომატური პასუხი: ...`` (Outlook, Georgian), ``Автоответ: ...``
    (Yandex, Mail.ru), ``Abwesenheitsnotiz: ...``; never "Information on out of office hours".
    """
    return _OUT_OF_OFFICE.search(strip_reply_prefixes(subject)) is not None
