"""Feed a directory of real-world mail samples through foimail's classification path; one line per sample.

    .venv/bin/python tools/corpus.py DIR [DIR ...]          # every sample, then a table of verdicts per source
    .venv/bin/python tools/corpus.py DIR --bodies BODYDIR   # BODYDIR's files are reply bodies, headers or not
    .venv/bin/python tools/corpus.py --summary-only DIR     # the table alone (docs/CORPUS.md's before/after)

What is read (docs/CORPUS.md says where the samples come from):
- a mail message (a file whose first line is a header field or an mbox "From " line): parsed, classified,
  and, when it would be registered and is a reply, cut as if an officer had sent it (`mail.answer`);
- an HTML or plain-text reply body (`.html`, and every file under a `--bodies` directory: talon's and
  quotequail's inline fixtures, some of which open with a quoted "From:" line): wrapped in an officer's reply
  to a case and cut the same way.

Each line: path, verdict (kind, "?" when doubtful, first reason), sender found (and from where), then for
bounces the failed recipients, for replies what would be relayed or why nothing would be. A sample that makes
foimail raise prints EXCEPTION: that is a finding, never a crash of this script. The source of a sample (its
first directory under DIR) heads the summary table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from foimail.core.classify import ClassifyRules, MessageKind, Verdict, classify  # noqa: E402
from foimail.core.machine_rules import reads_failed_recipients  # noqa: E402
from foimail.core.message import InboundMessage  # noqa: E402
from foimail.mail.answer import officer_answer  # noqa: E402
from foimail.mail.bounces import failed_recipients  # noqa: E402
from foimail.mail.parse import parse_message  # noqa: E402

OFFICE = "foi@batumi.ge"
RULES = ClassifyRules(office_address=OFFICE)
NUMBER_FORMAT = RULES.numbering_format
CASE = "FOI-2026-00042"
_HEADER_LINE = re.compile(rb"^(?:From |[A-Za-z][A-Za-z0-9-]*:)")
_NOT_MAIL = {".py", ".pyc", ".json", ".cfg", ".toml", ".png", ".jpg", ".gif", ".js", ".ts", ".md", ".rst", ".in"}
_REGISTERED = (MessageKind.REQUEST, MessageKind.TAGGED)
_SHOWN = 160  # characters of relayed text shown on a line


def samples(root: Path, bodies: bool) -> Iterator[tuple[Path, str]]:
    """(path, how to read it): "mail", "html" or "text"; files of other kinds are skipped."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix.lower() in _NOT_MAIL or "egg-info" in str(path) or path.name.startswith("."):
            continue
        head = path.read_bytes()[:2048].lstrip()
        if b"\0" in head and not _HEADER_LINE.match(head):  # an Outlook .msg, an image: no mail a mailbox holds
            continue
        if path.suffix.lower() in (".html", ".htm"):
            yield path, "html"
        elif bodies:
            yield path, "text"
        elif _HEADER_LINE.match(head):
            yield path, "mail"


def officer_reply(body: bytes, kind: str) -> bytes:
    """A reply from an officer to the FOI address on a case, with `body` as its only (text or HTML) part."""
    reply = EmailMessage()
    reply["From"] = "Officer <officer@batumi.ge>"
    reply["To"] = OFFICE
    reply["Subject"] = f"Re: [{CASE}] request"
    reply["Message-ID"] = "<corpus-reply@batumi.ge>"
    reply.set_content(body.decode("utf-8", "replace"), subtype="html" if kind == "html" else "plain")
    return reply.as_bytes()


def is_reply(message: InboundMessage) -> bool:
    return bool(message.in_reply_to or message.references) or message.subject.lower().startswith(("re:", "aw:"))


@dataclass(frozen=True)
class Outcome:
    """What foimail made of one sample: the table's label, the printed line, and what an expectation checks."""

    label: str
    line: str
    kind: str
    relayed: str | None = None  # None: no reply, or the fail-safe stopped it


def describe(raw: bytes, kind: str) -> Outcome:
    """Parse, classify and, for a reply that would be registered, cut it as an officer's answer."""
    if kind != "mail":
        raw = officer_reply(raw, kind)
    message = parse_message(raw, scan_bounce=lambda parsed: reads_failed_recipients(parsed, RULES))
    verdict = classify(message, RULES)
    label = str(verdict.kind) + ("?" if verdict.doubtful else "")
    sender = f"{message.sender.address} ({message.sender_source})" if message.sender else "-"
    parts = [f"{label}: {_first(verdict)}", f"sender={sender}"]
    relayed = None
    if verdict.kind is MessageKind.BOUNCE:
        parts.append("failed=" + (",".join(message.failed_recipients or failed_recipients(raw)) or "-"))
    elif verdict.kind in _REGISTERED and (kind != "mail" or is_reply(message)):
        answer = officer_answer(message, NUMBER_FORMAT)
        shown = answer.text.strip().replace("\n", " / ")[:_SHOWN]
        parts.append(f"UNSAFE ({answer.unsafe}): {shown!r}" if answer.unsafe else f"relay={shown!r}")
        label += " (unsafe)" if answer.unsafe else " (relayed)"
        relayed = None if answer.unsafe else answer.text
    return Outcome(label, "\t".join(parts), str(verdict.kind), relayed)


def check(outcome: Outcome, expected: dict[str, str]) -> str:
    """ "ok", or what is wrong against the fixture's own expectation (`tools/corpus_fixtures.py`).

    A relayed reply is wrong when it holds a line the expected reply does not ("extra": history may reach
    the requester) or lacks one ("missing": the answer was cut short); a reply the fail-safe stopped is
    "stopped", which is safe (the officer is told) but costs the officer a resend.
    """
    if "kind" in expected and outcome.kind != expected["kind"]:
        return f"WRONG kind (expected {expected['kind']})"
    if "not_kind" in expected and outcome.kind == expected["not_kind"]:
        return f"WRONG kind (expected no {expected['not_kind']})"
    if "relay" not in expected:
        return "ok"
    if outcome.relayed is None:
        return "stopped"
    got, want = _lines(outcome.relayed), _lines(expected["relay"])
    extra = [line for line in got if line not in want]
    missing = [line for line in want if line not in got]
    if extra:
        return f"WRONG extra {extra[:3]}"
    return f"missing {missing[:2]}" if missing else "ok"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def _first(verdict: Verdict) -> str:
    return verdict.reasons[0][:100] if verdict.reasons else ""


def _expectations(root: Path, source: str) -> dict[str, dict[str, str]]:
    path = root / f"{source}.expected.json"
    found: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.is_file() else {}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--bodies", nargs="+", type=Path, default=[], help="directories of reply bodies")
    parser.add_argument("--summary-only", action="store_true")
    args = parser.parse_args(argv)
    table: dict[str, Counter[str]] = defaultdict(Counter)
    checks: dict[str, Counter[str]] = defaultdict(Counter)
    for root, bodies in [*((d, False) for d in args.dirs), *((d, True) for d in args.bodies)]:
        for path, kind in samples(root, bodies):
            relative = path.relative_to(root)
            source = relative.parts[0] if len(relative.parts) > 1 else root.name
            try:
                outcome = describe(path.read_bytes(), kind)
            except Exception as exc:  # a finding, not the end of the run
                where = traceback.extract_tb(exc.__traceback__)[-1]
                outcome = Outcome("EXCEPTION", f"EXCEPTION {type(exc).__name__}: {exc} at {where}", "EXCEPTION")
            table[source][outcome.label] += 1
            expected = _expectations(root, source).get(path.name)
            line = outcome.line
            if expected is not None:
                verdict = check(outcome, expected)
                checks[source][verdict.split(" ")[0] + (" kind" if "kind" in verdict else "")] += 1
                line += f"\texpect: {verdict}"
            if not args.summary_only:
                print(f"{relative}\t{kind}\t{line}")
    _print_table("verdicts", table)
    _print_table("against the fixtures' own expectations", checks)
    return 0


def _print_table(title: str, table: dict[str, Counter[str]]) -> None:
    labels = sorted({label for counts in table.values() for label in counts})
    print(f"\n{title}\n\n| source | samples | " + " | ".join(labels) + " |")
    print("|---|---:|" + "---:|" * len(labels))
    for source, counts in sorted(table.items()):
        cells = " | ".join(str(counts.get(label, "")) for label in labels)
        print(f"| {source} | {sum(counts.values())} | {cells} |")


if __name__ == "__main__":
    raise SystemExit(main())
