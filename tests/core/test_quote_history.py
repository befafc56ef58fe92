"""Plain-text history in every client family and language: the answer survives, no line of the history does."""

from __future__ import annotations

import pytest

from foimail.core.quotes import history_left, strip_quoted

FORMAT = "FOI-{year}-{seq:05d}"
# The officer's answer, with a line of their own that starts with ">" in the middle (a quoted article of law).
ANSWER = (
    "ბატონო გიორგი,\n\nმოთხოვნილი ინფორმაცია თანდართულია.\n"
    "> საჯარო ინფორმაცია არის ოფიციალური დოკუმენტი (სზაკ, მუხლი 2)\n"
    "ასევე გიგზავნით ბიუჯეტის ცხრილს.\n\nპატივისცემით,\nლაშა ბერიძე"
)
# What foimail's notice to the officer held: internal, never for the requester.
INTERNAL = (
    "[FOI-2026-00001] ახალი მოთხოვნა: ბიუჯეტი\n"
    "შიდა: საქმე დაენიშნა ლაშას, HR-თან შეთანხმებით\n"
    "Internal: check with legal before answering; the requester sued us in 2024"
)
OUTLOOK_FIELDS = "FOI Batumi <foi@batumi.ge>", "Lasha Beridze <lasha@batumi.ge>", "[FOI-2026-00001] ბიუჯეტი"


def quoted(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


# Attribution lines as each client writes them (history below them quoted with ">", or not at all).
ATTRIBUTIONS = {
    "en_gmail": "On Mon, 23 Nov 2026 at 08:26, FOI Batumi <foi@batumi.ge> wrote:",
    "en_apple_ios": "On 23 Nov 2026, at 08:26, FOI Batumi <foi@batumi.ge> wrote:",
    "en_thunderbird": "On 23.11.2026 08:26, FOI Batumi wrote:",
    "en_outlook_mobile": "On Monday, November 23, 2026, FOI Batumi <foi@batumi.ge> wrote:",
    "en_wrapped_two_lines": "On Mon, 23 Nov 2026 at 08:26, ქალაქ ბათუმის მუნიციპალიტეტის მერია <foi@batumi.ge>\nwrote:",
    "en_wrapped_three_lines": "On Mon, 23 Nov 2026 at 08:26, ქალაქ ბათუმის\nმუნიციპალიტეტის მერია <\n"
    "foi@batumi.ge> wrote:",
    "ka_gmail": "ორშ, 23 ნოე. 2026, 08:26-ზე FOI Batumi <foi@batumi.ge> წერს:",
    "ka_gmail_wrapped": "ორშ, 23 ნოე. 2026, 08:26-ზე ქალაქ ბათუმის მუნიციპალიტეტის მერია\n<foi@batumi.ge> წერს:",
    "ka_apple": "2026 წ. 23 ნოე., 08:26-ზე, FOI Batumi <foi@batumi.ge> წერდა:",
    "ru_gmail": "пн, 23 нояб. 2026 г. в 08:26, FOI Batumi <foi@batumi.ge>:",
    "ru_thunderbird": "23.11.2026 08:26, FOI Batumi пишет:",
    "ru_apple": "23 нояб. 2026 г., в 08:26, FOI Batumi <foi@batumi.ge> написал(а):",
    "ru_yandex": '23.11.2026, 08:26, "FOI Batumi" <foi@batumi.ge>:',
    "ru_mailru": "Понедельник, 23 ноября 2026, 8:26 +04:00 от FOI Batumi <foi@batumi.ge>:",
    "de_gmail": "Am Mo., 23. Nov. 2026 um 08:26 Uhr schrieb FOI Batumi <foi@batumi.ge>:",
    "de_thunderbird": "Am 23.11.2026 um 08:26 schrieb FOI Batumi:",
    "fr_gmail": "Le lun. 23 nov. 2026 à 08:26, FOI Batumi <foi@batumi.ge> a écrit :",
    "fr_gmail_wrapped": "Le lun. 23 nov. 2026 à 08:26, FOI Batumi <foi@batumi.ge> a\nécrit :",
    "tr_gmail": "FOI Batumi <foi@batumi.ge>, 23 Kas 2026 Pzt, 08:26 tarihinde şunu yazdı:",
    "uk_gmail": "пн, 23 лист. 2026 р. о 08:26 FOI Batumi <foi@batumi.ge> пише:",
    "uk_thunderbird": "23.11.2026 08:26, FOI Batumi написав:",
    "es_gmail": "El lun, 23 nov 2026 a las 08:26, FOI Batumi (<foi@batumi.ge>) escribió:",
    "it_gmail": "Il giorno lun 23 nov 2026 alle ore 08:26 FOI Batumi <foi@batumi.ge> ha scritto:",
    "pl_gmail": "pon., 23 lis 2026 o 08:26 FOI Batumi <foi@batumi.ge> napisał(a):",
    "nl_gmail": "Op ma 23 nov 2026 om 08:26 schreef FOI Batumi <foi@batumi.ge>:",
    "da_gmail": "man. 23. nov. 2026 kl. 08.26 skrev FOI Batumi <foi@batumi.ge>:",
    "sv_gmail": "Den mån 23 nov. 2026 kl 08:26 skrev FOI Batumi <foi@batumi.ge>:",
    "ja_gmail": "2026年11月23日(月) 8:26 FOI Batumi <foi@batumi.ge>:",
    "en_k9_fairemail": "On November 23, 2026 8:26:00 AM GMT+04:00, FOI Batumi <foi@batumi.ge> wrote:",
    "en_evolution": "On Mon, 2026-11-23 at 08:26 +0400, FOI Batumi wrote:",
    "en_yahoo": "On Monday, November 23, 2026, 08:26:00 AM GMT+4, FOI Batumi <foi@batumi.ge> wrote:",
    "en_mutt_star": "* FOI Batumi <foi@batumi.ge> [2026-11-23 08:26]:",
    "en_lotus_notes": "FOI Batumi <foi@batumi.ge> wrote on 23.11.2026 08:26:",
    "ru_thebat": "Вы писали 23 ноября 2026 г., 8:26:",
    "ja_apple": "2026/11/23 8:26、FOI Batumi <foi@batumi.ge>のメッセージ:",
}

# Outlook's header block of the quoted message, each localisation's labels; some in another field order.
HEADER_BLOCKS = {
    "en_outlook": "From: {0}\nSent: Monday, November 23, 2026 8:26 AM\nTo: {1}\nSubject: {2}",
    "en_outlook_mac": "From: {0}\nDate: Monday, 23 November 2026 at 08:26\nTo: {1}\nSubject: {2}",
    "en_bold_cc": "*From:* {0}\n*Sent:* Monday, November 23, 2026 8:26 AM\n*To:* {1}\n*Cc:* {1}\n*Subject:* {2}",
    "en_reordered": "Subject: {2}\nDate: Mon, 23 Nov 2026 08:26:00 +0400\nFrom: {0}\nTo: {1}",
    "en_wrapped_to": "From: {0}\nSent: Monday, November 23, 2026 8:26 AM\nTo: {1}; Nino Abashidze\n<nino@batumi.ge>\n"
    "Subject: {2}",
    "en_name_only": "From: FOI Batumi\nSent: Monday, November 23, 2026 8:26 AM\nTo: Lasha Beridze\nSubject: {2}",
    "en_blank_lines_between": "From: {0}\n\nSent: Monday, November 23, 2026 8:26 AM\n\nTo: {1}\n\nSubject: {2}",
    "en_lotus_notes": "To: {1}\nFrom: {0}\nDate: 23.11.2026 08:26\nSubject: {2}",
    "ka_outlook": "გამგზავნი: {0}\nგაიგზავნა: ორშაბათი, 23 ნოემბერი, 2026 08:26\nვის: {1}\nთემა: {2}",
    "ka_outlook_reordered": "თემა: {2}\nთარიღი: 23.11.2026 08:26\nვისგან: {0}\nვის: {1}",
    "ru_outlook": "От: {0}\nОтправлено: 23 ноября 2026 г. 8:26\nКому: {1}\nТема: {2}",
    "ru_thunderbird_forward": "Тема: {2}\nДата: 23.11.2026 08:26\nОт: {0}\nКому: {1}",
    "de_outlook": "Von: {0}\nGesendet: Montag, 23. November 2026 08:26\nAn: {1}\nBetreff: {2}",
    "fr_outlook": "De : {0}\nEnvoyé : lundi 23 novembre 2026 08:26\nÀ : {1}\nObjet : {2}",
    "tr_outlook": "Kimden: {0}\nGönderildi: 23 Kasım 2026 Pazartesi 08:26\nKime: {1}\nKonu: {2}",
    "uk_outlook": "Від: {0}\nНадіслано: 23 листопада 2026 р. 8:26\nКому: {1}\nТема: {2}",
    "es_outlook": "De: {0}\nEnviado el: lunes, 23 de noviembre de 2026 8:26\nPara: {1}\nAsunto: {2}",
    "it_outlook": "Da: {0}\nInviato: lunedì 23 novembre 2026 08:26\nA: {1}\nOggetto: {2}",
    "pl_outlook": "Od: {0}\nWysłano: poniedziałek, 23 listopada 2026 08:26\nDo: {1}\nTemat: {2}",
    "nl_outlook": "Van: {0}\nVerzonden: maandag 23 november 2026 08:26\nAan: {1}\nOnderwerp: {2}",
    "da_outlook": "Fra: {0}\nSendt: 23. november 2026 08:26\nTil: {1}\nEmne: {2}",
    "sv_outlook": "Från: {0}\nSkickat: den 23 november 2026 08:26\nTill: {1}\nÄmne: {2}",
    "ja_outlook": "差出人: {0}\n送信日時: 2026年11月23日 8:26\n宛先: {1}\n件名: {2}",
    "ja_fullwidth_colon": "差出人： {0}\n送信日時： 2026年11月23日 8:26\n宛先： {1}\n件名： {2}",
}

SEPARATORS = {
    "en_original": "-----Original Message-----",
    "en_gmail_forward": "---------- Forwarded message ---------",
    "en_samsung": "-------- Original message --------",
    "en_apple_forward": "Begin forwarded message:",
    "en_outlook_rule": "________________________________",
    "ka_original": "-----თავდაპირველი წერილი-----",
    "ka_forward": "---------- გადაგზავნილი წერილი ---------",
    "ru_original": "-----Исходное сообщение-----",
    "ru_forward": "-------- Пересылаемое сообщение --------",
    "ru_apple_forward": "Начало переадресованного сообщения:",
    "de_original": "-----Ursprüngliche Nachricht-----",
    "de_forward": "---------- Weitergeleitete Nachricht ---------",
    "fr_original": "-----Message d'origine-----",
    "fr_apple_forward": "Début du message réexpédié :",
    "tr_original": "-----Özgün İleti-----",
    "uk_original": "-----Початкове повідомлення-----",
    "es_original": "-----Mensaje original-----",
    "it_original": "-----Messaggio originale-----",
    "pl_original": "-----Oryginalna wiadomość-----",
    "nl_original": "-----Oorspronkelijk bericht-----",
    "da_original": "-----Oprindelig meddelelse-----",
    "sv_original": "-----Ursprungligt meddelande-----",
    "ja_original": "-----元のメッセージ-----",
    "lotus_notes_titled_rule": '-----"FOI Batumi" <foi@batumi.ge> wrote: -----',
    "unknown_title_with_header_block": "-------- Оригинално писмо --------",
}


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
