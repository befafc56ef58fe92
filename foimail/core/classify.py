"""What kind of mail has arrived: rules and one chain, after GNU Mailman 3.

Each rule is a tiny function ``(message, rules) -> reason | None`` answering one question; `CHAIN` holds them
in order, each with the kind it stands for, and the first rule that answers decides. The verdict keeps the
reasons of every rule of that kind that answered, quoting the header evidence, so an officer can see why a
message was set aside. Only clear signals set a message aside: a doubtful message is registered, not dropped.

The rules for machine mail (bounces, automatic replies) and the evidence behind them are in
`core.machine_rules`. ``related_message_ids`` are filled for every kind: Message-IDs of *our* mail the
message refers to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from foimail.core import machine_rules as machine
from foimail.core.evidence import ADDRESS, is_own_message_id, is_usable_address, quote, related_message_ids, token
from foimail.core.message import InboundMessage
from foimail.core.numbering import DEFAULT_FORMAT, find_numbers, validate_format
from foimail.core.subject import find_case_number
from foimail.core.vocabulary import LOOP_HEADER, MessageKind

__all__ = [
    "CHAIN",
    "HEURISTIC_RULES",
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
    """The kind, why, and what the message refers to (case number; Message-IDs of our mail).

    `doubtful`: set aside on evidence a person could read otherwise (wording, a sender's name, the receiving
    MTA's spam guess, no sender found); the office is told of such messages with the command to register them.
    """

    kind: MessageKind
    reasons: tuple[str, ...]
    case_number: str | None = None
    related_message_ids: tuple[str, ...] = ()
    doubtful: bool = False


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

# OWN_MAIL --------------------------------------------------------------------------------------------------


def _carries_our_loop_header(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Our loop header naming our office address: mail we sent that came back to us."""
    for value in message.header_values(rules.loop_header):
        if rules.office_address.lower() in (found.lower() for found in ADDRESS.findall(value)):
            return quote(rules.loop_header, value)
    return None


def _has_our_message_id(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """The message's own Message-ID is one we gave (RFC 5322 §3.6.4 ids are unique to their sender)."""
    if message.message_id and is_own_message_id(message.message_id, rules.office_domain):
        return quote("Message-ID", message.message_id) + " is ours"
    return None


# SPAM -------------------------------------------------------------------------------------------------------


def _flagged_as_spam(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """The receiving MTA's verdict: SpamAssassin's X-Spam-Flag / X-Spam-Status, rspamd's X-Spam.

    Registering spam would send a confirmation to a forged address (backscatter); the message stays
    visible in the digest and `foimail register` promotes it if a person says it is a request.
    """
    for name in ("X-Spam-Flag", "X-Spam", "X-Spam-Status"):
        for value in message.header_values(name):
            if token(value).split(",")[0].strip() == "yes":
                return quote(name, value)
    return None


# UNPARSEABLE, TAGGED, REQUEST ------------------------------------------------------------------------------


def _has_no_sender(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """No From and no Reply-To address we could answer (GAC Art. 37 needs somewhere to answer to)."""
    if message.sender and is_usable_address(message.sender.address):
        return None
    if any(is_usable_address(address.address) for address in message.reply_to):
        return None
    shown = message.header("from")
    return "no usable sender address: " + (quote("From", shown) if shown else "From: (missing)")


def _is_empty(message: InboundMessage, rules: ClassifyRules) -> str | None:
    """Nothing at all to register: no subject, no text, no HTML, no attachments."""
    if message.subject.strip() or message.text.strip() or (message.html or "").strip() or message.attachments:
        return None
    defects = f" (defects: {'; '.join(message.defects)})" if message.defects else ""
    return quote("empty message", "no subject, text, HTML or attachments" + defects)


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
    (MessageKind.BOUNCE, machine.is_delivery_report),
    (MessageKind.BOUNCE, machine.has_delivery_status),
    (MessageKind.BOUNCE, machine.has_failed_recipients),
    (MessageKind.BOUNCE, machine.is_exchange_ndr),
    (MessageKind.BOUNCE, machine.is_from_mail_system),
    (MessageKind.BOUNCE, machine.has_feedback_report_part),
    (MessageKind.BOUNCE, machine.opens_as_abuse_report),
    (MessageKind.BOUNCE, machine.has_bounce_subject),
    (MessageKind.BOUNCE, machine.names_failed_recipients),
    (MessageKind.BOUNCE, machine.is_ses_notification),
    (MessageKind.BOUNCE, machine.is_list_rejection),
    (MessageKind.AUTO_REPLY, machine.is_read_receipt),
    (MessageKind.AUTO_REPLY, machine.is_auto_submitted),
    (MessageKind.AUTO_REPLY, machine.has_x_autoreply),
    (MessageKind.AUTO_REPLY, machine.has_x_autorespond),
    (MessageKind.AUTO_REPLY, machine.is_autogenerated_reply),
    (MessageKind.AUTO_REPLY, machine.is_exchange_generated),
    (MessageKind.AUTO_REPLY, machine.has_bulk_precedence),
    (MessageKind.AUTO_REPLY, machine.is_list_mail),
    (MessageKind.AUTO_REPLY, machine.has_out_of_office_subject),
    (MessageKind.AUTO_REPLY, machine.opens_with_absence_notice),
    (MessageKind.BOUNCE, machine.has_null_return_path),
    (MessageKind.SPAM, _flagged_as_spam),
    (MessageKind.UNPARSEABLE, _has_no_sender),
    (MessageKind.UNPARSEABLE, _is_empty),
    (MessageKind.TAGGED, _names_a_case),
    (MessageKind.REQUEST, _anything_else),
)


# Rules that read wording or names rather than a header a machine sets: a person could read the message
# otherwise. A verdict that rests on these alone is doubtful; one certain rule beside them settles it.
HEURISTIC_RULES: frozenset[Rule] = frozenset(
    {
        machine.is_from_mail_system,
        machine.opens_as_abuse_report,
        machine.has_bounce_subject,
        machine.names_failed_recipients,
        machine.is_ses_notification,
        machine.is_list_rejection,
        machine.has_out_of_office_subject,
        machine.opens_with_absence_notice,
    }
)
# Nothing certain ever says "spam" or "no sender": the MTA guesses, and a person may know the address.
_ALWAYS_DOUBTFUL = frozenset({MessageKind.SPAM, MessageKind.UNPARSEABLE})
_NEVER_DOUBTFUL = frozenset({MessageKind.OWN_MAIL, MessageKind.REQUEST, MessageKind.TAGGED})


def classify(message: InboundMessage, rules: ClassifyRules) -> Verdict:
    """Run `CHAIN`: the first rule to answer decides the kind; that kind's other answers join the reasons."""
    kind = next(kind for kind, rule in CHAIN if rule(message, rules) is not None)
    answered = [
        (rule, reason)
        for rule_kind, rule in CHAIN
        if rule_kind is kind and (reason := rule(message, rules)) is not None
    ]
    return Verdict(
        kind=kind,
        reasons=tuple(reason for _, reason in answered),
        case_number=_case_number(kind, message, rules),
        related_message_ids=related_message_ids(message, rules.office_domain),
        doubtful=kind in _ALWAYS_DOUBTFUL
        or (kind not in _NEVER_DOUBTFUL and all(rule in HEURISTIC_RULES for rule, _ in answered)),
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
