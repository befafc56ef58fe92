"""What mail systems write in words: bounce subjects, list rejections, abuse reports; absence notices are in
`core.absence_text`.

Machine mail that carries no machine header is still recognisable by wording no person opens a letter
with. Each table names where its wording comes from; matching is anchored (subject start, body opening)
so that a person quoting or forwarding such a text (``Fwd: Returned mail``) is not taken for the machine.
"""

from __future__ import annotations

import re

from foimail.core.absence_text import absence_statement

__all__ = [
    "MAIL_SYSTEM_LOCAL_PARTS",
    "abuse_report_marker",
    "absence_statement",
    "bounce_subject",
    "list_rejection",
    "ses_notification",
]

# RFC 5321 §4.5.1 postmaster, the MTAs' own senders (Sendmail, Postfix, Exim, qmail: MAILER-DAEMON),
# Japanese carriers' post_master, MDaemon's own name.
MAIL_SYSTEM_LOCAL_PARTS = frozenset(
    {"mailer-daemon", "mailer_daemon", "mailerdaemon", "mail-daemon", "postmaster", "post_master", "mdaemon"}
)

# At the very start of the subject, prefixes *not* stripped: "Fwd: Returned mail" is a person's forward.
_BOUNCE_SUBJECTS = re.compile(
    r"^\s*(?:"
    r"undeliver(?:ed|able)\s+mail\s+returned\s+to\s+sender"  # Postfix
    r"|mail\s+delivery\s+failed"  # Exim
    r"|failure\s+notice\b"  # qmail
    r"|returned\s+mail\s*:"  # Sendmail
    r"|warning\s*:\s*could\s+not\s+send\s+message"  # Sendmail delay
    r"|delayed\s+mail\s+\(still\s+being\s+retried\)"  # Postfix delay
    r"|delivery\s+status\s+notification\s+\((?:failure|delay)\)"  # Gmail, Exchange
    r"|undeliverable\s*(?::|mail\b|message\b)"  # Exchange, SoftBank
    r"|delivery\s+(?:failure|report)\s*:"  # Lotus Domino
    r"|(?:e-?mail\s+|message\s+)?delivery\s+(?:failure|failed|warning|delayed)\b"  # Symantec, Exchange 2003
    r"|mail\s+delivery\s+warning\b|failed\s+delivery\b|returned\s+mail\s*-"  # Exchange, E500 SMTP
    r"|message\s+(?:not\s+delivered|could\s+not\s+be\s+delivered)\b|mail\s+could\s+not\s+be\s+delivered"
    r"|(?:nicht\s+zustellbar|zustellung\s+fehlgeschlagen)\b"  # de
    r"|[ée]chec\s+de\s+(?:la\s+)?(?:remise|distribution)\b"  # fr
    r"|(?:ошибка\s+доставки|сообщение\s+не\s+доставлено|не\s+удалось\s+доставить)"  # ru
    r"|(?:mensaje\s+no\s+entregado|falha\s+na\s+entrega|mancato\s+recapito|iletilemedi)"  # es, pt, it, tr
    r"|(?:წერილი\s+ვერ\s+მიეწოდა|მიწოდება\s+ვერ\s+მოხერხდა)"  # ka
    r"|delivery\s+notification\s*:\s*delivery\s+has\s+failed"  # Lotus Notes
    r"|mail\s+system\s+error\s*-\s*returned\s+mail"  # au EZweb
    r"|mail\s+delivery\s+failure\b"  # au KDDI, MDaemon
    r"|(?:non-?deliverable|undelivered)\s+(?:mail|message)\b"
    r"|unzustellbar\s*:"  # Exchange: de
    r"|non\s+remis\s*:"  # fr
    r"|no\s+se\s+puede\s+entregar\s*:"  # es
    r"|non\s+recapitabile\s*:"  # it
    r"|onbestelbaar\s*:"  # nl
    r"|niedostarczalne\s*:"  # pl
    r"|teslim\s+edilemedi\s*:"  # tr
    r"|не\s+доставлено\s*:"  # ru, uk
    r"|недоставленное\s+сообщение"  # Yandex, Mail.ru
    r"|配信不能\s*:"  # ja Exchange
    r"|(?:メール)?(?:配信エラー|不達(?:通知|のお知らせ)?)"  # Japanese carriers
    r")"
    # Gateways that keep the returned message's subject and append the failure: "RE: … : non remis (delivery failed)".
    r"|\(\s*(?:delivery\s+failed|undeliver(?:ed|able)|non\s+remis|unzustellbar)\s*\)\s*$",
    re.IGNORECASE,
)

# Mailing-list managers refusing or holding a post: Mailman 2 and 3, Google Groups, Sympa, LISTSERV,
# mlmmj, ezmlm, Yahoo/Groups.io.
_LIST_REJECTION = re.compile(
    r"(?:"
    r"post\s+by\s+non-?member\s+to\s+a\s+members-only\s+list"  # Mailman 2
    r"|you\s+are\s+not\s+(?:a\s+member|subscribed|allowed\s+to\s+post|authori[sz]ed\s+to\s+send)"
    r"|you\s+(?:do\s+not|don'?t)\s+have\s+permission\s+to\s+post"  # Google Groups
    r"|your\s+message\s+to\s+\S+\s+awaits\s+moderator\s+approval"  # Mailman
    r"|your\s+message\s+(?:for|to)\s+(?:the\s+)?list\s+\S+\s+has\s+been\s+rejected"  # Sympa
    r"|only\s+(?:members|subscribers)\s+(?:of\s+this\s+list\s+)?(?:can|may)\s+(?:post|send)"  # mlmmj, ezmlm
    r"|message\s+rejected\s+by\s+(?:the\s+)?(?:list\s+)?moderator"
    r")",
    re.IGNORECASE,
)

# RFC 5965 ARF fields as they appear in reports sent without multipart/report (older Yahoo, AOL, Mail.ru
# feedback loops), Microsoft JMRP and SpamCop wording.
_ABUSE_REPORT = re.compile(
    r"(?:"
    r"^feedback-type\s*:\s*(?:abuse|fraud|virus|other|not-spam|auth-failure)\b"
    r"|^this\s+is\s+an?\s+(?:e-?mail\s+)?abuse\s+report\b"
    r"|^\[spamcop\s*\(\S+\)\s*id:\s*\d+\]"
    r")",
    re.IGNORECASE | re.MULTILINE,
)

# Amazon SES bounce and complaint notifications delivered by SNS as e-mail: a JSON document.
_SES_NOTIFICATION = re.compile(
    r"\"(?:notificationType|eventType)\"\s*:\s*\"(Bounce|Complaint|DeliveryDelay)\"",
    re.IGNORECASE,
)


def bounce_subject(subject: str) -> bool:
    """Whether the subject opens with an MTA's own non-delivery wording (no reply or forward prefix), or ends
    with a gateway's "(delivery failed)"."""
    return _BOUNCE_SUBJECTS.search(subject) is not None


def list_rejection(text: str) -> str | None:
    """The mailing-list refusal wording in `text`, if any."""
    found = _LIST_REJECTION.search(text[:2000])
    return found.group() if found else None


def abuse_report_marker(text: str) -> str | None:
    """The ARF field or abuse-report wording heading a line of `text`, if any."""
    found = _ABUSE_REPORT.search(text[:4000])
    return found.group() if found else None


def ses_notification(text: str) -> str | None:
    """The notification type of an Amazon SES notice (``Bounce``, ``Complaint``), if `text` is one."""
    found = _SES_NOTIFICATION.search(text[:4000])
    return found.group(1) if found else None
