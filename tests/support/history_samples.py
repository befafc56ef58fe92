"""Quoted-history samples shared by the text and HTML tables: what each client family writes, per language.

Every value is written as the client writes it (dates, labels, punctuation); the history under it is
foimail's internal notice, which must never reach a requester.
"""

from __future__ import annotations

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
    # Found by the corpus run (docs/CORPUS.md): talon's fixtures and the Gmail localisations beside them.
    "en_android_dashed": "---- FOI Batumi wrote ----",
    "en_samsung_dashed": "------On 23.11.2026 08:26, FOI Batumi <foi@batumi.ge> wrote-----",
    "en_polymail_wrapped": "On Mon, Nov 23, 2026 at 8:26 AM FOI Batumi\n\n<\nmailto:FOI Batumi <foi@batumi.ge>\n"
    "> wrote:",
    "en_sent_verb": "On 23-Nov-2026, at 8:26 AM, FOI Batumi <foi@batumi.ge> sent:",
    "vi_gmail": "Vào 08:26 Th 2, 23 thg 11, 2026 FOI Batumi <foi@batumi.ge> đã viết:",
    "zh_gmail": "FOI Batumi <foi@batumi.ge> 于2026年11月23日周一 08:26写道：",
    "ko_gmail": "2026년 11월 23일 (월) 오전 8:26, FOI Batumi <foi@batumi.ge>님이 작성:",
    "cs_gmail": "po 23. 11. 2026 v 8:26 odesílatel FOI Batumi <foi@batumi.ge> napsal:",
    "hu_gmail": "FOI Batumi <foi@batumi.ge> ezt írta (időpont: 2026. nov. 23., H, 8:26):",
    "el_gmail": "Στις Δευ 23 Νοε 2026 στις 8:26 π.μ., ο/η FOI Batumi <foi@batumi.ge> έγραψε:",
    "he_gmail": "בתאריך יום ב׳, 23 בנוב׳ 2026 ב-8:26 מאת FOI Batumi <foi@batumi.ge>:",
    "ar_gmail": "في الاثنين، 23 نوفمبر 2026 في 8:26 ص، كتب FOI Batumi <foi@batumi.ge>:",
    "ro_gmail": "În lun., 23 nov. 2026 la 08:26, FOI Batumi <foi@batumi.ge> a scris:",
    "fi_gmail": "ma 23. marrask. 2026 klo 8.26 FOI Batumi <foi@batumi.ge> kirjoitti:",
    "bg_gmail": "пн, 23.11.2026 г. в 8:26 ч. FOI Batumi <foi@batumi.ge> написа:",
    "pt_gmail": "Em seg., 23 de nov. de 2026 às 08:26, FOI Batumi <foi@batumi.ge> escreveu:",
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
