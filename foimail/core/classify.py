"""What kind of mail has arrived: rules and one chain, after GNU Mailman 3.

Each rule is a tiny function ``(message, rules) -> reason | None`` answering one question; `CHAIN` holds them
in order, each with the kind it stands for, and the first rule that answers decides. The verdict keeps the
reasons of every rule of that kind that answered, quoting the header evidence, so an officer can see why a
message was set aside. Only clear signals set a message aside: a doubtful message is registered, not dropped.

Decisions, with their evidence:

- ``X-Auto-Response-Suppress`` is *not* a signal. It asks the recipient not to auto-reply (MS-OXCMAIL
  §2.1.3.2.20); it does not say the message is one. Help desks, newsletter tools and Exchange put it on mail
  that is no auto-reply, and Discourse (PR #21367), osTicket (PR #5320), Redmine (#19558) and sisimai (#491)
  stopped treating it as one because it flagged ordinary mail. Exchange OOF replies also carry
  ``Auto-Submitted: auto-generated`` and an "Automatic reply:" subject, which the rules below catch.
- Read receipts (``multipart/report; report-type=disposition-notification``, RFC 8098) are AUTO_REPLY:
  machine mail about our message that was delivered. Every other ``multipart/report`` (delivery-status,
  RFC 3464; feedback and TLS reports) is BOUNCE.
- A null return path (RFC 5321 §4.5.5) also marks auto-replies (RFC 3834 §3.3 recommends it; Sieve vacation
  in Dovecot sends from <>), so it counts as a bounce only after the auto-reply rules had nothing to say.
- ``related_message_ids`` are filled for every kind: Message-IDs of *our* mail the message refers to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from foimail.core.message import InboundMessage
from foimail.core.numbering import DEFAULT_FORMAT, find_numbers, validate_format
from foimail.core.subject import find_case_number, is_out_of_office_subject
from foimail.core.vocabulary import LOOP_HEADER, MESSAGE_ID_PREFIX, MessageKind

__all__ = [
    "CHAIN",
    "ClassifyRules",
    "MessageKind",
    "Rule",
    "Verdict",
    "classify",
    "is_own_message_id",
    "is_usable_address",
]


@dataclass(frozen=True)
class Verdict:
    """The kind, why, and what the message refers to (case number; Message-IDs of our mail)."""

    kind: MessageKind
    reasons: tuple[str, ...]
    case_number: str | None = None
    related_message_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassifyRules:
    """What the rules need to know about the office; checked once, when built."""

    office_address: str
    numbering_format: str = DEFAULT_FORMAT
    loop_header: str = LOOP_HEADER

    def __post_init__(self) -> None:
        if not is_usable_address(self.office_address):
            raise ValueError(f"office address {self.office_address!r} is not an email address")
        validate_format(self.numbering_format)

    @property
    def office_domain(self) -> str:
        return self.office_address.rpartition("@")[2].lower()


Rule = Callable[[InboundMessage, ClassifyRules], str | None]

_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]+")
# RFC 5321 §4.1.2 local part (dot-atom; UTF-8 allowed by RFC 6531) and a domain of letter-digit-hyphen labels
# (IDNA labels in any script, RFC 5890) under a non-numeric top-level label: `'nino@example.ge'` is not one.
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_USABLE_ADDRESS = re.compile(rf"[^\s@<>()\[\]\\,;:\"]+@(?:{_LABEL}\.)+(?!\d+$){_LABEL}")
_MAX_QUOTE = 160


def is_usable_address(address: str) -> bool:
    """True for something shaped like ``local@domain.tld`` that mail could be sent to (RFC 5322 §3.4.1)."""
    return _USABLE_ADDRESS.fullmatch(address.strip()) is not None


def _quote(name: str, value: str) -> str:
    """``Name: value`` for a reason, folded to one line and cut short."""
    value = " ".join(value.split())
    if len(value) > _MAX_QUOTE:
        value = value[: _MAX_QUOTE - 1] + "…"
    return f"{name}: {value}"


def _token(value: str) -> str:
    """The leading keyword of a structured header value, without parameters or comments (RFC 3834 §5)."""
    return re.split(r"[;(\s]", value.strip(), maxsplit=1)[0].lower()


def _own_id_regex(office_domain: str) -> str:
    return rf"{re.escape(MESSAGE_ID_PREFIX)}[0-9a-f]+@{re.escape(office_domain.strip())}"


def is_own_message_id(message_id: str, office_domain: str) -> bool:
    """True for the Message-IDs foimail gives its own mail: ``<foimail.{hex}@{domain}>``."""
    pattern = f"<?{_own_id_regex(office_domain)}>?"
    return re.fullmatch(pattern, message_id.strip(), re.IGNORECASE) is not None


def _report_type(message: InboundMessage) -> str | None:
    """The report-type of a multipart/report message (RFC 6522 §3), "" when missing, None for other types."""
    if message.content_type.lower() != "multipart/report":
        return None
    found = re.search(r"report-type\s*=\s*\"?([\w.-]+)", message.header("content-type") or "", re.IGNORECASE)
    return found.group(1).lower() if found else ""


# OWN_MAIL --------------------------------------------------------------------------------------------------


def _carries_our_loop_header(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Our loop header naming our office address: mail we sent that came back to us."""
    for value in message.header_values(rules.loop_header):
        if rules.office_address.lower() in (found.lower() for found in _ADDRESS.findall(value)):
            return _quote(rules.loop_header, value)
    return None


def _has_our_message_id(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """The message's own Message-ID is one we gave (RFC 5322 §3.6.4 ids are unique to their sender)."""
    if message.message_id and is_own_message_id(message.message_id, rules.office_domain):
        return _quote("Message-ID", message.message_id) + " is ours"
    return None


# BOUNCE ----------------------------------------------------------------------------------------------------


def _is_delivery_report(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """multipart/report other than a read receipt: a DSN (RFC 3464, RFC 6522) or another machine report."""
    report_type = _report_type(message)
    if report_type is None or report_type == "disposition-notification":
        return None
    return _quote("Content-Type", f"multipart/report; report-type={report_type or '(missing)'}")


def _has_delivery_status(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A message/delivery-status part (RFC 3464 §2.3): per-recipient action and status."""
    if not message.delivery_status:
        return None
    fields = message.delivery_status[0]
    summary = "; ".join(f"{key}={fields[key]}" for key in ("action", "status") if key in fields)
    return _quote("message/delivery-status", summary or "present")


def _has_failed_recipients(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Exim's X-Failed-Recipients, on its bounces (and Gmail's)."""
    value = message.header("x-failed-recipients")
    return _quote("X-Failed-Recipients", value) if value is not None else None


def _is_exchange_ndr(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Exchange marks its non-delivery reports with X-MS-Exchange-Message-Is-Ndr (value often empty)."""
    value = message.header("x-ms-exchange-message-is-ndr")
    return _quote("X-MS-Exchange-Message-Is-Ndr", value or "(present)") if value is not None else None


def _is_from_mailer_daemon(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """From mailer-daemon@ or postmaster@: the MTA's own mailboxes (RFC 5321 §4.5.1)."""
    if message.sender and message.sender.address.partition("@")[0].lower() in ("mailer-daemon", "postmaster"):
        return _quote("From", message.sender.address)
    return None


def _has_null_return_path(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Return-Path: <>, the null sender of DSNs (RFC 5321 §4.5.5); asked after the auto-reply rules."""
    return "Return-Path: <> (null sender)" if message.return_path == "" else None


# AUTO_REPLY ------------------------------------------------------------------------------------------------


def _is_read_receipt(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A message disposition notification (RFC 8098): a read receipt."""
    if _report_type(message) != "disposition-notification":
        return None
    return _quote("Content-Type", "multipart/report; report-type=disposition-notification")


def _is_auto_submitted(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Auto-Submitted with any keyword but ``no`` (RFC 3834 §5), parameters and comments ignored."""
    for value in message.header_values("auto-submitted"):
        if _token(value) not in ("", "no"):
            return _quote("Auto-Submitted", value)
    return None


def _has_x_autoreply(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """X-Autoreply (Yandex, Mail.ru, Roundcube, osTicket), unless it says no."""
    value = message.header("x-autoreply")
    if value is None or _token(value) in ("no", "false", "0"):
        return None
    return _quote("X-Autoreply", value or "(present)")


def _has_x_autorespond(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """X-Autorespond, set by cPanel/Exim autoresponders."""
    value = message.header("x-autorespond")
    return _quote("X-Autorespond", value or "(present)") if value is not None else None


def _is_autogenerated_reply(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """X-AutoGenerated: Reply (Microsoft's rule-generated replies); Forward and others are not replies."""
    for value in message.header_values("x-autogenerated"):
        if _token(value) == "reply":
            return _quote("X-Autogenerated", value)
    return None


def _has_bulk_precedence(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Precedence: bulk, junk, list or auto_reply (RFC 3834 §3.1.8 names the practice)."""
    for value in message.header_values("precedence"):
        if _token(value) in ("bulk", "junk", "list", "auto_reply"):
            return _quote("Precedence", value)
    return None


def _is_list_mail(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """List-Id (RFC 2919) or List-Unsubscribe (RFC 2369, RFC 8058): mass mail, not a request."""
    for name in ("List-Id", "List-Unsubscribe"):
        value = message.header(name)
        if value is not None:
            return _quote(name, value)
    return None


def _has_out_of_office_subject(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A subject opening with out-of-office wording (Outlook, Gmail, Yandex; see `core.subject`)."""
    return _quote("Subject", message.subject) if is_out_of_office_subject(message.subject) else None


# SPAM -------------------------------------------------------------------------------------------------------


def _flagged_as_spam(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """The receiving MTA's verdict: SpamAssassin's X-Spam-Flag / X-Spam-Status, rspamd's X-Spam.

    Registering spam would send a confirmation to a forged address (backscatter); the message stays
    visible in the digest and `foimail register` promotes it if a person says it is a request.
    """
    for name in ("X-Spam-Flag", "X-Spam", "X-Spam-Status"):
        for value in message.header_values(name):
            if _token(value).split(",")[0].strip() == "yes":
                return _quote(name, value)
    return None


# UNPARSEABLE, TAGGED, REQUEST ------------------------------------------------------------------------------


def _has_no_sender(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """No From and no Reply-To address we could answer (GAC Art. 37 needs somewhere to answer to)."""
    if message.sender and is_usable_address(message.sender.address):
        return None
    if any(is_usable_address(address.address) for address in message.reply_to):
        return None
    shown = message.header("from")
    return "no usable sender address: " + (_quote("From", shown) if shown else "From: (missing)")


def _is_empty(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Nothing at all to register: no subject, no text, no HTML, no attachments."""
    if message.subject.strip() or message.text.strip() or (message.html or "").strip() or message.attachments:
        return None
    defects = f" (defects: {'; '.join(message.defects)})" if message.defects else ""
    return _quote("empty message", "no subject, text, HTML or attachments" + defects)


def _names_a_case(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A registration number in the subject: an officer's reply or the requester's follow-up."""
    number = find_case_number(message.subject, rules.numbering_format)
    return f"Subject names {number}" if number else None


def _anything_else(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """A new request: GAC Art. 37, registered on the day received (GAC Art. 79(1))."""
    return "no other rule matched: a new request"


CHAIN: tuple[tuple[MessageKind, Rule], ...] = (
    (MessageKind.OWN_MAIL, _carries_our_loop_header),
    (MessageKind.OWN_MAIL, _has_our_message_id),
    (MessageKind.BOUNCE, _is_delivery_report),
    (MessageKind.BOUNCE, _has_delivery_status),
    (MessageKind.BOUNCE, _has_failed_recipients),
    (MessageKind.BOUNCE, _is_exchange_ndr),
    (MessageKind.BOUNCE, _is_from_mailer_daemon),
    (MessageKind.AUTO_REPLY, _is_read_receipt),
    (MessageKind.AUTO_REPLY, _is_auto_submitted),
    (MessageKind.AUTO_REPLY, _has_x_autoreply),
    (MessageKind.AUTO_REPLY, _has_x_autorespond),
    (MessageKind.AUTO_REPLY, _is_autogenerated_reply),
    (MessageKind.AUTO_REPLY, _has_bulk_precedence),
    (MessageKind.AUTO_REPLY, _is_list_mail),
    (MessageKind.AUTO_REPLY, _has_out_of_office_subject),
    (MessageKind.BOUNCE, _has_null_return_path),
    (MessageKind.SPAM, _flagged_as_spam),
    (MessageKind.UNPARSEABLE, _has_no_sender),
    (MessageKind.UNPARSEABLE, _is_empty),
    (MessageKind.TAGGED, _names_a_case),
    (MessageKind.REQUEST, _anything_else),
)


def classify(message: InboundMessage, rules: ClassifyRules) -> Verdict:
    """Run `CHAIN`: the first rule to answer decides the kind; that kind's other answers join the reasons."""
    kind = next(kind for kind, rule in CHAIN if rule(message, rules) is not None)
    reasons = tuple(
        reason for rule_kind, rule in CHAIN if rule_kind is kind and (reason := rule(message, rules)) is not None
    )
    return Verdict(
        kind=kind,
        reasons=reasons,
        case_number=_case_number(kind, message, rules),
        related_message_ids=_related_message_ids(message, rules),
    )


def _case_number(kind: MessageKind, message: InboundMessage, rules: ClassifyRules) -> str | None:
    """The case a message is about: for bounces the returned message's subject first, then our own subject."""
    if kind is MessageKind.REQUEST:
        return None
    subjects = [message.subject]
    embedded = [subject for headers in message.embedded_headers for subject in headers.get("subject", ())]
    subjects = embedded + subjects if kind is MessageKind.BOUNCE else subjects + embedded
    for subject in subjects:
        number = find_case_number(subject, rules.numbering_format)
        if number:
            return number
    if kind is MessageKind.BOUNCE:  # plain-text bounces quote the returned message in the body
        numbers = find_numbers(message.text, rules.numbering_format)
        return numbers[0] if numbers else None
    return None


def _related_message_ids(message: InboundMessage, rules: ClassifyRules) -> tuple[str, ...]:
    """Message-IDs (``<...>``) of our mail: embedded headers, In-Reply-To, References, quoted text."""
    candidates = [
        *(value for headers in message.embedded_headers for value in headers.get("message-id", ())),
        *message.in_reply_to,
        *message.references,
        *re.findall(f"<{_own_id_regex(rules.office_domain)}>", message.text, re.IGNORECASE),
    ]
    found: list[str] = []
    for candidate in candidates:
        message_id = "<" + candidate.strip().strip("<>") + ">"
        if is_own_message_id(message_id, rules.office_domain) and message_id not in found:
            found.append(message_id)
    return tuple(found)
