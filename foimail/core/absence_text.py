"""How out-of-office notices open, per language: first-person absence statements and "this is an automatic reply".

Responders (Outlook/Exchange, Gmail's vacation responder, Sieve vacation, Zimbra, Yandex, Mail.ru) send the
text the person typed, so the wording is the people's own; these are the commonest forms, in the languages a
Batumi mailbox gets (ka, ru, en, tr, uk, hy, az, de, fr), those Outlook's subject table knows (`core.subject`)
and the larger clients' translations. Read only in a reply's opening (`core.machine_rules`), never in a new
letter, where "I am on vacation until …" is a person's.
"""

from __future__ import annotations

import re

__all__ = ["absence_statement"]

# A date or "currently" between the verb and the place ("Olen 20. veebruarini puhkusel"): no sentence end.
_GAP = r"(?:(?:[^.!?\n]|(?<=\d)\.){0,40}?\s)?"

# Phrases that start at a word boundary.
_WORDED = (
    # en
    r"i\s*(?:am|'m|’m|will\s+be|shall\s+be)\s+(?:currently\s+|now\s+|presently\s+)?(?:out\s+of\s+(?:the\s+)?office"
    r"|away\s+(?:from|until|till)\b|on\s+(?:annual\s+|parental\s+|sick\s+|maternity\s+|paternity\s+)?"
    r"(?:leave|vacation|holidays?)\b|on\s+a\s+business\s+trip|out\s+of\s+town|travell?ing\s+until)",
    r"i\s+(?:have|will\s+have)\s+(?:only\s+)?limited\s+access\s+to\s+(?:my\s+)?e-?mail",
    r"this\s+is\s+an?\s+(?:automatic|automated|auto-?)\s*(?:reply|response|message)",
    # de
    r"nicht\s+im\s+b[üu]ro\b",
    rf"(?:bin|befinde\s+mich)\s+{_GAP}(?:im\s+urlaub|au[ßs]er\s+haus|abwesend|auf\s+(?:dienst|gesch[äa]fts)reise"
    r"|in\s+elternzeit)",
    r"dies\s+ist\s+eine\s+automatische\s+(?:antwort|nachricht|abwesenheitsnotiz)",
    # fr
    r"je\s+(?:suis|serai)\s+(?:actuellement\s+)?(?:absente?\b|en\s+(?:cong[ée]s?|vacances|d[ée]placement)\b)",
    r"ceci\s+est\s+une?\s+(?:r[ée]ponse|message)\s+automatique",
    # es, it, pt, pl, nl
    r"(?:estoy|estar[ée])\s+fuera\s+de\s+(?:la\s+)?oficina",
    r"esta\s+es\s+una\s+respuesta\s+autom[áa]tica",
    r"(?:sono|sar[òo])\s+fuori\s+(?:ufficio|sede)",
    r"questa\s+[èe]\s+una\s+risposta\s+automatica",
    r"estou\s+fora\s+do\s+escrit[óo]rio",
    r"esta\s+[ée]\s+uma\s+resposta\s+autom[áa]tica",
    r"jestem\s+poza\s+biurem|przebywam\s+na\s+urlopie|to\s+jest\s+automatyczna\s+odpowied[źz]",
    r"ik\s+ben\s+(?:afwezig|niet\s+op\s+kantoor)|dit\s+is\s+een\s+automatisch\s+antwoord",
    # tr, az
    r"ofis\s+d[ıi][şs][ıi]nday[ıi]m|izindeyim|tatildeyim|[şs]ehir\s+d[ıi][şs][ıi]nday[ıi]m",
    r"ofiste\s+(?:de[ğg]ilim|olmayaca[ğg][ıi]m)",
    r"bu\s+(?:bir\s+)?otomatik\s+(?:bir\s+)?(?:yan[ıi]tt[ıi]r|mesajd[ıi]r|cevapt[ıi]r)",
    r"m[əe]zuniyy[əe]td[əe]y[əe]m|ezamiyy[əe]td[əe]y[əe]m|ofisd[əe]\s+deyil[əi]m|ofisd[əe]n\s+k[əe]nardayam",
    r"bu\s+avtomatik\s+(?:cavabd[ıi]r|mesajd[ıi]r)",
    # ru
    r"я\s+(?:сейчас\s+|в\s+настоящее\s+время\s+|в\s+данный\s+момент\s+|временно\s+)?(?:нахожусь\s+)?"
    r"(?:в\s+(?:отпуске|командировке)|на\s+больничном)",
    r"(?:нахожусь|буду\s+находиться)\s+в\s+(?:отпуске|командировке)",
    r"меня\s+(?:нет|не\s+будет)\s+(?:на\s+месте|в\s+офисе)",
    r"(?:в\s+настоящее\s+время|временно)\s+отсутству|я\s+отсутствую|буду\s+отсутствовать",
    r"это\s+(?:автоматический\s+ответ|автоответ|автоматическое\s+(?:сообщение|уведомление))",
    r"(?:данное|это)\s+(?:письмо|сообщение)\s+(?:сгенерировано|отправлено|создано)\s+автоматически",
    # uk
    r"я\s+(?:зараз\s+|наразі\s+)?(?:перебуваю\s+)?(?:у|в)\s+(?:відпустці|відрядженні)",
    r"перебуваю\s+(?:у|в)\s+(?:відпустці|відрядженні)",
    r"мене\s+(?:немає|не\s+буде)\s+(?:на\s+місці|в\s+офісі)",
    r"це\s+автоматична\s+відповідь|це\s+автоматичне\s+повідомлення|я\s+відсутн|буду\s+відсутн",
    # ka
    r"(?:შვებულებაში|მივლინებაში)\s+(?:ვარ|ვიმყოფები|ვიქნები)",
    r"ოფისში\s+არ\s+(?:ვარ|ვიმყოფები|ვიქნები)|ამჟამად\s+არ\s+ვიმყოფები",
    r"ეს\s+(?:არის\s+)?ავტომატური\s+(?:პასუხი|შეტყობინება)",
    # hy
    r"արձակուրդում\s+եմ|գործուղման\s+մեջ\s+եմ|գրասենյակում\s+չեմ|բացակայում\s+եմ",
    r"սա\s+ավտոմատ\s+(?:պատասխան|հաղորդագրություն)\s+է",
    # lv (with or without diacritics), lt, et
    rf"(?:esmu|atrodos)\s+{_GAP}(?:atva[ļl]in[āa]jum[āa]|komand[ēe]jum[āa])",
    rf"ne(?:esmu|atrodos)\s+{_GAP}biroj[āa]",
    r"[šs](?:[īi]|is)\s+ir\s+autom[āa]tisk(?:[āa]\s+atbilde|s\s+zi[ņn]ojums)",
    r"esu\s+(?:atostogose|komandiruot[ėe]je)|atostogauju|nesu\s+(?:biure|darbe|darbo\s+vietoje)",
    r"man[ęe]s\s+n[ėe]ra\s+(?:biure|darbe)|tai\s+automatinis\s+atsakymas",
    rf"(?:olen|viibin)\s+{_GAP}(?:puhkusel|l[äa]hetusel)|olen\s+kontorist\s+eemal",
    r"see\s+on\s+automaatne\s+vastus",
    # sl, hr/sr/bs (Latin and Cyrillic)
    rf"(?:sem|sam)\s+{_GAP}na\s+(?:dopustu|slu[žz]beni\s+poti|slu[žz]benom\s+putu)",
    r"na\s+(?:dopustu|slu[žz]benom\s+putu)\s+sam|sem\s+odsot(?:en|na)\b|nisem\s+v\s+pisarni",
    r"to\s+je\s+samodejn(?:i\s+odgovor|o\s+sporo[čc]ilo)",
    r"na\s+godi[šs]njem\s+(?:sam\s+)?odmoru|odsut(?:an|na)\s+sam\b|sam\s+(?:trenutno\s+)?odsut(?:an|na)\b",
    r"nisam\s+u\s+(?:uredu|kancelariji)|ovo\s+je\s+automatski\s+odgovor",
    r"на\s+годишњем\s+(?:сам\s+)?одмору|одсут(?:ан|на)\s+сам|нисам\s+у\s+канцеларији|ово\s+је\s+аутоматски\s+одговор",
    # bg, el, ro, cs, hu, fi (the languages of Gmail's attributions in `core.quote_markers`)
    r"(?:в\s+отпуск\s+съм|съм\s+в\s+отпуск)|отсъствам|това\s+е\s+автоматичен\s+отговор",
    r"είμαι\s+εκτός\s+γραφείου|βρίσκομαι\s+σε\s+άδεια|αυτή\s+είναι\s+μια\s+αυτόματη\s+απάντηση",
    r"sunt\s+(?:[îi]n\s+concediu|plecat[ăa]?\s+din\s+birou)|acesta\s+este\s+un\s+r[ăa]spuns\s+automat",
    r"jsem\s+(?:mimo\s+kancel[áa][řr]|na\s+dovolen[ée])|toto\s+je\s+automatick[áa]\s+odpov[ěe][ďd]",
    r"szabads[áa]gon\s+vagyok|irod[áa]n\s+k[íi]v[üu]l\s+vagyok|ez\s+egy\s+automatikus\s+v[áa]lasz",
    r"olen\s+(?:lomalla|poissa\s+toimistolta)|t[äa]m[äa]\s+on\s+automaattinen\s+vastaus",
)
# Scripts written without spaces: no word boundary to anchor on.
_UNSPACED = (
    r"不在にしております|休暇中|自動(?:返信|応答)(?:メール|メッセージ)?です",  # ja
    r"我(?:目前|现在)?(?:不在办公室|正在休假|在休假)|这是一封?自动回复",  # zh
    r"부재\s*중입니다|휴가\s*중입니다",  # ko
)
_ABSENCE = re.compile(rf"(?<!\w)(?:{'|'.join(_WORDED)})|{'|'.join(_UNSPACED)}", re.IGNORECASE)
_BODY_OPENING = 600


def absence_statement(text: str) -> str | None:
    """The absence statement ("I am out of the office", "შვებულებაში ვარ") opening `text`, if any."""
    found = _ABSENCE.search(text.lstrip()[:_BODY_OPENING])
    return found.group() if found else None
