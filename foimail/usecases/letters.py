"""Mail foimail writes, rendered from templates/<audience>/<event>.*.j2 and composed as bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from foimail.context import AppContext
from foimail.core.calendar import explain_due_date
from foimail.core.message import Address, Attachment
from foimail.core.subject import strip_reply_prefixes
from foimail.core.vocabulary import LOOP_HEADER
from foimail.mail.compose import compose_message
from foimail.store.models import Case


def office_context(ctx: AppContext) -> dict[str, Any]:
    office = ctx.settings.office
    return {
        "office_name": office.name,
        "office_name_en": office.name_en,
        "office_address": office.address,
        "office_complaints_to": office.complaints_to,  # named in refusals (GAC Art. 41)
    }


def render_subject(ctx: AppContext, template: str, values: dict[str, Any]) -> str:
    """The one-line subject of `<audience>/<event>`; whitespace from the template is folded away."""
    return " ".join(ctx.renderer.render(f"{template}.subject.j2", **{**office_context(ctx), **values}).split())


def render_mail(
    ctx: AppContext,
    template: str,
    *,
    to: Sequence[str],
    values: dict[str, Any],
    message_id: str,
    now: datetime,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
    auto_submitted: str | None = "auto-generated",
    subject: str | None = None,
) -> bytes:
    """Render `<audience>/<event>` (subject, text, optional HTML) and compose it from the office address."""
    audience, _, event = template.partition("/")
    if subject is None:
        subject = render_subject(ctx, template, values)
    values = {**office_context(ctx), **values}
    text, html = ctx.renderer.render_pair(audience, event, **values)
    office = ctx.settings.office
    return compose_message(
        sender=Address(office.address, office.name),
        to=[Address(address) for address in to],
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        in_reply_to=in_reply_to,
        references=references,
        message_id=message_id,
        date=now.astimezone(ctx.tz),  # the Date: header in office time, as local mail clients write it
        auto_submitted=auto_submitted,
        loop_header=(LOOP_HEADER, office.address),
    )


class QueuedMail(Protocol):
    """What a letter needs of its outbox item: an OutboxItem, or the row the outbox's claim returned."""

    @property
    def recipients(self) -> list[str]: ...
    @property
    def message_id_header(self) -> str: ...
    @property
    def context(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Confirmation:
    """A rendered confirmation, with what the outbox records of it without parsing its own bytes again."""

    raw: bytes
    subject: str
    due_date: date


def confirmation(ctx: AppContext, case: Case, item: QueuedMail, now: datetime) -> Confirmation:
    """The Art. 4.2 confirmation as of `now`, and the due date it states (Batumi res. No. 3 Art. 4.3).

    Rendered when it is sent, not when queued, so the date it states is the one the case gets.
    """
    explanation = explain_due_date(now, ctx.calendar, ctx.deadline_rules, ctx.tz)
    values = {
        "case_number": case.number,
        "subject": strip_reply_prefixes(case.subject),  # "RE: FW: ..." of a forwarded request says nothing
        "requester_name": case.requester_name,
        "registered_local": case.registered_at.astimezone(ctx.tz),
        "due_date": explanation.due_date,
        "start_day": explanation.start_day,
    }
    subject = render_subject(ctx, "requester/confirmation", values)
    raw = render_mail(
        ctx,
        "requester/confirmation",
        subject=subject,
        to=item.recipients,
        values=values,
        message_id=item.message_id_header,
        now=now,
        in_reply_to=item.context.get("in_reply_to"),
        references=item.context.get("references", []),
        auto_submitted="auto-replied",
    )
    return Confirmation(raw, subject, explanation.due_date)
