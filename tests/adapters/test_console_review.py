"""The full review cycle on the console platform: messages typed, incidents routed, reviewers typing commands."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter
from adapters.console_review import ConsoleReview
from bot.texts.nl import DUTCH
from moderation.digest import send_digests
from moderation.incidents.commands import CommandError, parse_command, reaction_command, run_command
from moderation.storage.incidents import IncidentRow
from tests.support.review import School, make_school


@pytest.fixture
def school(tmp_path: Path) -> Iterator[School]:
    school = make_school(tmp_path)
    yield school
    school.core.close()


async def test_full_review_cycle_on_the_console(school: School) -> None:
    out = io.StringIO()
    adapter = ConsoleAdapter(lines=["@sanne #klas-2b: [insult] jij bent een sukkel\n"], out=out)
    await adapter.start(school.core.moderator)
    await adapter.wait_closed()
    assert adapter.outcomes[0].incident is not None
    n = adapter.outcomes[0].incident.id
    assert f"incident #{n}" in out.getvalue()

    replies = io.StringIO()
    review = ConsoleReview(school.review, DUTCH, replies.write)

    def say(line: str) -> str:
        replies.seek(0)
        replies.truncate()
        assert review.handle(line)
        return replies.getvalue()

    assert "Sanne Bakker" in say(f"@jan !show {n}")
    assert f"#{n}" in say("@jan !list open")
    assert "niet aan jou toegewezen" in say(f"@eva !ack {n}")
    assert f"Melding #{n} is nu in behandeling." in say(f"@jan !ack {n}")
    assert "was al in behandeling; er is niets veranderd" in say(f"@jan !ack {n}")
    assert "doorgezet naar de anti-pestcoördinator." in say(f"@jan !escaleer {n} abc herhaald gedrag")  # already
    assert "doorgezet naar de schoolleiding; nu ziet ook Directeur De Boer hem." in say(f"@jan !escaleer {n} directie")
    assert "ouders altijd ingelicht" in say(f"@jan !resolve {n} gesprek gevoerd; measure: nablijven")
    assert f"Melding #{n} is afgehandeld." in say(
        f"@jan !opgelost {n} gesprek gevoerd; maatregel: nablijven; ouders: ja"
    )
    assert "was al afgehandeld" in say(f"@jan !resolve {n} nog eens")
    assert "Melding #999 bestaat niet of is niet aan jou toegewezen." in say("@jan !ack 999")
    assert "niet als begeleider in de schoollijst" in say(f"@nobody !ack {n}")
    assert "Zet het nummer van de melding erachter, bijvoorbeeld !resolve 12." in say("@jan !resolve")
    assert "Het commando !frobnicate ken ik niet" in say("@jan !frobnicate 1")
    assert not review.handle("@sanne #klas-2b: gewoon een bericht")  # messages go on to the Moderator

    with school.core.sessions() as session:
        row = session.get(IncidentRow, n)
        assert row is not None
        assert (row.status, row.resolution_note, row.measure, row.parents_informed) == (
            "resolved",
            "gesprek gevoerd",
            "nablijven",
            True,
        )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("!", "Commando's: !lijst"),
        ("!ack", "Zet het nummer van de melding erachter, bijvoorbeeld !ack 12."),
        ("!ack twelve", "‘twelve’ is geen nummer van een melding."),
        ("!ack 1234567890123", "is geen nummer van een melding"),
        ("!ack ²", "‘²’ is geen nummer van een melding."),
        ("!escalate 3", "Doorzetten naar wie?"),
        ("!resolve 3", "Schrijf erbij wat er gedaan is, bijvoorbeeld: !opgelost 3 gesprek gevoerd"),
        ("!resolve 3 gesprek; parents: misschien", "Ouders ingelicht: ja of nee, niet ‘misschien’."),
        ("!list everything", "!lijst kent open, in-review, resolved of dismissed, niet ‘everything’."),
    ],
)
def test_malformed_commands_say_how_to_type_them(line: str, problem: str) -> None:
    with pytest.raises(CommandError) as raised:
        parse_command(line)
    assert problem in DUTCH.command_error(raised.value)


def test_parses_resolution_parts_in_any_order() -> None:
    command = parse_command("!resolve #7 ouders: nee; gesprek gevoerd; maatregel: strafwerk")
    assert (command.incident_id, command.text, command.measure, command.parents_informed) == (
        7,
        "gesprek gevoerd",
        "strafwerk",
        False,
    )


async def test_the_console_prints_each_reviewers_digest(school: School) -> None:
    n = await school.incident("sanne", "[sexual] iets")
    out = io.StringIO()
    run = await send_digests(
        school.core.sessions, school.core.directory, school.clock, [ConsoleReview(school.review, DUTCH, out.write)]
    )
    assert run.sent == ("jan",)
    assert "Dagoverzicht voor Meneer Jansen: 1 open melding(en)" in out.getvalue()
    assert f"Melding #{n}" in out.getvalue() and "!opgelost" not in out.getvalue()


async def test_reactions_are_shortcuts_for_commands(school: School) -> None:
    n = await school.incident("sanne", "[sexual] x")
    jan = school.review.actor_by_id("jan")
    assert jan is not None
    ack = reaction_command("👀", n)
    assert ack is not None and "is nu in behandeling" in run_command(school.review, DUTCH, jan, ack)
    police = reaction_command("🚨", n)
    assert police is not None and "mogelijk strafbaar" in run_command(school.review, DUTCH, jan, police)
    shield = reaction_command("🛡", n)  # without the emoji variation selector, as some clients send it
    assert shield is not None and shield.target == "coordinator"
    assert reaction_command("👍", n) is None
