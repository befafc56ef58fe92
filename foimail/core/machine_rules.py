"""Rules that recognise machine mail: bounces (BOUNCE) and automatic replies (AUTO_REPLY).

Each rule answers one question about one message and quotes its evidence; `core.classify` orders them.
Decisions, with their evidence:

- ``X-Auto-Response-Suppress`` is *not* a signal. It asks the recipient not to auto-reply (MS-OXCMAIL
  §2.1.3.2.20); it does not say the message is one. Help desks, newsletter tools and Exchange put it on mail
  that is no auto-reply, and Discourse (PR #21367), osTicket (PR #5320), Redmine (#19558) and sisimai (#491)
  stopped treating it as one because it flagged ordinary mail.
- ``X-MS-Exchange-Inbox-Rules-Loop`` is *not* a signal alone: Exchange adds it to every message an inbox
  rule touched, and a rule that *redirects* a citizen's letter to the FOI mailbox keeps the citizen as the
  sender. ``X-MS-Exchange-Generated-Message-Source`` is: Exchange writes it on messages it generated itself
  (out-of-office and rule replies: "Mailbox Rules Agent"; journal and transport-rule reports).
- Read receipts (``multipart/report; report-type=disposition-notification``, RFC 8098) are AUTO_REPLY:
  machine mail about our message that was delivered. Every other ``multipart/report`` (delivery-status,
  RFC 3464; feedback and TLS reports) is BOUNCE, and so is an abuse report sent without one.
- A null return path (RFC 5321 §4.5.5) also marks auto-replies (RFC 3834 §3.3 recommends it; Sieve vacation
  in Dovecot sends from <>), so it counts as a bounce only after the auto-reply rules had nothing to say.
- Wording alone (a bounce subject, bounce-detector findings, an SES notice, a list refusal) counts only
  with machine evidence beside it, and never under a forward prefix: a person who forwards a bounce
  ("Fwd: Returned mail") is a person, and registering that letter is right.
- The absence-statement rule reads only replies to our own mail (our msg-id or case number): that is where
  out-of-office replies come from, and a misread there is kept on its case rather than lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from foimail.core.evidence import quote, related_message_ids, report_type, token
from foimail.core.machine_text import (
    MAIL_SYSTEM_LOCAL_PARTS,
    absence_statement,
    abuse_report_marker,
    bounce_subject,
    list_rejection,
    ses_notification,
)
from foimail.core.message import InboundMessage
from foimail.core.quotes import strip_quoted
from foimail.core.recipients import suppression_reason
from foimail.core.subject import find_case_number, is_forward_subject, is_out_of_office_subject

if TYPE_CHECKING:
    from foimail.core.classify import ClassifyRules


# BOUNCE ----------------------------------------------------------------------------------------------------


def is_delivery_report(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """multipart/report other than a read receipt: a DSN (RFC 3464, RFC 6522) or another machine report."""
    found = report_type(message)
    if found is None or found == "disposition-notification":
        return None
    return quote("Content-Type", f"multipart/report; report-type={found or '(missing)'}")


def has_delivery_status(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A message/delivery-status part (RFC 3464 §2.3): per-recipient action and status."""
    if not message.delivery_status:
        return None
    fields = message.delivery_status[0]
    summary = "; ".join(f"{key}={fields[key]}" for key in ("action", "status") if key in fields)
    return quote("message/delivery-status", summary or "present")


def has_failed_recipients(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Exim's X-Failed-Recipients, on its bounces (and Gmail's)."""
    value = message.header("x-failed-recipients")
    return quote("X-Failed-Recipients", value) if value is not None else None


def is_exchange_ndr(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Exchange marks its non-delivery reports with X-MS-Exchange-Message-Is-Ndr (value often empty)."""
    value = message.header("x-ms-exchange-message-is-ndr")
    return quote("X-MS-Exchange-Message-Is-Ndr", value or "(present)") if value is not None else None


def is_from_mail_system(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """From mailer-daemon@, postmaster@, post_master@ ...: the MTA's own mailboxes (RFC 5321 §4.5.1)."""
    if message.sender and message.sender.address.partition("@")[0].lower() in MAIL_SYSTEM_LOCAL_PARTS:
        return quote("From", message.sender.address)
    return None


def has_bounce_subject(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """An MTA's non-delivery subject ("Undelivered Mail Returned to Sender", "Unzustellbar:", "配信不能:"),
    backed by machine evidence or by the bounce detectors naming a failed recipient in the text (two wordings
    no person writes together). A person's "Fwd: Returned mail" carries a prefix and is not matched."""
    if not bounce_subject(message.subject) or is_forward_subject(message.subject):
        return None
    if _machine_evidence(message, rules) or message.failed_recipients:
        return quote("Subject", message.subject)
    return None


def names_failed_recipients(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """GNU Mailman's bounce detectors (flufl.bounce) read failed recipients from a plain-text bounce."""
    if not message.failed_recipients or not reads_failed_recipients(message, rules):
        return None
    return quote("bounce detectors name failed recipients", ", ".join(message.failed_recipients))


def reads_failed_recipients(message: InboundMessage, rules: ClassifyRules) -> bool:
    """Whether what the bounce detectors find could count for `message` (`names_failed_recipients`): no
    forward prefix, and machine evidence or a bounce subject. Intake runs the detectors, the dearest step of a
    parse, only then.

    A bounce subject is enough to look: gateways (Symantec's, Exchange 2003's "Mail Delivery Warning", an
    "E500_SMTP_Mail_Service") send from ordinary addresses with a real return path, and the text in an MTA's
    format is the rest of the evidence (flufl.bounce's simple_20/22/35, bounce_02)."""
    if is_forward_subject(message.subject):
        return False
    return _machine_evidence(message, rules) or bounce_subject(message.subject)


def has_feedback_report_part(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """An abuse/complaint report without report-type: a message/feedback-report part (RFC 5965 §2)."""
    if any(a.content_type.lower() == "message/feedback-report" for a in message.attachments):
        return quote("Content-Type", "message/feedback-report part")
    return None


def opens_as_abuse_report(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """ARF fields, Microsoft JMRP or SpamCop wording heading a line of the text, not under a forward."""
    if is_forward_subject(message.subject):
        return None
    marker = abuse_report_marker(message.text)
    return quote("abuse report", marker) if marker else None


def is_ses_notification(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Amazon SES bounce/complaint notifications sent by SNS as e-mail: a JSON notice from a machine."""
    kind = ses_notification(message.text)
    if kind is None or not _machine_evidence(message, rules):
        return None
    return quote("Amazon SES notification", kind)


def is_list_rejection(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A mailing list refusing or holding our mail ("you are not a member", "awaits moderator approval"),
    from list machinery (X-List-Administrivia, Mailman 2) or a robot address (RFC 2142, RFC 3834 §2)."""
    wording = list_rejection(f"{message.subject}\n{message.text}")
    if wording is None or is_forward_subject(message.subject):
        return None
    if message.header("x-list-administrivia") is None and not _robot_sender(message, rules):
        return None
    return quote("mailing list", wording)


def has_null_return_path(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Return-Path: <>, the null sender of DSNs (RFC 5321 §4.5.5); asked after the auto-reply rules."""
    return "Return-Path: <> (null sender)" if message.return_path == "" else None


# AUTO_REPLY ------------------------------------------------------------------------------------------------


def is_read_receipt(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A message disposition notification (RFC 8098): a read receipt."""
    if report_type(message) != "disposition-notification":
        return None
    return quote("Content-Type", "multipart/report; report-type=disposition-notification")


def is_auto_submitted(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Auto-Submitted with any keyword but ``no`` (RFC 3834 §5), parameters and comments ignored."""
    for value in message.header_values("auto-submitted"):
        if token(value) not in ("", "no"):
            return quote("Auto-Submitted", value)
    return None


def has_x_autoreply(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """X-Autoreply (Yandex, Mail.ru, Roundcube, osTicket), unless it says no."""
    value = message.header("x-autoreply")
    if value is None or token(value) in ("no", "false", "0"):
        return None
    return quote("X-Autoreply", value or "(present)")


def has_x_autorespond(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """X-Autorespond, set by cPanel/Exim autoresponders."""
    value = message.header("x-autorespond")
    return quote("X-Autorespond", value or "(present)") if value is not None else None


def is_autogenerated_reply(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """X-AutoGenerated: Reply (Microsoft's rule-generated replies); Forward and others are not replies."""
    for value in message.header_values("x-autogenerated"):
        if token(value) == "reply":
            return quote("X-Autogenerated", value)
    return None


def has_bulk_precedence(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Precedence: bulk, junk, list or auto_reply (RFC 3834 §3.1.8 names the practice)."""
    for value in message.header_values("precedence"):
        if token(value) in ("bulk", "junk", "list", "auto_reply"):
            return quote("Precedence", value)
    return None


def is_list_mail(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """List-Id (RFC 2919) or List-Unsubscribe (RFC 2369, RFC 8058): mass mail, not a request."""
    for name in ("List-Id", "List-Unsubscribe"):
        value = message.header(name)
        if value is not None:
            return quote(name, value)
    return None


def has_out_of_office_subject(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A subject opening with out-of-office wording (Outlook, Gmail, Yandex; see `core.subject`)."""
    return quote("Subject", message.subject) if is_out_of_office_subject(message.subject) else None


def is_exchange_generated(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """X-MS-Exchange-Generated-Message-Source: Exchange wrote the message itself ("Mailbox Rules Agent" for
    out-of-office and rule replies, "Journal Agent", "Transport Rule Agent"). A rule's forward keeps FW:."""
    value = message.header("x-ms-exchange-generated-message-source")
    if value is None or is_forward_subject(message.subject):
        return None
    return quote("X-MS-Exchange-Generated-Message-Source", value or "(present)")


def opens_with_absence_notice(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A reply to our mail whose text opens with an absence statement ("I am out of the office",
    "შვებულებაში ვარ", "Ich bin nicht im Büro"): an out-of-office reply that set no header.

    Responders (Outlook/Exchange, Gmail, Sieve vacation, Zimbra, Yandex, Mail.ru) send the notice alone; a
    reply that quotes the letter it answers was written in a mail client, by a person ("I am away until the
    20th, please send the documents by post" above our confirmation), and stays on its case."""
    if not _refers_to_our_mail(message, rules):
        return None
    statement = absence_statement(message.text)
    if statement is None or _quotes_history(message.text):  # the dearer reading last
        return None
    return quote("text opens with", statement)


def _quotes_history(text: str) -> bool:
    """The text quotes an earlier message (an attribution, a header block, ">" lines: `core.quotes`)."""
    return strip_quoted(text).split() != text.split()


def _robot_sender(message: InboundMessage, rules: ClassifyRules) -> bool:
    """A sender no person reads: postmaster, no-reply, list machinery (core.recipients, RFC 3834 §2)."""
    address = message.sender.address if message.sender else ""
    return bool(address) and suppression_reason(address, rules.office_address) is not None


def _machine_evidence(message: InboundMessage, rules: ClassifyRules) -> bool:
    """Something besides wording that says a machine wrote this: a robot sender, the null return path,
    a returned message's headers, or a reference to mail we sent."""
    return (
        _robot_sender(message, rules)
        or message.return_path == ""
        or bool(message.embedded_headers)
        or _refers_to_our_mail(message, rules)
    )


def _refers_to_our_mail(message: InboundMessage, rules: ClassifyRules) -> bool:
    """Our msg-id in its references or quoted text, or a case number in its subject."""
    if related_message_ids(message, rules.office_domain):
        return True
    return find_case_number(message.subject, rules.numbering_format) is not None
