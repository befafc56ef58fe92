"""Subjects: case tags, reply prefixes, out-of-office wording."""

from __future__ import annotations

import pytest

from foimail.core.numbering import DEFAULT_FORMAT
from foimail.core.subject import (
    find_case_number,
    is_forward_subject,
    is_out_of_office_subject,
    strip_reply_prefixes,
    tagged_subject,
)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("[FOI-2026-00042] Budget of 2025", "FOI-2026-00042"),
        ("RE: FOI-2026-00042", "FOI-2026-00042"),
        ("Fwd: foi-2026-42", "FOI-2026-00042"),
        ("Re: Re[2]: AW: WG: [FOI-2026-00042] Budget", "FOI-2026-00042"),
        ("Отв: Ответ: FOI-2026-00042", "FOI-2026-00042"),
        ("პასუხი: გადაგზავნა: [FOI-2026-00042] ბიუჯეტი", "FOI-2026-00042"),
        ("SV: TR: Fw: FW: Re(3): [FOI-2026-00042]", "FOI-2026-00042"),
        ("Question about request FOI-2026-7 from May", "FOI-2026-00007"),
        ("[FOI-2026-00042] see also FOI-2026-00043", "FOI-2026-00042"),
        ("Re: XFOI-2026-1 then FOI-2026-00009", "FOI-2026-00009"),
        ("FOI-2026-000421234567", None),
        ("Budget of 2025", None),
        ("", None),
        ("Automatic reply: [FOI-2026-00042] თქვენი მოთხოვნა დარეგისტრირდა", "FOI-2026-00042"),
    ],
)
def test_find_case_number(subject: str, expected: str | None) -> None:
    assert find_case_number(subject, DEFAULT_FORMAT) == expected


def test_find_case_number_in_a_custom_format() -> None:
    assert find_case_number("Re: btm/2026/5 reply", "BTM/{year}/{seq:03d}") == "BTM/2026/005"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Budget", "Budget"),
        ("RE: RE: FW: Budget", "Budget"),
        ("Re[2]: Re(3): Budget", "Budget"),
        ("Re : Budget", "Budget"),
        ("Re：Budget", "Budget"),  # full-width colon
        ("AW: WG: SV: TR: Fwd: Budget", "Budget"),
        ("Отв: Ответ: Пересл: Бюджет", "Бюджет"),
        ("პასუხი: გადაგზავნა: ბიუჯეტი", "ბიუჯეტი"),
        ("Regarding: Budget", "Regarding: Budget"),
        ("Budget Re: 2025", "Budget Re: 2025"),
        ("[FOI-2026-00042] Re: Budget", "[FOI-2026-00042] Re: Budget"),
        ("  Re:   ", ""),
        ("", ""),
    ],
)
def test_strip_reply_prefixes(subject: str, expected: str) -> None:
    assert strip_reply_prefixes(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Budget of 2025", "[FOI-2026-00042] Budget of 2025"),
        ("Re: Budget", "[FOI-2026-00042] Budget"),
        ("RE: [FOI-2026-00042] Budget", "[FOI-2026-00042] Budget"),
        ("Re: [foi-2026-00042] Re: Budget", "[FOI-2026-00042] Budget"),
        ("Budget [FOI-2026-00042]", "[FOI-2026-00042] Budget"),
        ("[FOI-2026-00041] Budget", "[FOI-2026-00042] [FOI-2026-00041] Budget"),
        ("", "[FOI-2026-00042]"),
        ("Re: [FOI-2026-00042]", "[FOI-2026-00042]"),
        ("პასუხი: ბიუჯეტი", "[FOI-2026-00042] ბიუჯეტი"),
    ],
)
def test_tagged_subject(subject: str, expected: str) -> None:
    assert tagged_subject("FOI-2026-00042", subject) == expected


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Budget",
        "Out of office",
        "Out of Office AutoReply: Budget",
        "OOO: back on Monday",
        "Automatic reply: [FOI-2026-00042] Budget",
        "Auto-Reply: Budget",
        "Autoreply: Budget",
        "Auto Response: Budget",
        "Away: until 5 May",
        "Away from the office - back Monday",
        "[Out of office] Re: Budget",
        "RE: Automatic reply: Budget",
        "ავტომატური პასუხი: [FOI-2026-00042] ბიუჯეტი",
        "ოფისში არ ვარ 5 მაისამდე",
        "არ ვიმყოფები ოფისში",
        "Автоответ: Re: Бюджет",
        "Автоматический ответ: Бюджет",
        "Нет на месте: Бюджет",
        "Вне офиса",
        "Отпуск: до 5 мая",
        "Abwesenheitsnotiz: Budget",
        "I am out of the office until Monday",
        "I’m out of office",
        "Automatische Antwort: Budget",
        "Réponse automatique : Budget",
        "Absence du bureau : Budget",
        "Respuesta automática: Presupuesto",
        "Risposta automatica: Bilancio",
        "Resposta automática: Orçamento",
        "Automatisch antwoord: Begroting",
        "Odpowiedź automatyczna: Budżet",
        "Automatická odpověď: x",
        "Automatická odpoveď: x",
        "Otomatik yanıt: Bütçe",
        "OTOMATİK YANIT: Bütçe",
        "Автоматична відповідь: Бюджет",
        "Автовідповідь: Бюджет",
        "Αυτόματη απάντηση: Προϋπολογισμός",
        "自動応答: [FOI-2026-00042]",
        "【自動返信】お問い合わせありがとうございます",
        "自动回复: 预算",
        "AW: Abwesenheitsnotiz: Budget",
        "YNT: Otomatik yanıt: Bütçe",
        "Arpus biroja atrasanas automatiska atbilde: subjecting",  # bounced 0.3.0's Latvian Exchange reply
        "Ārpus biroja atrašanās automātiskā atbilde: Budžets",
        "Automātiskā atbilde: Budžets",
        "Automatinis atsakymas: Biudžetas",
        "Automaatvastus: Eelarve",
        "Samodejni odgovor: Proračun",
        "Automatski odgovor: Proračun",
        "Аутоматски одговор: Буџет",
    ],
)
def test_out_of_office_subjects(subject: str) -> None:
    assert is_out_of_office_subject(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "Information on out of office hours",
        "Out of office hours of the registry",
        "Away from home voting",
        "Awaiting your answer",
        "Отпуск по уходу за ребенком: статистика",
        "Нет на месте остановки скамейки",
        "Automatic replies settings of city hall mail",
        "Request: out of office staff list",
        "Автоматизация учёта: запрос",
        "Absences of the office staff in 2025",
        "Fuera de horario: solicitud",
        "[FOI-2026-00042] Out of office",
        "Ārpus biroja darba laikā: pieprasījums",
        "Budget",
        "",
    ],
)
def test_not_out_of_office_subjects(subject: str) -> None:
    assert not is_out_of_office_subject(subject)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Fwd: Returned mail", True),
        ("FW: Undeliverable", True),
        ("WG: Unzustellbar", True),
        ("Re: Fwd: Returned mail", True),
        ("RV: No se puede entregar", True),
        ("İLT: Teslim edilemedi", True),
        ("Пересл: Недоставленное сообщение", True),
        ("გადაგზავნა: ბიუჯეტი", True),
        ("Re: Returned mail", False),
        ("Returned mail: see transcript", False),
        ("Forward planning of the budget", False),
        ("", False),
    ],
)
def test_is_forward_subject(subject: str, expected: bool) -> None:
    assert is_forward_subject(subject) is expected
