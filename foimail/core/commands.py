"""Officers' command lines: ``#refused personal GAC Art. 27¹`` at the top of a reply.

Commands come first: leading blank lines, then lines starting with ``#`` (or full-width ``＃``) followed by a
command word, blank lines between them allowed. The first other non-blank line ends them; a ``#`` line after
it is body. A ``#`` not followed by a letter (``#1 item``, ``# heading``, ``##``) is body too.

Decisions:

- A command is one line. ``#note`` does not continue onto the next lines: a continuation would have to guess
  where the note ends and the answer to the requester starts, and a wrong guess either swallows the answer or
  sends an internal remark to the requester. Several ``#note`` lines make a longer note; with ``#note`` and no
  outcome command nothing goes to the requester, so the pipeline may keep the body as the note.
- Outcome commands (`OUTCOME_KINDS`) exclude each other; ``#assign`` may appear once; ``#note`` any number of
  times. A message with errors should not change its case: the pipeline tells the officer instead.
- ``#toforward [body]`` marks a request the office does not hold: it must be forwarded within 5 days of
  registration (GAC Art. 80(1)), so the case shows that date and is overdue after it. It is a mark, not an
  outcome: ``#forwarded <body>`` records the forwarding itself.
- Refusal grounds are the statistics' categories (GAC Arts. 27¹–27⁴, 28; GAC Art. 49(e) wants the act relied
  on, which is the rest of the line and may be empty).
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from foimail.core.classify import is_usable_address

__all__ = [
    "COMMAND_ALIASES",
    "COMMAND_USAGE",
    "GROUND_ALIASES",
    "GROUND_WORDS",
    "OUTCOME_KINDS",
    "Command",
    "CommandKind",
    "CommandUsage",
    "ParsedCommands",
    "RefusalGround",
    "parse_commands",
]


class CommandKind(StrEnum):
    """What an officer's command does to a case."""

    PARTIAL = "partial"  # released in part; the rest refused on a ground
    REFUSED = "refused"  # GAC Art. 41
    FORWARDED = "forwarded"  # GAC Art. 80(1)
    NOTHELD = "notheld"  # not held here, no competent body: returned, GAC Art. 80(4)
    NOTE = "note"  # internal; nothing goes to the requester
    ASSIGN = "assign"  # the officer now responsible
    WITHDRAWN = "withdrawn"  # the requester withdrew the request
    CONSULTED = "consulted"  # the unit or body consulted, named in a refusal (GAC Art. 41)
    TO_FORWARD = "toforward"  # held by another body: to be forwarded within 5 days (GAC Art. 80(1))


class RefusalGround(StrEnum):
    """Refusal grounds as the statistics count them (GAC Arts. 27¹–27⁴, 28; res. No. 3 annex 2.4)."""

    PERSONAL_DATA = "personal_data"
    COMMERCIAL_SECRET = "commercial_secret"
    STATE_SECRET = "state_secret"
    PROFESSIONAL_SECRET = "professional_secret"
    OTHER = "other"


@dataclass(frozen=True)
class Command:
    """One command line: `argument` is the rest of the line (for #assign, the address, lower-cased)."""

    kind: CommandKind
    argument: str = ""
    ground: RefusalGround | None = None
    act: str = ""  # the legislative act relied on, for GAC Art. 49(e)


@dataclass(frozen=True)
class ParsedCommands:
    """The commands in order, the body without them, and what could not be understood."""

    commands: tuple[Command, ...]
    body: str
    errors: tuple[str, ...]


# Command words, English and Georgian; matched after NFKC and casefold, "_" and "-" alike.
COMMAND_ALIASES: dict[str, CommandKind] = {
    "partial": CommandKind.PARTIAL,
    "ნაწილობრივ": CommandKind.PARTIAL,
    "refused": CommandKind.REFUSED,
    "უარი": CommandKind.REFUSED,
    "forwarded": CommandKind.FORWARDED,
    "გადაგზავნილი": CommandKind.FORWARDED,
    "notheld": CommandKind.NOTHELD,
    "not-held": CommandKind.NOTHELD,
    "არ-გვაქვს": CommandKind.NOTHELD,
    "note": CommandKind.NOTE,
    "შენიშვნა": CommandKind.NOTE,
    "assign": CommandKind.ASSIGN,
    "დანიშვნა": CommandKind.ASSIGN,
    "withdrawn": CommandKind.WITHDRAWN,
    "გამოთხოვილი": CommandKind.WITHDRAWN,
    "consulted": CommandKind.CONSULTED,
    "unit": CommandKind.CONSULTED,
    "კონსულტაცია": CommandKind.CONSULTED,
    "toforward": CommandKind.TO_FORWARD,
    "to-forward": CommandKind.TO_FORWARD,
    "forward": CommandKind.TO_FORWARD,
    "გადასაგზავნი": CommandKind.TO_FORWARD,
}

OUTCOME_KINDS = frozenset(
    {
        CommandKind.PARTIAL,
        CommandKind.REFUSED,
        CommandKind.FORWARDED,
        CommandKind.NOTHELD,
        CommandKind.WITHDRAWN,
    }
)

# A ground is one word, optionally followed by its noun ("personal data", "სახელმწიფო საიდუმლოება"),
# written apart or joined by "-" or "_".
_SECRET_WORDS = ("secret", "საიდუმლოება", "საიდუმლო")
_GROUND_WORDS: tuple[tuple[RefusalGround, tuple[str, ...], tuple[str, ...]], ...] = (
    (RefusalGround.PERSONAL_DATA, ("personal", "პერსონალური"), ("data", "მონაცემები", "მონაცემი")),
    (RefusalGround.COMMERCIAL_SECRET, ("commercial", "კომერციული"), _SECRET_WORDS),
    (RefusalGround.STATE_SECRET, ("state", "სახელმწიფო"), _SECRET_WORDS),
    (RefusalGround.PROFESSIONAL_SECRET, ("professional", "პროფესიული"), _SECRET_WORDS),
    (RefusalGround.OTHER, ("other", "სხვა"), ()),
)
GROUND_ALIASES: dict[str, RefusalGround] = {
    word: ground
    for ground, firsts, seconds in _GROUND_WORDS
    for first in firsts
    for word in (first, *(f"{first}-{second}" for second in seconds))
}
_GROUND_SECONDS = {ground: seconds for ground, _, seconds in _GROUND_WORDS}
# The one-word grounds by language, as the help in officers' error letters lists them.
GROUND_WORDS: dict[str, tuple[str, ...]] = {
    "en": tuple(firsts[0] for _, firsts, _ in _GROUND_WORDS),
    "ka": tuple(firsts[1] for _, firsts, _ in _GROUND_WORDS),
}
_GROUND_CHOICES = ", ".join(GROUND_WORDS["en"])
_GROUND_CHOICES_KA = ", ".join(GROUND_WORDS["ka"])


@dataclass(frozen=True)
class CommandUsage:
    """How a command is written, for the help officers are sent: its word in each language, its argument."""

    kind: CommandKind
    word_ka: str
    argument_ka: str = ""
    argument_en: str = ""

    @property
    def word_en(self) -> str:
        return self.kind.value


_REFUSAL_ARGUMENT = ("<საფუძველი> [აქტი]", "<ground> [act]")
# In the order the help lists them; every word is one COMMAND_ALIASES knows (tests/core/test_commands.py).
COMMAND_USAGE: tuple[CommandUsage, ...] = (
    CommandUsage(CommandKind.PARTIAL, "ნაწილობრივ", *_REFUSAL_ARGUMENT),
    CommandUsage(CommandKind.REFUSED, "უარი", *_REFUSAL_ARGUMENT),
    CommandUsage(CommandKind.FORWARDED, "გადაგზავნილი", "<ორგანო>", "<body>"),
    CommandUsage(CommandKind.NOTHELD, "არ-გვაქვს"),
    CommandUsage(CommandKind.NOTE, "შენიშვნა", "<ტექსტი>", "<text>"),
    CommandUsage(CommandKind.ASSIGN, "დანიშვნა", "<მისამართი>", "<address>"),
    CommandUsage(CommandKind.WITHDRAWN, "გამოთხოვილი"),
    CommandUsage(CommandKind.CONSULTED, "კონსულტაცია", "<სამსახური ან ორგანო>", "<unit or body>"),
    CommandUsage(CommandKind.TO_FORWARD, "გადასაგზავნი", "[ორგანო]", "[body]"),
)

_COMMAND_LINE = re.compile(r"[^\S\r\n]*[#＃](?P<word>[^\W\d_][\w-]*)(?P<rest>.*)", re.DOTALL)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().replace("_", "-")


def parse_commands(text: str) -> ParsedCommands:
    """Split an officer's message into its leading command lines and the body to relay."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    commands: list[Command] = []
    errors: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index].rstrip("\r\n")
        if line.strip():
            match = _COMMAND_LINE.fullmatch(line)
            if match is None:
                break
            command = _parse_one(match.group("word"), match.group("rest").strip().lstrip(":：").strip(), errors)
            if command is not None:
                commands.append(command)
        index += 1
    errors.extend(_misplaced(lines[index:]))
    if not commands and not errors:
        return ParsedCommands(commands=(), body=text, errors=())
    errors.extend(_conflicts(commands))
    return ParsedCommands(commands=tuple(commands), body="".join(lines[index:]), errors=tuple(errors))


def _misplaced(body_lines: list[str]) -> list[str]:
    """A known command below the text would be relayed as text and its decision lost: refuse it."""
    errors = []
    for line in body_lines:
        match = _COMMAND_LINE.fullmatch(line.rstrip("\r\n"))
        if match and _fold(match.group("word")) in COMMAND_ALIASES:
            word = match.group("word")
            errors.append(
                f"#{word} must stand at the top of the message, above the text"
                f" / ბრძანება #{word} წერილის დასაწყისში უნდა იყოს, ტექსტის წინ"
            )
    return errors


def _parse_one(word: str, rest: str, errors: list[str]) -> Command | None:
    """One command from its word and the rest of its line; a problem goes to `errors` instead."""
    kind = COMMAND_ALIASES.get(_fold(word))
    if kind is None:
        errors.append(f"unknown command #{word} / უცნობი ბრძანება #{word}")
        return None
    if kind in (CommandKind.PARTIAL, CommandKind.REFUSED):
        return _parse_refusal(kind, word, rest, errors)
    if kind is CommandKind.CONSULTED and not rest:
        errors.append(f"#{word}: name the unit or body consulted / მიუთითეთ, ვისთან გაიარეთ კონსულტაცია")
        return None
    if kind is CommandKind.FORWARDED and not rest:
        errors.append(
            f"#{word}: name the agency the request was forwarded to / მიუთითეთ უწყება, რომელსაც გადაეგზავნა მოთხოვნა"
        )
        return None
    if kind is CommandKind.ASSIGN:
        # A bare address, <address>, or "Name <address>" as Outlook and Thunderbird paste it.
        address = email.utils.parseaddr(rest.replace("mailto:", ""))[1].strip().lower()
        if not is_usable_address(address) or " " in address:
            errors.append(
                f"#{word}: {rest or '(nothing)'} is not an email address"
                f" / {rest or '(ცარიელი)'} არ არის ელფოსტის მისამართი"
            )
            return None
        return Command(kind=kind, argument=address)
    return Command(kind=kind, argument=rest)


def _parse_refusal(kind: CommandKind, word: str, rest: str, errors: list[str]) -> Command | None:
    """``#refused <ground> [act...]``: the ground (one or two words), then the act relied on."""
    tokens = list(re.finditer(r"\S+", rest))
    if not tokens:
        errors.append(f"#{word}: give the ground ({_GROUND_CHOICES}) / მიუთითეთ უარის საფუძველი ({_GROUND_CHOICES_KA})")
        return None
    first = tokens[0].group().rstrip(",;:")
    ground = GROUND_ALIASES.get(_fold(first))
    if ground is None:
        errors.append(
            f"#{word}: unknown ground {first!r}; use {_GROUND_CHOICES}"
            f" / უცნობი საფუძველი {first!r}; გამოიყენეთ: {_GROUND_CHOICES_KA}"
        )
        return None
    act_start = tokens[0].end()
    if len(tokens) > 1 and "-" not in _fold(first):
        second = tokens[1].group().rstrip(",;:")
        if _fold(second) in _GROUND_SECONDS[ground]:
            act_start = tokens[1].end()
    act = rest[act_start:].strip().lstrip(",;:").strip()
    return Command(kind=kind, argument=rest, ground=ground, act=act)


def _conflicts(commands: list[Command]) -> list[str]:
    """Two outcomes, or two assignees, in one message."""
    errors: list[str] = []
    outcomes = [command.kind.value for command in commands if command.kind in OUTCOME_KINDS]
    if len(outcomes) > 1:
        found = " and ".join(f"#{name}" for name in outcomes)
        errors.append(f"only one outcome per message, found {found} / ერთ წერილში დასაშვებია მხოლოდ ერთი შედეგი")
    if sum(command.kind is CommandKind.ASSIGN for command in commands) > 1:
        errors.append("only one #assign per message / ერთ წერილში მხოლოდ ერთი #დანიშვნა")
    return errors
