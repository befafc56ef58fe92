"""Officers' command lines."""

from __future__ import annotations

import pytest

from foimail.core.commands import (
    COMMAND_ALIASES,
    GROUND_ALIASES,
    OUTCOME_KINDS,
    Command,
    CommandKind,
    ParsedCommands,
    RefusalGround,
    parse_commands,
)

K = CommandKind
G = RefusalGround


@pytest.mark.parametrize(
    ("text", "commands", "body"),
    [
        ("Dear Ms Beridze,\nthe budget is attached.\n", (), "Dear Ms Beridze,\nthe budget is attached.\n"),
        ("\n\nDear citizen\n", (), "\n\nDear citizen\n"),
        ("", (), ""),
        (
            "#refused personal GAC Art. 27¹\n\nDear citizen,\n",
            (Command(K.REFUSED, "personal GAC Art. 27¹", G.PERSONAL_DATA, "GAC Art. 27¹"),),
            "Dear citizen,\n",
        ),
        (
            "\n \n#partial commercial\nAttached, in part.\n",
            (Command(K.PARTIAL, "commercial", G.COMMERCIAL_SECRET),),
            "Attached, in part.\n",
        ),
        (
            "#refused personal data GAC Art. 28\nText",
            (Command(K.REFUSED, "personal data GAC Art. 28", G.PERSONAL_DATA, "GAC Art. 28"),),
            "Text",
        ),
        (
            "#refused other\n#consulted Finance Service\nText",
            (Command(K.REFUSED, "other", G.OTHER), Command(K.CONSULTED, "Finance Service")),
            "Text",
        ),
        (
            "#refused personal-data\nText",
            (Command(K.REFUSED, "personal-data", G.PERSONAL_DATA),),
            "Text",
        ),
        (
            "#refused state secret Law on State Secrets\nText",
            (Command(K.REFUSED, "state secret Law on State Secrets", G.STATE_SECRET, "Law on State Secrets"),),
            "Text",
        ),
        (
            "#REFUSED Professional, GAC Art. 27³\nText",
            (Command(K.REFUSED, "Professional, GAC Art. 27³", G.PROFESSIONAL_SECRET, "GAC Art. 27³"),),
            "Text",
        ),
        (
            "#refused other\nText",
            (Command(K.REFUSED, "other", G.OTHER),),
            "Text",
        ),
        (
            "#უარი პერსონალური მონაცემები სზაკ-ის 27¹ მუხლი\nპატივცემულო მოქალაქევ,\n",
            (
                Command(
                    K.REFUSED,
                    "პერსონალური მონაცემები სზაკ-ის 27¹ მუხლი",
                    G.PERSONAL_DATA,
                    "სზაკ-ის 27¹ მუხლი",
                ),
            ),
            "პატივცემულო მოქალაქევ,\n",
        ),
        (
            "#ნაწილობრივ კომერციული საიდუმლოება\nტექსტი",
            (Command(K.PARTIAL, "კომერციული საიდუმლოება", G.COMMERCIAL_SECRET),),
            "ტექსტი",
        ),
        (
            "#forwarded Ministry of Finance of Adjara\nWe forwarded your request.",
            (Command(K.FORWARDED, "Ministry of Finance of Adjara"),),
            "We forwarded your request.",
        ),
        (
            "#გადაგზავნილი აჭარის ფინანსთა სამინისტრო\n",
            (Command(K.FORWARDED, "აჭარის ფინანსთა სამინისტრო"),),
            "",
        ),
        ("#notheld\nWe do not hold it.", (Command(K.NOTHELD),), "We do not hold it."),
        ("#არ_გვაქვს\nარ გვაქვს.", (Command(K.NOTHELD),), "არ გვაქვს."),
        ("#not_held\n", (Command(K.NOTHELD),), ""),
        ("#withdrawn\n", (Command(K.WITHDRAWN),), ""),
        ("#გამოთხოვილი\n", (Command(K.WITHDRAWN),), ""),
        (
            "#note called the finance unit\n#note they send it Monday\n",
            (Command(K.NOTE, "called the finance unit"), Command(K.NOTE, "they send it Monday")),
            "",
        ),
        (
            "#note first line\nsecond line is body, not note\n",
            (Command(K.NOTE, "first line"),),
            "second line is body, not note\n",
        ),
        ("#შენიშვნა დავრეკე\n", (Command(K.NOTE, "დავრეკე"),), ""),
        ("#note\nthe whole body is internal\n", (Command(K.NOTE),), "the whole body is internal\n"),
        ("#assign T.Khalvashi@Batumi.ge\n", (Command(K.ASSIGN, "t.khalvashi@batumi.ge"),), ""),
        ("#assign <n.abashidze@batumi.ge>\n", (Command(K.ASSIGN, "n.abashidze@batumi.ge"),), ""),
        ("#assign Nino Abashidze <N.Abashidze@batumi.ge>\n", (Command(K.ASSIGN, "n.abashidze@batumi.ge"),), ""),
        ("#assign ნინო აბაშიძე <n.abashidze@batumi.ge>\n", (Command(K.ASSIGN, "n.abashidze@batumi.ge"),), ""),
        ("#დანიშვნა mailto:n.abashidze@batumi.ge\n", (Command(K.ASSIGN, "n.abashidze@batumi.ge"),), ""),
        (
            "#assign n.abashidze@batumi.ge\n\n#refused state\n\n\nBody\n\n#1 item\n",
            (Command(K.ASSIGN, "n.abashidze@batumi.ge"), Command(K.REFUSED, "state", G.STATE_SECRET)),
            "Body\n\n#1 item\n",
        ),
        ("＃ｒｅｆｕｓｅｄ ｏｔｈｅｒ\nText", (Command(K.REFUSED, "ｏｔｈｅｒ", G.OTHER),), "Text"),
        (
            "#Refused: personal\r\n\r\nText\r\n",
            (Command(K.REFUSED, "personal", G.PERSONAL_DATA),),
            "Text\r\n",
        ),
        ("\ufeff#withdrawn\nText", (Command(K.WITHDRAWN),), "Text"),
        ("  #notheld  \nText", (Command(K.NOTHELD),), "Text"),
        ("#1 item\n#2 item\n", (), "#1 item\n#2 item\n"),
        ("## Heading\n", (), "## Heading\n"),
        ("> #refused personal\n", (), "> #refused personal\n"),
    ],
)
def test_parse_commands(text: str, commands: tuple[Command, ...], body: str) -> None:
    assert parse_commands(text) == ParsedCommands(commands=commands, body=body, errors=())


@pytest.mark.parametrize(
    ("text", "fragments", "commands"),
    [
        ("#refuse personal\nText", ("unknown command #refuse", "უცნობი ბრძანება"), ()),
        ("#consulted\nText", ("name the unit or body consulted",), ()),
        ("Dear citizen,\n\n#partial personal\nText", ("#partial must stand at the top",), ()),
        # A command below text would be relayed as text and its decision lost (a bottom-posted reply).
        ("Dear citizen,\n#refused personal\n", ("#refused must stand at the top",), ()),
        ("# Heading\n#notheld\n", ("#notheld must stand at the top",), ()),
        ("#BatumiBudget2026 attached\n", ("unknown command #BatumiBudget2026",), ()),
        ("#refused\nText", ("#refused: give the ground", "მიუთითეთ უარის საფუძველი"), ()),
        ("#partial\nText", ("#partial: give the ground",), ()),
        ("#refused secret GAC\nText", ("unknown ground 'secret'", "უცნობი საფუძველი"), ()),
        ("#forwarded\nText", ("#forwarded: name the agency", "მიუთითეთ უწყება"), ()),
        ("#assign\n", ("#assign: (nothing) is not an email address",), ()),
        ("#assign Tamar Khalvashi\n", ("#assign: Tamar Khalvashi is not an email address",), ()),
        (
            "#დანიშვნა tamar@\n",
            ("#დანიშვნა: tamar@ is not an email address", "არ არის ელფოსტის მისამართი"),
            (),
        ),
        (
            "#refused personal\n#partial other\nText",
            ("only one outcome per message, found #refused and #partial", "მხოლოდ ერთი შედეგი"),
            (Command(K.REFUSED, "personal", G.PERSONAL_DATA), Command(K.PARTIAL, "other", G.OTHER)),
        ),
        (
            "#withdrawn\n#withdrawn\n",
            ("found #withdrawn and #withdrawn",),
            (Command(K.WITHDRAWN), Command(K.WITHDRAWN)),
        ),
        (
            "#notheld\n#forwarded Ministry\n",
            ("found #notheld and #forwarded",),
            (Command(K.NOTHELD), Command(K.FORWARDED, "Ministry")),
        ),
        (
            "#assign a@batumi.ge\n#assign b@batumi.ge\n",
            ("only one #assign per message",),
            (Command(K.ASSIGN, "a@batumi.ge"), Command(K.ASSIGN, "b@batumi.ge")),
        ),
    ],
)
def test_parse_command_errors(text: str, fragments: tuple[str, ...], commands: tuple[Command, ...]) -> None:
    parsed = parse_commands(text)
    assert parsed.commands == commands
    joined = "\n".join(parsed.errors)
    for fragment in fragments:
        assert fragment in joined


def test_errors_keep_the_body() -> None:
    parsed = parse_commands("#refused\n\nDear citizen\n")
    assert parsed.body == "Dear citizen\n"
    assert len(parsed.errors) == 1


def test_note_with_outcome_is_allowed() -> None:
    parsed = parse_commands("#refused personal GAC Art. 27¹\n#note legal unit agreed\nDear citizen\n")
    assert [command.kind for command in parsed.commands] == [K.REFUSED, K.NOTE]
    assert parsed.errors == ()


def test_every_kind_has_an_english_and_a_georgian_word() -> None:
    for kind in CommandKind:
        words = [word for word, aliased in COMMAND_ALIASES.items() if aliased is kind]
        assert any(word.isascii() for word in words), kind
        assert any(not word.isascii() for word in words), kind


def test_every_ground_has_an_english_and_a_georgian_word() -> None:
    for ground in RefusalGround:
        words = [word for word, aliased in GROUND_ALIASES.items() if aliased is ground]
        assert any(word.isascii() for word in words), ground
        assert any(not word.isascii() for word in words), ground


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("#toforward საქართველოს ფინანსთა სამინისტრო\n", Command(K.TO_FORWARD, "საქართველოს ფინანსთა სამინისტრო")),
        ("#to-forward\n", Command(K.TO_FORWARD)),
        ("#forward Ministry of Finance\n", Command(K.TO_FORWARD, "Ministry of Finance")),
        ("#გადასაგზავნი აჭარის ფინანსთა სამინისტრო\n", Command(K.TO_FORWARD, "აჭარის ფინანსთა სამინისტრო")),
    ],
)
def test_to_forward_marks_without_deciding(text: str, command: Command) -> None:
    """GAC Art. 80(1): a mark with an optional body; not an outcome, so #note and #assign may join it."""
    assert parse_commands(text + "#note ვკითხე\n") == ParsedCommands((command, Command(K.NOTE, "ვკითხე")), "", ())
    assert command.kind not in OUTCOME_KINDS
