"""The words mail clients write above quoted history, in the languages Batumi's mail arrives in.

ka, en, ru, de, fr, tr, uk, es, it, pl, nl, da, sv, ja: Outlook's header-block labels, the separator lines
of Outlook, Gmail, Thunderbird, Samsung and Apple Mail ("-----Original Message-----", "Begin forwarded
message:"), and the verbs of attribution lines ("On … wrote:", "Am … schrieb …:", "… წერს:"). Only data
and the line tests built from it: where history starts is decided in `core.quotes`.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Field(StrEnum):
    """The kinds of field in a quoted message's header block."""

    FROM = "from"
    DATE = "date"
    TO = "to"
    CC = "cc"
    SUBJECT = "subject"


# Outlook (desktop, OWA, Mac), Apple Mail and Thunderbird forwards, each language's localisation.
_LABELS: dict[Field, tuple[str, ...]] = {
    Field.FROM: (
        "from", "von", "de", "от", "от кого", "від", "kimden", "gönderen", "remitente", "da", "mittente", "od",
        "nadawca", "van", "afzender", "fra", "afsender", "från", "avsändare", "expéditeur", "差出人", "送信者",
        "ვისგან", "გამგზავნი", "გამომგზავნი",
    ),
    Field.DATE: (
        "sent", "date", "gesendet", "datum", "envoyé", "envoyé le", "отправлено", "дата", "надіслано",
        "gönderildi", "gönderilme", "gönderim", "tarih", "enviado", "enviado el", "fecha", "inviato", "data",
        "wysłano", "verzonden", "sendt", "dato", "skickat", "送信日時", "日付", "გაიგზავნა", "გაგზავნილია",
        "გაგზავნის თარიღი", "თარიღი",
    ),
    Field.TO: (
        "to", "an", "à", "a", "pour", "кому", "kime", "alıcı", "para", "do", "aan", "til", "till", "宛先",
        "ვის", "ვისთვის", "მიმღები", "ადრესატი",
    ),
    Field.CC: (
        "cc", "bcc", "kopie", "копия", "копія", "bilgi", "cco", "dw", "kopia", "kopi", "ასლი", "cci",
    ),
    Field.SUBJECT: (
        "subject", "betreff", "objet", "sujet", "тема", "konu", "asunto", "oggetto", "temat", "onderwerp",
        "emne", "ämne", "件名", "თემა", "სათაური",
    ),
}  # fmt: skip
_KIND_OF_LABEL = {label: kind for kind, labels in _LABELS.items() for label in labels}
_LABEL_ALTERNATION = "|".join(sorted(map(re.escape, _KIND_OF_LABEL), key=len, reverse=True))
# "From: …", "*From:* …" (Outlook's bold in plain text), "差出人： …" (full-width colon).
_HEADER_LINE = re.compile(rf"^\s*\*?\s*({_LABEL_ALTERNATION})\s*\*?\s*[:：]\s*\*?(.*)$", re.IGNORECASE)

# Separator lines: Outlook's "-----Original Message-----", Gmail's "---------- Forwarded message ---------",
# Samsung's "-------- Original message --------", Apple Mail's "Begin forwarded message:".
_SEPARATOR_PHRASES = (
    "original message", "forwarded message", "begin forwarded message", "original e-mail",
    "ursprüngliche nachricht", "weitergeleitete nachricht", "anfang der weitergeleiteten nachricht",
    "anfang der weitergeleiteten e-mail",
    "message d'origine", "message d’origine", "message original", "message transféré",
    "début du message réexpédié", "début du message transféré",
    "исходное сообщение", "пересылаемое сообщение", "переадресованное сообщение", "оригинальное сообщение",
    "начало переадресованного сообщения", "пересланное сообщение",
    "початкове повідомлення", "оригінальне повідомлення", "переслане повідомлення",
    "початок пересланого повідомлення",
    "özgün ileti", "orijinal mesaj", "orijinal ileti", "iletilen ileti", "iletilen mesaj",
    "mensaje original", "mensaje reenviado", "inicio del mensaje reenviado",
    "messaggio originale", "messaggio inoltrato", "inizio messaggio inoltrato",
    "oryginalna wiadomość", "wiadomość oryginalna", "przekazana wiadomość", "wiadomość przekazana dalej",
    "początek przekazywanej wiadomości",
    "oorspronkelijk bericht", "origineel bericht", "doorgestuurd bericht", "begin doorgestuurd bericht",
    "oprindelig meddelelse", "videresendt meddelelse", "videresendt besked", "start på videresendt besked",
    "ursprungligt meddelande", "vidarebefordrat meddelande", "vidarebefordrat mejl",
    "元のメッセージ", "転送されたメッセージ", "転送メッセージ",
    "თავდაპირველი წერილი", "გადაგზავნილი წერილი", "ორიგინალი შეტყობინება", "თავდაპირველი შეტყობინება",
    "გადაგზავნილი შეტყობინება", "საწყისი წერილი",
)  # fmt: skip
_RULE = r"(?:-{2,}|_{2,}|={2,}|\*{2,})"
_SEPARATOR = re.compile(
    rf"^\s*{_RULE}?\s*(?:{'|'.join(map(re.escape, _SEPARATOR_PHRASES))})\s*{_RULE}?\s*[:：]?\s*$", re.IGNORECASE
)
# A rule with a title of its own ("-------- Оригинално писмо --------"): history when a header block follows.
_TITLED_RULE = re.compile(r"^\s*-{3,}\s*[^\s-].{1,80}?\s*-{3,}\s*$")
# Outlook's plain-text rule above the quoted header block.
_UNDERSCORE_RULE = re.compile(r"^\s*_{20,}\s*$")

# Attribution verbs, ending the line or followed by the name (German, Dutch and Scandinavian order).
_VERBS = (
    r"wrote", r"writes", r"has written", r"schrieb", r"hat geschrieben", r"a écrit", r"écrit",
    r"написал\(?а?\)?", r"написала", r"пишет", r"писал\(?а?\)?", r"пише", r"написав(?:\(?ла\)?)?", r"написала",
    r"şunu yazdı", r"yazdı", r"escribió", r"ha escrito", r"ha scritto", r"scrisse",
    r"napisał\(?a?\)?", r"napisała", r"pisze", r"schreef", r"heeft .{1,80} geschreven", r"skrev", r"skriver",
    r"вы писали", r"писали", r"escreveu", r"წერს", r"დაწერა", r"წერდა", r"მოგწერათ",
    r"đã viết", r"napsal\(?a?\)?", r"napísal\(?a?\)?", r"írta", r"a scris", r"kirjoitti", r"написа",
    r"έγραψε", r"כתב\(?ה?\)?", r"كتب", r"rašė", r"rakstīja", r"kirjutas", r"je napisal\(?a?\)?",
)  # fmt: skip
# Verbs that also end prose ("the letters were sent:"): an attribution only beside an address.
_WEAK_VERB = re.compile(r"(?<!\w)(?:sent|a envoyé|hat gesendet|отправил\(?а?\)?|đã gửi)\s*[:：]$", re.IGNORECASE)
# After the verb, at most the name and address ("schrieb Lasha Beridze <lasha@batumi.ge>:") or Lotus Notes'
# date ("wrote on 23.11.2026 08:26:"): a longer tail is a sentence of prose that ends in a colon.
# Hungarian Gmail dates it in brackets: "… ezt írta (időpont: 2026. nov. 23., H, 8:26):".
_VERB = re.compile(
    rf"(?<!\w)(?:{'|'.join(_VERBS)})(?!\w)((?:\s+[^\s:：]+(?::\d\d)?){{0,6}})(?:\s*\([^()]{{1,60}}\))?\s*[:：]$",
    re.IGNORECASE,
)
# Japanese writes no space: "…<foi@batumi.ge>のメッセージ:", "… さんは書きました:".
# Chinese and Korean neither: "…<foi@batumi.ge> 于2026年11月23日周一 08:26写道：", "…님이 작성:".
_VERB_JA = re.compile(r"(?:のメッセージ|は書きました|が書きました|書き込み|写道|寫道|님이\s*작성)\s*[:：]$")
# Gmail ru/ja, Yandex and Mail.ru end with the address alone: "пн, 23 нояб. 2026 г. в 08:26, FOI <foi@batumi.ge>:".
# Mutt's "* FOI Batumi <foi@batumi.ge> [2026-11-23 08:26]:" carries the date after it. Gmail once wrote
# neither verb nor colon: "2011/4/7 Nathan <support@example.com>" (`is_dated_address_line`).
_ADDRESS_END = re.compile(r"@[\w.-]+\s*>?\s*(?:\[[^\]]{1,40}\])?\s*\)?\s*[:：]$")
_ADDRESS_LAST = re.compile(r"@[\w.-]+\s*>?\s*$")
# Android and Samsung mail wrap the attribution in dashes, with no colon: "---- John Smith wrote ----",
# "------On 12/29/1987 17:32 PM, Julius Caesar wrote-----".
_DASHED = re.compile(r"^\s*-{2,}\s*(\S.*?)\s*-{2,}\s*$")
# A verb left alone on a line, below an attribution a client wrapped ("<\nmailto:… <john@…>\n> wrote:").
_LONE_VERB = re.compile(rf"^\s*>?\s*(?:{'|'.join(_VERBS)})\s*[:：]\s*$", re.IGNORECASE)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_WHEN = re.compile(
    r"\d{1,2}[:.h]\d{2}(?!\d)"  # 08:26, 8.26, 8h26
    r"|\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"  # 23.11.2026, 2026/11/23, 2026-11-23
    r"|\d{4}[./-]\d{1,2}[./-]\d{1,2}(?!\d)"  # 2026/4/7 (Gmail zh/ja)
    r"|\d{4}\s*年"  # 2026年11月23日
    r"|\d{1,2}\.?\s+[^\W\d_]{3,}\.?,?\s+\d{4}"  # 23 Nov 2026, 23. nov. 2026, 23 ნოე. 2026
    r"|[^\W\d_]{3,}\.?\s+\d{1,2},?\s+\d{4}",  # Nov 23, 2026
)
_ATTRIBUTION_MAX = 320  # characters: longer is a paragraph that happens to end in "wrote:"
_BARE_ATTRIBUTION_MAX = 100  # "Lasha wrote:" with no date or address


def header_field(line: str) -> tuple[Field, str] | None:
    """The kind and value of a quoted header line ("Von: Lasha <lasha@batumi.ge>"), else None."""
    match = _HEADER_LINE.match(line) if ":" in line or "：" in line else None
    if match is None:
        return None
    return _KIND_OF_LABEL[" ".join(match.group(1).lower().split())], match.group(2).strip()


def is_separator(line: str) -> bool:
    """A line after which everything is the earlier message ("-----Ursprüngliche Nachricht-----")."""
    return bool(_SEPARATOR.match(line) or _UNDERSCORE_RULE.match(line))


def is_titled_rule(line: str) -> bool:
    """A dashed rule with a title we do not know: a separator only when a header block follows it."""
    return bool(_TITLED_RULE.match(line))


def attribution_strength(text: str) -> int:
    """How surely `text` is an attribution line: 0 not one, 1 bare, 2 with an address, 3 with a date.

    3: "On 23 Nov 2026, FOI <foi@…> wrote:", "пн, 23 нояб. 2026 г. в 08:26, FOI <foi@…>:";
    2: "FOI <foi@batumi.ge> wrote:"; 1: "Lasha wrote:".
    """
    text = " ".join(text.split())
    if not text or len(text) > _ATTRIBUTION_MAX or text.startswith(">"):
        return 0
    dated = bool(_WHEN.search(text))
    if _WEAK_VERB.search(text) and _ADDRESS.search(text):
        return 3 if dated else 2
    if _VERB.search(text) or _VERB_JA.search(text):
        if dated:
            return 3
        if _ADDRESS.search(text):
            return 2
        return 1 if len(text) <= _BARE_ATTRIBUTION_MAX else 0
    return 3 if _ADDRESS_END.search(text) and dated else 0


def is_dated_address_line(text: str) -> bool:
    """A date and a name ending in an address, no verb, no colon: Gmail's old attribution, history only when
    nothing but quoted lines follow it."""
    text = " ".join(text.split())
    return len(text) <= _ATTRIBUTION_MAX and bool(_ADDRESS_LAST.search(text) and _WHEN.search(text))


def is_dashed_attribution(line: str) -> bool:
    """An attribution between dashes, with no colon ("---- John Smith wrote ----"): history below it."""
    match = _DASHED.match(line)
    return match is not None and attribution_strength(match.group(1) + ":") > 0


def is_lone_verb(line: str) -> bool:
    """ "wrote:" alone on its line (maybe after a stray ">"): the end of an attribution wrapped above it."""
    return bool(_LONE_VERB.match(line))


def has_address(text: str) -> bool:
    """The text holds something shaped like a mail address."""
    return bool(_ADDRESS.search(text))
