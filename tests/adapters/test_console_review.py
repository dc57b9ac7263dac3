"""The full review cycle on the console platform: messages typed, incidents routed, reviewers typing commands."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter
from adapters.console_review import ConsoleReview
from moderation.digest import send_digests
from moderation.incidents.access import refusal
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
    review = ConsoleReview(school.review, replies.write)

    def say(line: str) -> str:
        replies.seek(0)
        replies.truncate()
        assert review.handle(line)
        return replies.getvalue()

    assert "Sanne Bakker" in say(f"@jan !show {n}")
    assert f"#{n}" in say("@jan !list open")
    assert "not yours" in say(f"@eva !ack {n}")
    assert "now in review" in say(f"@jan !ack {n}")
    assert "already in review" in say(f"@jan !ack {n}")
    assert "escalated to coordinator" in say(f"@jan !escalate {n} coordinator herhaald gedrag")
    assert "parents" in say(f"@jan !resolve {n} gesprek gevoerd; measure: nablijven")
    assert "resolved" in say(f"@jan !resolve {n} gesprek gevoerd; measure: nablijven; parents: ja")
    assert "already resolved" in say(f"@jan !resolve {n} nog eens")
    assert refusal(999) in say("@jan !ack 999") and refusal(n) in say(f"@eva !ack {n}")
    assert "not on the school's roster" in say(f"@nobody !ack {n}")
    assert "needs an incident number" in say("@jan !resolve")
    assert "unknown command" in say("@jan !frobnicate 1")
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
        ("!", "review commands"),
        ("!ack", "needs an incident number"),
        ("!ack twelve", "not an incident number"),
        ("!ack 1234567890123", "not an incident number"),
        ("!ack ²", "not an incident number"),
        ("!escalate 3", "needs a level"),
        ("!resolve 3", "needs a note"),
        ("!resolve 3 gesprek; parents: misschien", "yes or no"),
        ("!list everything", "!list takes"),
    ],
)
def test_malformed_commands_say_how_to_type_them(line: str, problem: str) -> None:
    with pytest.raises(CommandError, match=problem):
        parse_command(line)


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
        school.core.sessions, school.core.directory, school.clock, [ConsoleReview(school.review, out.write)]
    )
    assert run.sent == ("jan",)
    assert "daily digest for Meneer Jansen: 1 open incident(s)" in out.getvalue()
    assert f"Incident #{n}" in out.getvalue() and "!resolve" not in out.getvalue()


async def test_reactions_are_shortcuts_for_commands(school: School) -> None:
    n = await school.incident("sanne", "[sexual] x")
    jan = school.review.actor_by_id("jan")
    assert jan is not None
    ack = reaction_command("👀", n)
    assert ack is not None and "now in review" in run_command(school.review, jan, ack)
    police = reaction_command("🚨", n)
    assert police is not None and "escalated to police" in run_command(school.review, jan, police)
    shield = reaction_command("🛡", n)  # without the emoji variation selector, as some clients send it
    assert shield is not None and shield.target == "coordinator"
    assert reaction_command("👍", n) is None
