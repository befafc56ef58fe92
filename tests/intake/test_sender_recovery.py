"""Requests whose sender had to be recovered are registered, confirmed to the recovered address, and the case
says where that address came from. Real SQLite and PostgreSQL, real aiosmtpd."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from foimail.config import OfficeSettings
from foimail.runners import OutboxRunner
from foimail.store.db import unit_of_work
from foimail.store.models import Case, Event, StoredMessage
from foimail.usecases.intake import process_one
from tests.support.app import smtp_settings_for

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# sample -> (requester address, requester name, where it was read)
RECOVERED = {
    "request_gmail_ka.eml": ("nino.beridze@gmail.com", "ნინო ბერიძე", "from"),
    "request_python_mime_whole_from_ka.eml": ("g.maisuradze@example.ge", "გიორგი მაისურაძე", "from-repaired"),
    "request_php_mb_encode_mimeheader_ka.eml": ("nino.beridze@gmail.com", "ნინო ბერიძე", "from-repaired"),
    "request_webform_missing_bracket_ka.eml": ("t.chkhaidze@hotel-adjara.ge", "თამარ ჩხაიძე", "from-repaired"),
    "request_from_name_only_reply_to_list.eml": ("k.kharaishvili@gmail.com", "ქეთევან ხარაიშვილი", "reply-to"),
    "request_no_from_sender_header.eml": ("d.kiknadze@caucasus.net", "Davit Kiknadze", "sender"),
    "request_no_from_return_path_only.eml": ("t.shonia@mail.ge", "", "return-path"),
    "request_from_undecodable_local_part.eml": ("a.gogiberidze@example.ge", "", "return-path"),  # 8-bit From
    "request_webform_8bit_headers_ka.eml": ("lasha.gogitidze@yahoo.com", "ლაშა გოგიტიძე", "reply-to"),  # noreply From
}


@pytest.mark.parametrize("name", sorted(RECOVERED))
def test_recovered_sender_is_registered_and_confirmed(make_app, smtp_server, name: str) -> None:  # type: ignore[no-untyped-def]
    address, requester_name, source = RECOVERED[name]
    # The city site's form writes From: noreply@batumi.ge with the citizen in Reply-To: configured as a web form.
    office = OfficeSettings(notify=("foi-officer@batumi.ge",), webform_senders=("noreply@batumi.ge",))
    ctx = make_app(smtp=smtp_settings_for(smtp_server), office=office)
    result = process_one(ctx, (SAMPLES / name).read_bytes(), source="t")
    assert result.kind == "request", result.reasons
    with unit_of_work(ctx.sessions) as session:
        case = session.execute(select(Case)).scalar_one()
        assert (case.requester_address, case.requester_name, case.requester_source) == (address, requester_name, source)
        [registered] = session.execute(select(Event).where(Event.kind == "registered")).scalars()
        assert registered.detail.get("requester_source") == (None if source == "from" else source)
    runner = OutboxRunner(ctx)
    runner.run_once()
    [sent] = smtp_server.wait_for(1)
    assert sent.rcpt_tos == [address]
    runner.close()


def test_no_address_anywhere_is_set_aside_and_doubtful(make_app) -> None:  # type: ignore[no-untyped-def]
    ctx = make_app()
    result = process_one(ctx, (SAMPLES / "no_from.eml").read_bytes(), source="t")
    assert result.kind == "set_aside"
    assert result.reasons == ("no usable sender address: From: (missing)",)
    with unit_of_work(ctx.sessions) as session:
        stored = session.get(StoredMessage, result.message_row_id)
        assert stored is not None and stored.doubtful and stored.set_aside
