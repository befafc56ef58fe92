"""Machine mail without machine headers, and people's letters that look like it: parsed and classified.

One row per sample in tests/samples/machine/: the kind it must get and the evidence that must be quoted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from foimail.core.classify import ClassifyRules, MessageKind, classify
from foimail.core.machine_rules import reads_failed_recipients
from foimail.mail.bounces import failed_recipients
from foimail.mail.parse import parse_message

SAMPLES = Path(__file__).parents[1] / "samples" / "machine"
TOP_SAMPLES = Path(__file__).parents[1] / "samples"
RULES = ClassifyRules(office_address="foi@batumi.ge")
CASE = "FOI-2026-00042"
REQUEST = "no other rule matched: a new request"

# sample -> (kind, reasons that must be among the verdict's, case number)
CASES: dict[str, tuple[MessageKind, tuple[str, ...], str | None]] = {
    # --- out-of-office replies that carry no Auto-Submitted / Precedence ----------------------------------------
    "autoreply_outlook_de_no_auto_submitted.eml": (
        MessageKind.AUTO_REPLY,
        ("Subject: Abwesenheitsnotiz: [FOI-2026-00042] თქვენი მოთხოვნა", "text opens with: nicht im Büro"),
        CASE,
    ),
    "autoreply_exchange2003_fr_absence_du_bureau.eml": (
        MessageKind.AUTO_REPLY,
        ("Subject: Absence du bureau : [FOI-2026-00042]", "text opens with: Je suis absente"),
        CASE,
    ),
    "autoreply_turkish_otomatik_yanit.eml": (
        MessageKind.AUTO_REPLY,
        ("Subject: Otomatik yanıt: [FOI-2026-00042]", "text opens with: izindeyim"),
        CASE,
    ),
    "autoreply_outlook_ja_iso2022jp.eml": (
        MessageKind.AUTO_REPLY,
        ("Subject: 自動応答: [FOI-2026-00042]", "text opens with: 不在にしております"),
        CASE,
    ),
    "autoreply_yandex_ru_body_only.eml": (MessageKind.AUTO_REPLY, ("text opens with: Я в отпуске",), CASE),
    "autoreply_ka_body_only.eml": (MessageKind.AUTO_REPLY, ("text opens with: შვებულებაში ვარ",), CASE),
    "autoreply_latvian_exchange_no_headers.eml": (
        MessageKind.AUTO_REPLY,
        ("Subject: Arpus biroja atrasanas automatiska atbilde: [FOI-2026-00042]", "text opens with: esmu atvaļinājumā"),
        CASE,
    ),
    "autoreply_exchange_online_generated_source_stripped.eml": (
        MessageKind.AUTO_REPLY,
        ("X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent",),
        CASE,
    ),
    # --- bounces that are no RFC 3464 report --------------------------------------------------------------------
    "bounce_exchange_legacy_microsoftexchange_sender.eml": (
        MessageKind.BOUNCE,
        ("Subject: Undeliverable: [FOI-2026-00042] თქვენი მოთხოვნა",),
        CASE,
    ),
    "bounce_lotus_domino_delivery_failure.eml": (
        MessageKind.BOUNCE,
        ("From: postmaster@port-example.ge", "Subject: DELIVERY FAILURE: User nino"),
        CASE,
    ),
    "bounce_ezweb_mail_system_error.eml": (
        MessageKind.BOUNCE,
        ("From: postmaster@ezweb.ne.jp", "Subject: Mail System Error - Returned Mail"),
        CASE,
    ),
    "bounce_japanese_carrier_post_master.eml": (
        MessageKind.BOUNCE,
        ("From: post_master@docomo-example.ne.jp", "Subject: メール不達のお知らせ"),
        CASE,
    ),
    "bounce_qmail_relayed_noreply_sender.eml": (
        MessageKind.BOUNCE,
        ("bounce detectors name failed recipients: g.abuladze@hostge.net",),
        CASE,
    ),
    "bounce_ses_sns_notification.eml": (MessageKind.BOUNCE, ("Amazon SES notification: Bounce",), None),
    "abuse_arf_without_report_type.eml": (MessageKind.BOUNCE, ("Content-Type: message/feedback-report part",), CASE),
    "abuse_jmrp_plain_text.eml": (MessageKind.BOUNCE, ("abuse report: This is an email abuse report",), CASE),
    "list_rejection_mailman_non_member.eml": (
        MessageKind.BOUNCE,
        ("mailing list: Your message to Info awaits moderator approval",),
        CASE,
    ),
    "list_rejection_listserv_not_authorized.eml": (
        MessageKind.BOUNCE,
        ("mailing list: You are not authorized to send",),
        None,
    ),
    # --- found by the corpus run (docs/CORPUS.md): gateways' plain-text bounces from ordinary addresses ------------
    "bounce_gateway_symantec_delivery_failure_notification.eml": (
        MessageKind.BOUNCE,
        (
            "Subject: Delivery failure notification",
            "bounce detectors name failed recipients: nino.beridze@portexample.ge",
        ),
        CASE,
    ),
    "bounce_gateway_appended_delivery_failed.eml": (
        MessageKind.BOUNCE,
        ("Subject: RE: [FOI-2026-00042] თქვენი მოთხოვნა : non remis (delivery failed)",),
        CASE,
    ),
    "bounce_e500_returned_mail_text.eml": (
        MessageKind.BOUNCE,
        ("Subject: Returned Mail - Error During Delivery", "bounce detectors name failed recipients: l.abashidze@"),
        CASE,
    ),
    "bounce_exchange_escaped_postmaster_sender.eml": (
        MessageKind.BOUNCE,
        ("Subject: Mail Delivery Warning", "bounce detectors name failed recipients: reception@hotelexample.ge"),
        CASE,
    ),
    # --- second corpus round (docs/CORPUS.md): absence wording of each client family, each language ----------------
    "autoreply_isp_hy_body_only.eml": (MessageKind.AUTO_REPLY, ("text opens with: արձակուրդում եմ",), CASE),
    "autoreply_gmail_vacation_az.eml": (
        MessageKind.AUTO_REPLY,
        ("Auto-Submitted: auto-replied", "text opens with: məzuniyyətdəyəm"),
        CASE,
    ),
    "autoreply_sieve_vacation_uk.eml": (
        MessageKind.AUTO_REPLY,
        ("Auto-Submitted: auto-replied (vacation)", "text opens with: я перебуваю у відпустці"),
        CASE,
    ),
    "autoreply_zimbra_tr.eml": (
        MessageKind.AUTO_REPLY,
        ("Auto-Submitted: auto-replied (zimbra; vacation)", "text opens with: tatildeyim"),
        CASE,
    ),
    "autoreply_mailru_ru_body_only.eml": (
        MessageKind.AUTO_REPLY,
        ("text opens with: я нахожусь в командировке",),
        CASE,
    ),
    "autoreply_exchange_en_relay_no_headers.eml": (
        MessageKind.AUTO_REPLY,
        ("text opens with: I will be away until",),
        CASE,
    ),
    "autoreply_webmail_et_body_only.eml": (
        MessageKind.AUTO_REPLY,
        ("text opens with: Olen 20. veebruarini puhkusel",),
        CASE,
    ),
    "autoreply_outlook_ka_business_trip_no_headers.eml": (
        MessageKind.AUTO_REPLY,
        ("text opens with: მივლინებაში ვიმყოფები",),
        CASE,
    ),
    # --- people: registered ----------------------------------------------------------------------------------------
    "request_forwarded_bounce_gmail_fwd.eml": (MessageKind.REQUEST, (REQUEST,), None),
    "request_forwarded_bounce_outlook_fw_attachment.eml": (MessageKind.REQUEST, (REQUEST,), None),
    "request_mentions_out_of_office.eml": (MessageKind.REQUEST, (REQUEST,), None),
    "request_exchange_redirected_by_inbox_rule.eml": (MessageKind.REQUEST, (REQUEST,), None),
    "request_subject_about_undelivered_mail.eml": (MessageKind.REQUEST, (REQUEST,), None),
    "request_subject_delivery_failed_prose.eml": (MessageKind.REQUEST, (REQUEST,), None),
    "request_mentions_vacation_ka.eml": (MessageKind.REQUEST, (REQUEST,), None),
    "request_mentions_away_ru_yandex.eml": (MessageKind.REQUEST, (REQUEST,), None),
    # follow-ups that say "I am away" above the quoted confirmation: a person's, kept on the case
    "tagged_followup_away_gmail_quotes_confirmation.eml": (MessageKind.TAGGED, ("Subject names " + CASE,), CASE),
    "tagged_followup_outlook_ru_quotes_confirmation.eml": (MessageKind.TAGGED, ("Subject names " + CASE,), CASE),
}
# "<Postmaster\\@hotelexample.ge@mx10…>" holds no address we may answer (answering "hotelexample.ge@mx10…"
# would write to a stranger): the message has no sender, and says why.
NO_SENDER = {"bounce_exchange_escaped_postmaster_sender.eml": "holds no address"}


def test_every_sample_has_a_row() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.eml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_is_classified(name: str) -> None:
    kind, reasons, case_number = CASES[name]
    message = parse_message((SAMPLES / name).read_bytes())
    verdict = classify(message, RULES)
    assert verdict.kind is kind, verdict.reasons
    for reason in reasons:
        assert any(found.startswith(reason) for found in verdict.reasons), verdict.reasons
    assert verdict.case_number == case_number
    if name in NO_SENDER:
        assert message.sender is None
        assert [defect for defect in message.defects if NO_SENDER[name] in defect], message.defects
    else:
        assert message.defects == ()
        assert message.sender is not None


@pytest.mark.parametrize("path", sorted([*SAMPLES.glob("*.eml"), *TOP_SAMPLES.glob("*.eml")]), ids=lambda p: p.name)
def test_intake_runs_the_bounce_detectors_whenever_their_finding_could_count(path: Path) -> None:
    raw = path.read_bytes()
    gated = parse_message(raw, scan_bounce=lambda message: reads_failed_recipients(message, RULES))
    assert classify(gated, RULES) == classify(parse_message(raw), RULES)


BOUNCE_DETECTORS = {
    "bounce_qmail.eml": ("d.kiknadze@caucasus.net",),
    "bounce_exim_plain.eml": ("info@old-company.ge",),
    "bounce_postfix_dsn.eml": ("nino.beridze@example.ge",),
    "bounce_postfix_delayed_headers.eml": ("archive@adjara.gov.ge",),  # a delay warning counts too
    "bounce_exchange_ndr.eml": ("archive@mof.gov.ge",),
    "request_gmail_ka.eml": (),
    "request_thunderbird_forward_rfc822.eml": (),
    "no_from.eml": (),  # two of the detectors index the From addresses: not run without one
    "request_webform_8bit_headers_ka.eml": (),  # raw 8-bit headers: read as text, not Header objects
}


@pytest.mark.parametrize("name", sorted(BOUNCE_DETECTORS))
def test_failed_recipients(name: str) -> None:
    assert failed_recipients((TOP_SAMPLES / name).read_bytes()) == BOUNCE_DETECTORS[name]


def test_failed_recipients_never_raises_and_reads_only_the_head() -> None:
    assert failed_recipients(b"") == ()
    assert failed_recipients(b"From: <>\r\n\r\n" + b"\xff" * 100) == ()
    qmail = (TOP_SAMPLES / "bounce_qmail.eml").read_bytes()
    returned_attachment = b"\n" + b"QUJD" * (1 << 18) + b"\n"  # a 1 MiB returned message after the report
    assert failed_recipients(qmail + returned_attachment) == ("d.kiknadze@caucasus.net",)
    assert failed_recipients(b"From: x@y.ge\n\n" + b"x" * (1 << 20) + b"\n" + qmail) == ()  # past the head
