"""The wording machines write, in the languages and MTA families that reach a Georgian city hall."""

from __future__ import annotations

import pytest

from foimail.core.machine_text import (
    absence_statement,
    abuse_report_marker,
    bounce_subject,
    list_rejection,
    ses_notification,
)


@pytest.mark.parametrize(
    "subject",
    [
        "Undelivered Mail Returned to Sender",  # Postfix
        "Mail delivery failed: returning message to sender",  # Exim
        "failure notice",  # qmail
        "Returned mail: see transcript for details",  # Sendmail
        "Warning: could not send message for past 4 hours",  # Sendmail delay
        "Delayed Mail (still being retried)",  # Postfix delay
        "Delivery Status Notification (Failure)",  # Gmail
        "Undeliverable: [FOI-2026-00042] ბიუჯეტი",  # Exchange
        "Undeliverable Message",  # SoftBank
        "DELIVERY FAILURE: User nino not listed in Domino Directory",  # Lotus Domino
        "Delivery Notification: Delivery has failed",  # Lotus Notes
        "Mail System Error - Returned Mail",  # au EZweb
        "Mail Delivery Failure",  # KDDI, MDaemon
        "Unzustellbar: Budget",
        "Non remis : Budget",
        "No se puede entregar: Budget",
        "Non recapitabile: Budget",
        "Onbestelbaar: Budget",
        "Niedostarczalne: Budget",
        "Teslim edilemedi: Budget",
        "Не доставлено: Бюджет",
        "Недоставленное сообщение",
        "配信不能: [FOI-2026-00042]",
        "メール不達のお知らせ",
        "不達通知",
    ],
)
def test_bounce_subjects(subject: str) -> None:
    assert bounce_subject(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "Fwd: Undelivered Mail Returned to Sender",  # a person forwarding it
        "Re: Returned mail: see transcript for details",
        "FW: Undeliverable: budget",
        "Question about failure notices of the water company",
        "Request: returned mail statistics",
        "Delivery of documents",
        "",
    ],
)
def test_not_bounce_subjects(subject: str) -> None:
    assert not bounce_subject(subject)


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        (
            "Thank you for your email. I am currently out of the office until 10 February.",
            "I am currently out of the office",
        ),
        ("I'm on annual leave and will reply on my return.", "I'm on annual leave"),
        ("This is an automatic reply. Your message has been received.", "This is an automatic reply"),
        ("Vielen Dank. Ich bin bis 13.02. nicht im Büro.", "nicht im Büro"),
        ("Dies ist eine automatische Antwort.", "Dies ist eine automatische Antwort"),
        ("Bonjour, je suis absente jusqu'au 16 février.", "je suis absente"),
        ("Estoy fuera de la oficina hasta el lunes.", "Estoy fuera de la oficina"),
        ("Sono fuori ufficio fino al 10 febbraio.", "Sono fuori ufficio"),
        ("Estou fora do escritório até segunda.", "Estou fora do escritório"),
        ("Jestem poza biurem do 10 lutego.", "Jestem poza biurem"),
        ("Ik ben afwezig tot maandag.", "Ik ben afwezig"),
        ("Merhaba, 10 Şubat'a kadar izindeyim.", "izindeyim"),
        ("Здравствуйте!\n\nЯ в отпуске до 16 февраля.", "Я в отпуске"),
        ("Меня нет на месте до понедельника.", "Меня нет на месте"),
        ("Это автоматический ответ.", "Это автоматический ответ"),
        ("Я у відпустці до 20 лютого.", "Я у відпустці"),
        ("გამარჯობა,\nშვებულებაში ვარ 20 თებერვლამდე.", "შვებულებაში ვარ"),
        ("ოფისში არ ვიმყოფები 15 თებერვლამდე.", "ოფისში არ ვიმყოფები"),
        ("ეს არის ავტომატური პასუხი.", "ეს არის ავტომატური პასუხი"),
        ("2月10日まで不在にしております。", "不在にしております"),
        # second corpus round (docs/CORPUS.md): the languages of a Batumi mailbox and of the subject table
        ("Thank you for your message. I will be away until 20 February.", "I will be away until"),
        ("I am on maternity leave until June.", "I am on maternity leave"),
        ("I'm currently on a business trip.", "I'm currently on a business trip"),
        ("I have limited access to my email this week.", "I have limited access to my email"),
        ("Ich bin bis zum 20.02. im Urlaub.", "bin bis zum 20.02. im Urlaub"),
        ("Ich befinde mich derzeit auf Dienstreise.", "befinde mich derzeit auf Dienstreise"),
        ("Je suis en congés jusqu'au 20 février.", "Je suis en congés"),
        ("Bonjour, je suis actuellement en déplacement.", "je suis actuellement en déplacement"),
        ("Merhaba, 20 Şubat'a kadar tatildeyim.", "tatildeyim"),
        ("Şu anda ofiste değilim.", "ofiste değilim"),
        ("Bu bir otomatik yanıttır.", "Bu bir otomatik yanıttır"),
        ("В данный момент я нахожусь в командировке.", "я нахожусь в командировке"),
        ("Добрый день! Меня не будет в офисе до 20 февраля.", "Меня не будет в офисе"),
        ("Это автоматическое сообщение, отвечать на него не нужно.", "Это автоматическое сообщение"),
        ("Наразі я перебуваю у відпустці.", "я перебуваю у відпустці"),
        ("Мене немає в офісі до 20 лютого.", "Мене немає в офісі"),
        ("მივლინებაში ვიმყოფები 20 თებერვლამდე.", "მივლინებაში ვიმყოფები"),
        ("ეს ავტომატური პასუხია.", "ეს ავტომატური პასუხი"),
        ("Ողջույն, ես արձակուրդում եմ մինչև փետրվարի 20-ը։", "արձակուրդում եմ"),
        ("Սա ավտոմատ պատասխան է։", "Սա ավտոմատ պատասխան է"),
        ("Salam, mən 20 fevrala qədər məzuniyyətdəyəm.", "məzuniyyətdəyəm"),
        ("Bu avtomatik cavabdır.", "Bu avtomatik cavabdır"),
        ("Labdien! Esmu atvaļinājumā līdz 20. februārim.", "Esmu atvaļinājumā"),
        ("Līdz 20. februārim neatrodos birojā.", "neatrodos birojā"),
        ("Si ir automatiska atbilde.", "Si ir automatiska atbilde"),
        ("Sveiki, esu atostogose iki vasario 20 d.", "esu atostogose"),
        ("Tai automatinis atsakymas.", "Tai automatinis atsakymas"),
        ("Tere! Olen 20. veebruarini puhkusel.", "Olen 20. veebruarini puhkusel"),
        ("See on automaatne vastus.", "See on automaatne vastus"),
        ("Pozdravljeni, do 20. februarja sem na dopustu.", "sem na dopustu"),
        ("To je samodejni odgovor.", "To je samodejni odgovor"),
        ("Poštovani, trenutno sam na godišnjem odmoru.", "na godišnjem odmoru"),
        ("Odsutna sam do 20. veljače.", "Odsutna sam"),
        ("Ovo je automatski odgovor.", "Ovo je automatski odgovor"),
        ("Поштовани, на годишњем сам одмору до 20. фебруара.", "на годишњем сам одмору"),
        ("Jsem na dovolené do 20. února.", "Jsem na dovolené"),
        ("Szabadságon vagyok február 20-ig.", "Szabadságon vagyok"),
        ("Είμαι εκτός γραφείου έως τις 20 Φεβρουαρίου.", "Είμαι εκτός γραφείου"),
        ("Sunt în concediu până pe 20 februarie.", "Sunt în concediu"),
        ("Olen lomalla 20. helmikuuta asti.", "Olen lomalla"),
        ("В отпуск съм до 20 февруари.", "В отпуск съм"),
        ("您好，我目前不在办公室。", "我目前不在办公室"),
        ("안녕하세요. 휴가 중입니다.", "휴가 중입니다"),
    ],
)
def test_absence_statements(text: str, statement: str) -> None:
    assert absence_statement(text) == statement


@pytest.mark.parametrize(
    "text",
    [
        "Please provide the budget. " * 30 + "I am out of the office next week.",  # not in the opening
        "Please tell me when the office is open.",
        "გთხოვთ, მომაწოდოთ ინფორმაცია შვებულებების შესახებ.",
        "",
        # people writing about absence, not from it
        "Please send me the vacation schedule of the city hall staff for 2025.",
        "How many employees were away from work on sick leave in 2025?",
        "Прошу предоставить график отпусков сотрудников мэрии.",
        "Сколько сотрудников находилось в командировках в 2025 году?",
        "გთხოვთ, მომაწოდოთ მერიის თანამშრომლების შვებულებების განრიგი.",
        "Lütfen belediye personelinin izin günlerini bildiriniz.",
        "Bitte senden Sie mir den Urlaubsplan der Stadtverwaltung.",
        "Je souhaite connaître le nombre de congés accordés en 2025.",
        "Prošu nadati grafik vidpustok.",
        "Ich bin Journalistin. Im Urlaub war ich in Batumi.",  # a sentence ends between verb and place
        "Խնդրում եմ տրամադրել աշխատակիցների արձակուրդների ժամանակացույցը։",
        "Xahiş edirəm, işçilərin məzuniyyət qrafikini təqdim edəsiniz.",
    ],
)
def test_no_absence_statement(text: str) -> None:
    assert absence_statement(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "The reason it is being held:\n\n    Post by non-member to a members-only list",  # Mailman 2
        "You are not allowed to post to this mailing list",  # Mailman 3
        "You do not have permission to post in this group",  # Google Groups
        "Your message to Info awaits moderator approval",  # Mailman
        "Your message for list students has been rejected",  # Sympa
        "You  are not  authorized to  send mail  to the  NEWS-L list",  # LISTSERV
        "Only subscribers can post to this list",  # mlmmj
    ],
)
def test_list_rejections(text: str) -> None:
    assert list_rejection(text) is not None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Feedback-Type: abuse\nUser-Agent: SomeFBL/1.0\nVersion: 1\n", True),
        ("This is an email abuse report for an email message received from IP 192.0.2.1", True),
        ("[SpamCop (http://192.0.2.10/) id:7003849012]\nspam from 192.0.2.1", True),
        ("I want to report abuse of power by a city official.", False),
        ("The feedback-type of this survey: abuse of parking", False),
    ],
)
def test_abuse_report_markers(text: str, found: bool) -> None:
    assert (abuse_report_marker(text) is not None) is found


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"notificationType":"Bounce","bounce":{"bounceType":"Permanent"}}', "Bounce"),
        ('{"notificationType": "Complaint", "complaint": {}}', "Complaint"),
        ('{"eventType":"DeliveryDelay"}', "DeliveryDelay"),
        ('{"notificationType":"Delivery"}', None),
        ("Please send me the notificationType documentation.", None),
    ],
)
def test_ses_notifications(text: str, kind: str | None) -> None:
    assert ses_notification(text) == kind
