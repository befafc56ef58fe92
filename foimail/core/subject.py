"""Subjects: the case tag, reply prefixes and out-of-office wording (subjects arrive RFC 2047-decoded).

The tag ``[FOI-2026-00042]`` is how mail finds its case again (res. No. 3 Art. 4.3: the confirmation quotes
the registration number); the number's spelling belongs to `core.numbering`.
"""

from __future__ import annotations

import re

from foimail.core.numbering import find_numbers

__all__ = [
    "find_case_number",
    "is_forward_subject",
    "is_out_of_office_subject",
    "strip_reply_prefixes",
    "tagged_subject",
]

# Reply and forward prefixes as mail clients write them (RFC 5322 §3.6.5 suggests only "Re: "; clients
# localise it): English, German (AW, WG), Nordic (SV), French (TR), Russian (Отв, Ответ, Пересл), Georgian
# (პასუხი, გადაგზავნა), with counters such as Re[2]: and Re(2):, and a full-width colon.
# Forwards as Outlook localises them too: es RV, pt ENC, pl PD, nl Doorst, tr İLT, fi VL.
_FORWARD_WORDS = r"fwd?|wg|tr|rv|enc|pd|doorst|ilt|vl|пересл|გადაგზავნა"
_PREFIX_WORDS = rf"re|aw|sv|res|odp|antw|ynt|vs|ответ|отв|პასუხი|{_FORWARD_WORDS}"
_REPLY_PREFIX = re.compile(
    rf"^\s*(?:{_PREFIX_WORDS})\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_FORWARD_PREFIX = re.compile(rf"^\s*(?:{_FORWARD_WORDS})\s*(?:\[\d+\]|\(\d+\))?\s*[:：]", re.IGNORECASE)

# Out-of-office wording, only at the very start (after reply prefixes), as Outlook/Exchange (in each of its
# languages), Gmail, Yandex, Mail.ru, Zimbra and cPanel write it. Phrases a citizen might open a real subject
# with ("Out of office hours ...", "Отпуск по уходу ...") must be followed by a separator or nothing.
_STRICT_PHRASES = (
    r"out\s+of\s+(?:the\s+)?office(?:\s+auto[-\s]?reply)?",
    r"ooo",
    r"automatic\s+(?:reply|response)",
    r"auto[-\s]?(?:reply|response|responder)",
    r"away(?:\s+from\s+(?:the\s+|my\s+)?office)?",
    r"vacation\s+(?:reply|response|message|notice)",
    # ru, uk, bg
    r"автоответ(?:чик)?",
    r"автоматический\s+ответ",
    r"нет\s+на\s+месте",
    r"вне\s+офиса",
    r"отпуск",
    r"автовідповідь",
    r"автоматична\s+відповідь",
    r"поза\s+офісом",
    r"автоматичен\s+отговор",
    # ka
    r"ავტომატური\s+პასუხი",
    r"ავტოპასუხი",
    # de, nl, sv/da/no, fi
    r"abwesenheitsnotiz",
    r"automatische\s+antwort",
    r"abwesend",
    r"automatisch\s+antwoord",
    r"afwezig",
    r"automatiskt?\s+svar",
    r"automaattinen\s+vastaus",
    # fr, es, pt, it, ro
    r"r[ée]ponse\s+automatique",
    r"absence\s+du\s+bureau",
    r"absent(?:e|\(e\))?\s+du\s+bureau",
    r"respuesta\s+autom[áa]tica",
    r"fuera\s+de\s+(?:la\s+)?oficina",
    r"resposta\s+autom[áa]tica",
    r"ausente\s+do\s+escrit[óo]rio",
    r"risposta\s+automatica",
    r"fuori\s+(?:sede|ufficio)",
    r"r[ăa]spuns\s+automat",
    # pl, cs, hu, el, tr, az, hy
    r"odpowied[źz]\s+automatyczna",
    r"automatyczna\s+odpowied[źz]",
    r"automatick[áa]\s+odpov[ěe][dď]",
    r"automatikus\s+v[áa]lasz",
    r"αυτόματη\s+απάντηση",
    r"otomatik\s+(?:yan[ıi]t|cevap)",
    r"ofis\s+d[ıi][şs][ıi]nda",
    r"avtomatik\s+cavab",
    r"ավտոմատ\s+պատասխան",
    # lv, lt, et, sl, hr/sr/bs (Outlook's "Automatic reply" and Latvian Exchange's "Out-of-office automatic
    # reply", written with or without diacritics: the bounced package's Latvian sample)
    r"autom[āa]tisk[āa]\s+atbilde",
    r"[āa]rpus\s+biroja(?:\s+atra[šs]an[āa]s\s+autom[āa]tisk[āa]\s+atbilde)?",
    r"automatinis\s+atsakymas",
    r"automaatvastus",
    r"samodejni\s+odgovor",
    r"automatski\s+odgovor",
    r"аутоматски\s+одговор",
    # he, ar, ja, zh, ko (no word boundary in CJK: a separator still has to follow)
    r"תשובה\s+אוטומטית",
    r"رد\s+تلقائي",
    r"自動応答",
    r"自動返信",
    r"不在(?:通知|のお知らせ)",
    r"自动回复",
    r"自動回覆",
    r"자동\s*회신",
)
# First-person statements ("I am not in the office") that no request opens with: any continuation will do.
_FREE_PHRASES = (
    r"ოფისში\s+არ\s+ვარ",
    r"არ\s+ვიმყოფები",
    r"(?:i\s+am|i['’]m)\s+out\s+of\s+(?:the\s+)?office",
)
_OUT_OF_OFFICE = re.compile(
    r"^[\[(【]?\s*(?:"
    rf"(?:{'|'.join(_STRICT_PHRASES)})\s*(?:[:：\-–—|/\])】]|$)"
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


def is_forward_subject(subject: str) -> bool:
    """Whether a forward prefix (``Fwd:``, ``FW:``, ``WG:``, ``Пересл:``...) leads the subject, behind any replies."""
    previous = None
    while previous != subject:
        if _FORWARD_PREFIX.match(subject):
            return True
        previous = subject
        subject = _REPLY_PREFIX.sub("", subject, count=1)
    return False


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
