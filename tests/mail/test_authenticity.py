"""The authenticity gate over hostile Authentication-Results shapes: only the receiving server's own header counts."""

from __future__ import annotations

import pytest

from foimail.mail.authenticity import check_sender_authenticity

TRUSTED = "mx.batumi.ge"
OFFICER = "lasha@batumi.ge"
PASS = "mx.batumi.ge; dkim=pass (2048-bit key) header.d=batumi.ge header.i=@batumi.ge header.b=AbCd"
FORGED_PASS = "mx.batumi.ge; dkim=pass header.d=batumi.ge; spf=pass smtp.mailfrom=lasha@batumi.ge"

# (headers topmost first, authentic?)
SHAPES = {
    "dkim_pass": ((PASS,), True),
    "spf_pass_mailfrom": (("mx.batumi.ge; spf=pass smtp.mailfrom=lasha@batumi.ge",), True),
    "spf_pass_mailfrom_domain_only": (("mx.batumi.ge; spf=pass smtp.mailfrom=batumi.ge",), True),
    "spf_pass_other_user_same_domain": (("mx.batumi.ge; spf=pass smtp.mailfrom=bounces@batumi.ge",), True),
    "case_and_trailing_dot": (("MX.Batumi.GE; DKIM=Pass header.d=Batumi.GE.",), True),
    "version_and_comment_after_id": (("mx.batumi.ge 1 (Postfix); dkim=pass header.d=batumi.ge",), True),
    "comment_before_id": (("(received by amavis) mx.batumi.ge; dkim=pass header.d=batumi.ge",), True),
    "folded": (("mx.batumi.ge;\r\n\tdkim=pass\r\n header.d=batumi.ge\r\n header.s=sel",), True),
    "filter_hop_above_ours": (("spamfilter.batumi.ge; spf=none", PASS), True),
    "helo_literal_with_dkim_pass": (
        ("mx.batumi.ge; spf=none smtp.helo=[10.0.0.7]; dkim=pass header.d=batumi.ge",),
        True,
    ),
    "other_idna_header_d": (("mx.batumi.ge; dkim=pass header.d=xn--80aaa.ge",), False),
    # Forgeries: the sender's header lies below ours, or ours is made unreadable.
    "ours_fails_forged_pass_below": (("mx.batumi.ge; dkim=fail header.d=batumi.ge; spf=fail", FORGED_PASS), False),
    "ours_none_forged_pass_below": (("mx.batumi.ge; none", FORGED_PASS), False),
    "helo_literal_forged_below": (("mx.batumi.ge; spf=none smtp.helo=[1.2.3.4]; dkim=none", FORGED_PASS), False),
    "null_sender_forged_below": (("mx.batumi.ge; spf=pass smtp.mailfrom=<>; dkim=none", FORGED_PASS), False),
    "non_ascii_domain_forged_below": (
        ("mx.batumi.ge; spf=pass smtp.mailfrom=lasha@ბათუმი.გე; dkim=none", FORGED_PASS),
        False,
    ),
    "non_ascii_local_part_forged_below": (("mx.batumi.ge; spf=pass smtp.mailfrom=ლაშა@evil.ge", FORGED_PASS), False),
    "unreadable_topmost_forged_below": (("; ;; garbage ===", FORGED_PASS), False),
    "empty_topmost_forged_below": (("", FORGED_PASS), False),
    "id_alone_forged_below": (("mx.batumi.ge", FORGED_PASS), False),
    "other_id_pass_above_ours_fail": (("evil.com; dkim=pass header.d=batumi.ge", "mx.batumi.ge; dkim=fail"), False),
    "only_other_ids": (("evil.com; dkim=pass header.d=batumi.ge", "mx.batumi.ge.evil.com; dkim=pass"), False),
    "absent": ((), False),
    "ours_fail_above_ours_pass": (("mx.batumi.ge; dkim=fail header.d=batumi.ge", PASS), False),
    # Lookalikes and other domains.
    "lookalike_suffix_header_d": (("mx.batumi.ge; dkim=pass header.d=batumi.ge.evil.com",), False),
    "lookalike_cyrillic_a_header_d": (("mx.batumi.ge; dkim=pass header.d=bаtumi.ge",), False),
    "lookalike_authserv_id": (("mx.batumi.ge.evil.com; dkim=pass header.d=batumi.ge",), False),
    "lookalike_cyrillic_authserv_id": (("mx.bаtumi.ge; dkim=pass header.d=batumi.ge",), False),
    "other_domain_header_d": (("mx.batumi.ge; dkim=pass header.d=gmail.com",), False),
    "subdomain_header_d": (("mx.batumi.ge; dkim=pass header.d=mail.batumi.ge",), False),
    "parent_domain_header_d": (("mx.batumi.ge; dkim=pass header.d=ge",), False),
    "header_i_only": (("mx.batumi.ge; dkim=pass header.i=@batumi.ge",), False),
    "spf_pass_helo_only": (("mx.batumi.ge; spf=pass smtp.helo=batumi.ge",), False),
    "spf_pass_other_mailfrom": (("mx.batumi.ge; spf=pass smtp.mailfrom=lasha@batumi.ge.evil.com",), False),
    "spf_pass_quoted_local_part": (('mx.batumi.ge; spf=pass smtp.mailfrom="lasha@batumi.ge"@evil.com',), False),
    "injection_in_quoted_mailfrom": (
        ('mx.batumi.ge; spf=fail smtp.mailfrom="x;dkim=pass header.d=batumi.ge"@evil.com',),
        False,
    ),
    "pass_only_in_comment": (("mx.batumi.ge; dkim=fail (dkim=pass header.d=batumi.ge) header.d=batumi.ge",), False),
    "softfail": (("mx.batumi.ge; spf=softfail smtp.mailfrom=lasha@batumi.ge",), False),
    "dmarc_pass_alone": (("mx.batumi.ge; dmarc=pass header.from=batumi.ge",), False),
    "dkim_fail_other_pass": (("mx.batumi.ge; dkim=fail header.d=batumi.ge; dkim=pass header.d=evil.com",), False),
}


# RFC 8601 §2.7.4 `auth`: the login must be the From: address itself (OFFICER is lasha@batumi.ge).
AUTH_SHAPES = {
    "auth_pass_own_login": (("mx.batumi.ge; auth=pass (PLAIN) smtp.auth=lasha@batumi.ge",), True),
    "auth_pass_case": (("mx.batumi.ge; AUTH=Pass smtp.auth=Lasha@Batumi.GE",), True),
    "auth_pass_after_dkim_none": (("mx.batumi.ge; dkim=none; spf=none; auth=pass smtp.auth=lasha@batumi.ge",), True),
    "auth_pass_filter_hop_above": (
        ("spamfilter.batumi.ge; auth=none", "mx.batumi.ge; auth=pass smtp.auth=lasha@batumi.ge"),
        True,
    ),
    "auth_pass_other_officer": (("mx.batumi.ge; auth=pass smtp.auth=nino@batumi.ge",), False),
    "auth_pass_bare_user": (("mx.batumi.ge; auth=pass smtp.auth=lasha",), False),
    "auth_pass_lookalike_domain": (("mx.batumi.ge; auth=pass smtp.auth=lasha@batumi.ge.evil.com",), False),
    "auth_pass_quoted_local_part": (('mx.batumi.ge; auth=pass smtp.auth="lasha@batumi.ge"@evil.com',), False),
    "auth_fail": (("mx.batumi.ge; auth=fail smtp.auth=lasha@batumi.ge",), False),
    "auth_pass_in_comment_only": (("mx.batumi.ge; auth=none (auth=pass smtp.auth=lasha@batumi.ge)",), False),
    "auth_pass_mailfrom_not_auth": (("mx.batumi.ge; auth=pass smtp.mailfrom=lasha@batumi.ge",), False),
    # Forgeries: the sender's auth=pass sits below ours, or carries another id.
    "auth_forged_below_ours": (("mx.batumi.ge; auth=none", "mx.batumi.ge; auth=pass smtp.auth=lasha@batumi.ge"), False),
    "auth_forged_below_unreadable": (("; garbage", "mx.batumi.ge; auth=pass smtp.auth=lasha@batumi.ge"), False),
    "auth_forged_other_id": (("evil.com; auth=pass smtp.auth=lasha@batumi.ge",), False),
    "auth_ours_absent_forged_lookalike_id": (("mx.batumi.ge.evil.com; auth=pass smtp.auth=lasha@batumi.ge",), False),
}

ALL_SHAPES = {**SHAPES, **AUTH_SHAPES}


@pytest.mark.parametrize(("headers", "authentic"), list(ALL_SHAPES.values()), ids=list(ALL_SHAPES))
def test_only_our_own_header_vouches(headers: tuple[str, ...], authentic: bool) -> None:
    verdict = check_sender_authenticity(headers, TRUSTED, OFFICER)
    assert verdict.authentic is authentic, verdict.reason


def test_lookalike_sender_is_judged_for_its_own_domain() -> None:
    verdict = check_sender_authenticity(("mx.batumi.ge; dkim=pass header.d=batumi.ge",), TRUSTED, "lasha@bаtumi.ge")
    assert not verdict.authentic


def test_idna_sender_domain_matches_its_a_label() -> None:
    headers = ("mx.batumi.ge; dkim=pass header.d=xn--lodbteo1c.xn--node",)
    assert check_sender_authenticity(headers, TRUSTED, "lasha@ბათუმი.გე").authentic


REASONS = {
    "unreadable": (("; garbage", FORGED_PASS), "unreadable"),
    "unparseable": (("mx.batumi.ge; spf=pass smtp.mailfrom=ლაშა@evil.ge", FORGED_PASS), "unparseable"),
    "no_pass": (("mx.batumi.ge; dkim=fail",), "no dkim=pass or spf=pass for batumi.ge"),
    "absent": ((), "no Authentication-Results from mx.batumi.ge"),
    "ours_twice": (("mx.batumi.ge; dmarc=pass header.from=batumi.ge", PASS), "a lower Authentication-Results"),
}


@pytest.mark.parametrize(("headers", "reason"), list(REASONS.values()), ids=list(REASONS))
def test_the_reason_says_what_was_seen(headers: tuple[str, ...], reason: str) -> None:
    verdict = check_sender_authenticity(headers, TRUSTED, OFFICER)
    assert not verdict.authentic and reason in verdict.reason


def test_auth_pass_reason_names_the_address() -> None:
    verdict = check_sender_authenticity(("mx.batumi.ge; auth=pass smtp.auth=lasha@batumi.ge",), TRUSTED, OFFICER)
    assert verdict.reason == "mx.batumi.ge: auth=pass for lasha@batumi.ge"
    failed = check_sender_authenticity(("mx.batumi.ge; auth=pass smtp.auth=nino@batumi.ge",), TRUSTED, OFFICER)
    assert "nor auth=pass for lasha@batumi.ge" in failed.reason
