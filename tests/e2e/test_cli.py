"""The CLI as an admin uses it: db upgrade, check, ingest, cases, messages, register, deadline, demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# Messages ingested now are numbered in the current Tbilisi year (GAC Art. 79(1): registered when received).
YEAR = datetime.now(ZoneInfo("Asia/Tbilisi")).year


def foimail(*args: str, config: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOIMAIL_")}
    if config is not None:
        env["FOIMAIL_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "foimail.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_check_against_real_servers(database_url, mailbox, smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "foimail.toml"
    config.write_text(
        f'[database]\nurl = "{database_url}"\n'
        f'[imap]\nhost = "{mailbox.host}"\nport = {mailbox.port}\nsecurity = "starttls"\nverify_certificate = false\n'
        f'username = "foi@batumi.ge"\npassword = "{mailbox.users["foi@batumi.ge"]}"\n'
        f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "none"\n'
        '[office]\ntrusted_authserv_id = "mx.batumi.ge"\n',
        encoding="utf-8",
    )
    before = foimail("check", config=config)
    assert before.returncode == 1 and "foimail db upgrade" in before.stdout
    assert foimail("db", "upgrade", config=config).returncode == 0
    after = foimail("check", config=config)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "ok   imap: logged in as foi@batumi.ge" in after.stdout and "IDLE" in after.stdout
    assert "ok   smtp" in after.stdout and "ok   database" in after.stdout


def test_check_names_what_failed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "foimail.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/x.db"\n[imap]\nhost = "127.0.0.1"\nport = 1\nsecurity = "none"\n'
        'username = "foi@batumi.ge"\n[smtp]\nhost = "127.0.0.1"\nport = 1\nsecurity = "none"\n',
        encoding="utf-8",
    )
    result = foimail("check", config=config)
    assert result.returncode == 1
    assert "FAIL imap" in result.stdout and "FAIL smtp" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_ingest_list_show_promote(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "foimail.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/x.db"\n[smtp]\npickup_dir = "{tmp_path}/sent"\n',
        encoding="utf-8",
    )
    assert foimail("db", "upgrade", config=config).returncode == 0
    ingested = foimail(
        "ingest", str(SAMPLES / "request_gmail_ka.eml"), str(SAMPLES / "autoreply_ru.eml"), config=config
    )
    assert ingested.returncode == 0, ingested.stderr
    assert f"request FOI-{YEAR}-00001" in ingested.stdout and "set_aside" in ingested.stdout
    cases = json.loads(foimail("cases", "list", "--format", "json", config=config).stdout)
    assert [c["number"] for c in cases] == [f"FOI-{YEAR}-00001"]
    for key in (
        "number",
        "status",
        "outcome",
        "requester",
        "subject",
        "received_at",
        "confirmed_at",
        "due_date",
        "answered_at",
    ):
        assert key in cases[0]
    assert cases[0]["confirmed_at"].endswith("+00:00") and cases[0]["due_date"]
    assert len(list((tmp_path / "sent").glob("*.eml"))) == 1
    shown = json.loads(foimail("cases", "show", f"foi-{YEAR}-1", "--format", "json", config=config).stdout)
    assert shown["number"] == f"FOI-{YEAR}-00001" and [e["kind"] for e in shown["events"]][:2] == [
        "registered",
        "confirmed",
    ]
    csv_text = foimail("cases", "list", "--format", "csv", config=config).stdout
    assert csv_text.startswith("\ufeffnumber,")
    aside = json.loads(foimail("messages", "list", "--unregistered", "--format", "json", config=config).stdout)
    assert len(aside) == 1 and aside[0]["kind"] == "auto_reply" and "Auto-Submitted" in aside[0]["reasons"]
    promoted = foimail("register", str(aside[0]["id"]), config=config)
    assert promoted.returncode == 0 and f"FOI-{YEAR}-00002" in promoted.stdout
    assert json.loads(foimail("messages", "list", "--unregistered", "--format", "json", config=config).stdout) == []
    missing = foimail("cases", "show", f"FOI-{YEAR}-00099", config=config)
    assert missing.returncode == 1 and missing.stderr.strip() == f"foimail: no case FOI-{YEAR}-00099"


def test_deadline_command_prints_date_then_why(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = foimail("deadline", "2026-11-20T17:30", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2026-12-03"
    assert any("start day:    2026-11-24" in line for line in lines)
    assert any("2026-11-23" in line and "Saint George" in line for line in lines)
    utc = foimail("deadline", "2026-11-20T21:00+00:00", cwd=tmp_path)  # = Sat 01:00 Tbilisi
    assert utc.stdout.splitlines()[0] == "2026-12-03"
    bad = foimail("deadline", "next tuesday", cwd=tmp_path)
    assert bad.returncode == 1 and "not an ISO date-time" in bad.stderr


def test_demo_runs_the_real_path_locally(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = foimail("demo", "--dir", str(tmp_path / "demo"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"FOI-{YEAR}-00003" in result.stdout and "auto_reply" in result.stdout
    assert len(list((tmp_path / "demo" / "sent").glob("*.eml"))) == 3
    listed = foimail("--config", str(tmp_path / "demo" / "foimail.toml"), "cases", "list", cwd=tmp_path)
    assert listed.returncode == 0 and f"FOI-{YEAR}-00001" in listed.stdout


def test_publication_due_lists_the_annex_items_and_the_acts_recorded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "foimail.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/x.db"\n', encoding="utf-8")
    assert foimail("db", "upgrade", config=config).returncode == 0
    in_force = date.today() - timedelta(days=2)
    title = "ბათუმის მერის 2026 წლის ბრძანება №12"
    recorded = foimail("publication", "record", "6.1", "--in-force", in_force.isoformat(), title, config=config)
    assert recorded.returncode == 0, recorded.stderr
    due = (in_force + timedelta(days=10)).isoformat()
    assert f"publish by {due}" in recorded.stdout

    result = foimail("publication", "due", "--within", "400d", config=config)
    assert result.returncode == 0, result.stderr
    assert " 2.4 " in result.stdout and " 2.3 " in result.stdout
    assert f"{due}  6.1  " in result.stdout and f"აქტი: {title} (ძალაში შევიდა {in_force})" in result.stdout

    periodic = foimail("publication", "record", "2.4", "--in-force", in_force.isoformat(), title, config=config)
    assert periodic.returncode == 1 and "published by period (quarterly)" in periodic.stderr
    bad = foimail("publication", "due", "--within", "soon", config=config)
    assert bad.returncode == 1 and bad.stderr.startswith("foimail: ")
    bad_day = foimail("publication", "record", "6.1", "--in-force", "1 December", title, config=config)
    assert bad_day.returncode == 1 and "not a date" in bad_day.stderr


def test_deadline_recompute_moves_due_dates_and_stores_statistics_values(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "foimail.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/x.db"\n', encoding="utf-8")
    assert foimail("db", "upgrade", config=config).returncode == 0
    result = foimail("deadline", "--recompute", config=config)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["0 due date(s) moved", "0 case(s) given new statistics values"]


def test_stats_quarterly_and_annual_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "foimail.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/x.db"\n', encoding="utf-8")
    assert foimail("db", "upgrade", config=config).returncode == 0
    assert foimail("ingest", str(SAMPLES / "request_gmail_ka.eml"), config=config).returncode == 0
    quarter = (datetime.now(ZoneInfo("Asia/Tbilisi")).month - 1) // 3 + 1
    out = tmp_path / "q.csv"
    result = foimail(
        "stats", "quarterly", "--quarter", f"{YEAR}Q{quarter}", "--output", str(out), "--lang", "ka", config=config
    )
    assert result.returncode == 0, result.stderr
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("\ufeff") and rows[1].startswith("period_start,period_end,received,")
    values = dict(zip(rows[1].split(","), rows[2].split(","), strict=True))
    assert values["received"] == "1" and values["pending"] == "1"
    annual = foimail("stats", "annual", "--year", str(YEAR), "--format", "json", config=config)
    today = datetime.now(ZoneInfo("Asia/Tbilisi")).date()
    in_art49_period = (today.month, today.day) <= (12, 10)  # GAC Art. 49: 1 January to 10 December
    assert annual.returncode == 0 and json.loads(annual.stdout)["totals"]["received"] == int(in_art49_period)
    bad = foimail("stats", "quarterly", "--quarter", "Q9", config=config)
    assert bad.returncode == 1 and "not a quarter" in bad.stderr


def test_run_without_a_mail_source_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "foimail.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/x.db"\n', encoding="utf-8")
    result = foimail("run", config=config)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"foimail: config error: imap.host in {config}: no mail source: set imap.host (or maildir.path)"
    )


def test_a_database_without_schema_says_what_to_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "foimail.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/fresh.db"\n', encoding="utf-8")
    result = foimail("cases", "list", config=config)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "foimail: the database has no foimail schema (no such table: cases): run `foimail db upgrade`"
    )


def test_run_refuses_unauthenticated_officers_and_check_warns_when_allowed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = f'[database]\nurl = "sqlite:///{tmp_path}/x.db"\n[maildir]\npath = "{tmp_path}/Maildir"\n'
    config = tmp_path / "foimail.toml"
    config.write_text(base + '[office]\nofficers = ["*@batumi.ge"]\n', encoding="utf-8")
    refused = foimail("run", config=config)
    assert refused.returncode != 0 and refused.stdout == ""
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("foimail: config error: office.trusted_authserv_id in ") and "Authentication-Results" in line
    assert "allow_unauthenticated_officers = true" in line
    assert "FAIL officers: office.trusted_authserv_id is empty" in foimail("check", config=config).stdout

    config.write_text(base + "[office]\nallow_unauthenticated_officers = true\n", encoding="utf-8")
    checked = foimail("check", config=config)
    assert "ok   officers: WARNING: office.allow_unauthenticated_officers = true" in checked.stdout

    received = '[office]\ntrusted_received_by = "mail.batumi.ge"\ntrusted_received_hops = 1\n'
    config.write_text(base + received, encoding="utf-8")
    checked = foimail("check", config=config)
    assert (
        "ok   officers: authenticated by Postfix's (Authenticated sender: …) in Received header 1 from the top,"
        " by mail.batumi.ge"
    ) in checked.stdout
    config.write_text(base + '[office]\ntrusted_authserv_id = "mx.batumi.ge"\n' + received[9:], encoding="utf-8")
    checked = foimail("check", config=config)
    assert "ok   officers: authenticated by Authentication-Results from mx.batumi.ge (dkim, spf or auth=pass)" in (
        checked.stdout
    )
    assert " or Postfix's (Authenticated sender: …)" in checked.stdout
