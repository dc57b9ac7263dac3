"""R7 reports: the "Report to school" context menu and /report, through discord.py's command tree."""

from __future__ import annotations

from typing import Any

from bot.texts.nl import DUTCH
from moderation.texts import Phrase
from tests.adapters.discord.conftest import Running

REPORT_MENU_NAME = DUTCH.phrase(Phrase.REPORT_MENU)
THANKS = DUTCH.phrase(Phrase.REPORT_THANKS)
EPHEMERAL = 64
DEFERRED = 5  # "thinking…", answered by a follow-up


async def answer(running: Running, interaction: int) -> dict[str, Any]:
    """What the reporter finally sees: a direct answer, or the follow-up after a deferred one (both private)."""
    rest = running.fake.rest
    await running.wait_for(lambda: interaction in rest.interaction_responses)
    first = rest.interaction_responses[interaction]
    if first["type"] != DEFERRED:
        assert first["type"] == 4
        return dict(first["data"])
    assert first["data"]["flags"] & EPHEMERAL  # even "thinking…" is shown to the reporter only
    await running.wait_for(lambda: interaction in rest.interaction_followups)
    [followup] = rest.interaction_followups[interaction]
    return dict(followup)


async def test_the_commands_are_registered_in_the_guild(running: Running) -> None:
    commands = {(c["name"], c["type"], c["guild_id"]) for c in running.fake.rest.commands}
    guild = str(running.world.guild_id)
    assert commands == {(REPORT_MENU_NAME, 3, guild), ("report", 1, guild)}


async def test_the_report_context_menu_creates_an_incident_and_thanks_only_the_reporter(running: Running) -> None:
    school, world = running.school, running.world
    target = world.create_message(school.sanne.id, school.klas.id, "kijk wat daan gisteren in de kantine deed haha")
    interaction = running.fake.invoke_command(school.daan, school.klas.id, REPORT_MENU_NAME, target=target)
    response = await answer(running, interaction)
    assert response["content"] == THANKS and response["flags"] & EPHEMERAL
    assert running.fake.rest.interaction_responses[interaction]["type"] == DEFERRED  # recording may take > 3 s
    reports = [i for i in running.incidents() if i.category == "reported"]
    assert len(reports) == 1
    report = reports[0]
    assert (report.rule_id, report.author_person_id, report.message_id) == ("R7", "sanne", str(target.id))
    assert report.reported_by == "daan"  # kept for leadership
    await running.wait_for(lambda: running.settled_incident(target.id))  # its card is out by then
    card = running.review_cards()[-1]
    assert "iemand heeft dit bericht gemeld" in card and "Sanne Bakker" in card
    assert "Daan" not in card and str(school.daan.id) not in card  # the reporter is never on the card
    assert not running.dms_to(school.sanne)  # the reported person is not told anything by the bot
    assert target.id in world.messages  # a report never deletes by itself


async def test_report_slash_command_with_a_message_link(running: Running) -> None:
    school, world = running.school, running.world
    target = world.create_message(school.sanne.id, school.klas.id, "kijk dit filmpje van daan lol")
    link = f"https://discord.com/channels/{world.guild_id}/{school.klas.id}/{target.id}"
    options = [{"name": "link", "type": 3, "value": link}, {"name": "reason", "type": 3, "value": "zonder toestemming"}]
    interaction = running.fake.invoke_command(school.daan, school.klas.id, "report", options=options)
    assert (await answer(running, interaction))["content"] == THANKS
    report = next(i for i in running.incidents() if i.category == "reported")
    assert report.message_id == str(target.id) and "zonder toestemming" in report.explanation


async def test_report_slash_command_with_a_bad_link_answers_privately(running: Running) -> None:
    school = running.school
    options = [{"name": "link", "type": 3, "value": "https://example.org/niet-discord"}]
    interaction = running.fake.invoke_command(school.daan, school.klas.id, "report", options=options)
    data = await answer(running, interaction)
    assert "Ik kon dat bericht niet vinden" in data["content"] and data["flags"] & EPHEMERAL
    assert DUTCH.phrase(Phrase.REPORT_BAD_LINK) in data["content"]  # in the student's words, not the parser's
    assert not [i for i in running.incidents() if i.category == "reported"]


async def test_reporting_the_same_message_twice_is_one_incident(running: Running) -> None:
    school, world = running.school, running.world
    target = world.create_message(school.sanne.id, school.klas.id, "jij hoort hier niet")
    responses = running.fake.rest.interaction_responses
    for count in (1, 2):
        interaction = running.fake.invoke_command(school.daan, school.klas.id, REPORT_MENU_NAME, target=target)
        assert (await answer(running, interaction))["content"] == THANKS
        assert len(responses) == count
    assert len([i for i in running.incidents() if i.category == "reported"]) == 1


async def test_a_report_that_cannot_be_recorded_says_so_privately(running: Running) -> None:
    school, world = running.school, running.world
    target = world.create_message(school.sanne.id, school.klas.id, "iets om te melden")

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database away")

    running.core.moderator.report = broken  # type: ignore[method-assign, assignment]
    interaction = running.fake.invoke_command(school.daan, school.klas.id, REPORT_MENU_NAME, target=target)
    data = await answer(running, interaction)
    assert "kon niet worden opgeslagen" in data["content"] and data["flags"] & EPHEMERAL
