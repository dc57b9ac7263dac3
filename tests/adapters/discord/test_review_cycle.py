"""The review side on Discord, end to end: discord.py's real client against the fake server, the real pipeline and
ReviewService on SQLite. A flagged message → each reviewer's DM card → buttons, modal → every card updated."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord.card_port import KEYS
from bot.texts.nl import DUTCH
from moderation.incidents.card_locations import CardLocations
from moderation.ports import OVERVIEW
from moderation.texts import Phrase
from tests.adapters.discord.classifier import make_classifier
from tests.support.fake_discord.interactions import find_component
from tests.support.fake_discord.model import StoredMessage
from tests.support.fake_discord.review_school import EPHEMERAL, MODAL, Reviewing, review_school

INSULT = "daan je bent echt een klootzak"


@pytest.fixture
async def r(tmp_path: Path) -> AsyncIterator[Reviewing]:
    async with review_school(tmp_path, make_classifier()) as running:
        yield running


def ephemeral_text(response: dict[str, object]) -> str:
    data = response["data"]
    assert isinstance(data, dict) and data["flags"] & EPHEMERAL, "answers to a press are for the presser only"
    return str(data["content"])


async def test_the_mentor_acknowledges_then_resolves_through_the_modal(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    assert "Sanne Bakker" in card.content and "klootzak" in card.content and "nieuw" in card.content
    assert find_component(card.components, f"sw:ack:{n}") is not None

    answer = await r.press(jan, card, "ack", n)
    assert ephemeral_text(answer) == f"Melding #{n} is nu in behandeling."
    row = r.incident(n)
    assert row is not None and row.status == "in-review"
    await r.fake.wait_for(lambda: "in behandeling" in r.cards_for(jan, n)[-1].content)
    ack = find_component(r.cards_for(jan, n)[-1].components, f"sw:ack:{n}")
    assert ack is not None and ack["disabled"] and ack["label"] == "In behandeling"

    modal = await r.press(jan, r.cards_for(jan, n)[-1], "resolve", n)
    assert modal["type"] == MODAL and modal["data"]["custom_id"] == f"sw:resolve:{n}"
    for field in ("note", "measure", "parents"):
        assert find_component(modal["data"]["components"], field) is not None
    fields: dict[str, str | list[str]] = {"note": "gesprek gevoerd", "measure": "excuses aan Daan", "parents": ["yes"]}
    done = await r.respond(r.fake.submit_modal(jan, card.channel_id, f"sw:resolve:{n}", fields, message=card))
    assert ephemeral_text(done) == f"Melding #{n} is afgehandeld."

    row = r.incident(n)
    assert row is not None
    assert (row.status, row.resolution_note, row.measure, row.parents_informed) == (
        "resolved",
        "gesprek gevoerd",
        "excuses aan Daan",
        True,
    )
    actions = [(actor, action) for actor, action, _ in r.history(n)]
    assert ("jan", "acknowledged") in actions and ("jan", "resolved") in actions

    # Every copy of the card shows the outcome and has no buttons left: the mentor's, the coordinator's, the overview.
    def copies() -> list[StoredMessage | None]:
        return [r.cards_for(jan, n)[-1], r.cards_for(r.abc, n)[-1], r.overview_card(n)]

    await r.fake.wait_for(lambda: all(c is not None and "gesprek gevoerd" in c.content for c in copies()))
    for shown in copies():
        assert shown is not None and "afgehandeld" in shown.content and shown.components == []


async def test_each_reviewer_gets_their_own_card_and_nobody_else_does(r: Reviewing) -> None:
    n = await r.flagged(r.school.sanne, INSULT)
    await r.card_for(r.school.teacher, n)  # the mentor
    await r.card_for(r.abc, n)  # an insult is bullying: the coordinator too
    assert not r.cards_for(r.eva, n)  # another mentor: not her student
    assert not r.cards_for(r.school.owner, n)  # leadership: only the overview channel, until escalated
    assert not r.cards_for(r.school.sanne, n)
    places = CardLocations(r.core.state, KEYS).of(n)  # kept in the database: card updates survive a restart
    assert set(places) == {"jan", "abc", OVERVIEW}
    seen = [actor for actor, action, _ in r.history(n) if action == "viewed"]
    assert sorted(seen) == ["abc", "jan"]  # each DM card is a read of the incident, on its history


async def test_another_mentor_pressing_on_the_overview_is_refused_and_recorded(r: Reviewing) -> None:
    n = await r.flagged(r.school.sanne, INSULT)
    await r.fake.wait_for(lambda: r.overview_card(n))
    overview = r.overview_card(n)
    assert overview is not None
    answer = await r.press(r.eva, overview, "dismiss", n)
    assert ephemeral_text(answer) == f"Melding #{n} bestaat niet of is niet aan jou toegewezen."
    row = r.incident(n)
    assert row is not None and row.status == "open"
    assert ("eva", "refused") in [(actor, action) for actor, action, _ in r.history(n)]
    # Someone not on the roster at all (the ICT member) is refused and recorded by Discord id.
    answer = await r.press(r.school.ict, overview, "ack", n)
    assert "niet aan jou toegewezen" in ephemeral_text(answer)
    assert (f"discord:{r.school.ict.id}", "refused") in [(a, act) for a, act, _ in r.history(n)]
    opened = await r.press(r.eva, overview, "resolve", n)  # the modal is not even opened for her
    assert opened["type"] == 4 and "niet aan jou toegewezen" in ephemeral_text(opened)


async def test_dismiss_as_false_positive_updates_every_card(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    stale = copy.deepcopy(card)  # what a second device still shows
    answer = await r.press(jan, card, "dismiss", n)
    assert ephemeral_text(answer) == f"Melding #{n} is afgewezen als vals alarm."
    row = r.incident(n)
    assert row is not None and (row.status, row.resolution_note) == ("dismissed", "false positive")
    await r.fake.wait_for(lambda: r.cards_for(r.abc, n)[-1].components == [])
    assert "afgewezen (vals alarm)" in r.cards_for(r.abc, n)[-1].content
    again = await r.press(jan, stale, "dismiss", n)  # the old copy of the card, pressed again
    assert ephemeral_text(again) == f"Melding #{n} was al afgewezen (vals alarm); er is niets veranderd."


async def test_escalating_to_leadership_brings_the_card_to_leadership(r: Reviewing) -> None:
    jan, director = r.school.teacher, r.school.owner
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    answer = await r.press(jan, card, "escalate", n, values=["leadership"])
    assert ephemeral_text(answer).startswith(f"Melding #{n} is doorgezet naar de schoolleiding")
    row = r.incident(n)
    assert row is not None and row.escalation == "leadership"
    assert ("dir", "leadership") in {(x.person_id, x.reason) for x in row.reviewers}
    leader_card = await r.card_for(director, n)
    assert "Doorgezet naar: de schoolleiding" in " ".join(leader_card.content.split())
    await r.fake.wait_for(lambda: "Doorgezet naar" in r.cards_for(jan, n)[-1].content)
    menu = find_component(r.cards_for(jan, n)[-1].components, f"sw:escalate:{n}")
    assert menu is not None and [o["value"] for o in menu["options"]] == ["police"]  # only upwards from here


async def test_a_report_reaches_the_same_flow_and_only_leadership_sees_the_reporter(r: Reviewing) -> None:
    school, world = r.school, r.world
    target = world.create_message(school.sanne.id, school.klas.id, "kijk wat daan gisteren in de kantine deed haha")
    r.fake.invoke_command(school.daan, school.klas.id, DUTCH.phrase(Phrase.REPORT_MENU), target=target)
    report = await r.settled(target)
    assert report.category == "reported"
    n = report.id
    mentor_card, leader_card = await r.card_for(school.teacher, n), await r.card_for(school.owner, n)
    assert "Gemeld door" in leader_card.content and "daan" in leader_card.content
    assert "Gemeld door" not in mentor_card.content and "daan (" not in mentor_card.content.lower()
    overview = r.overview_card(n)
    assert overview is not None and "Daan" not in overview.content
    stale_overview = copy.deepcopy(overview)
    assert find_component(mentor_card.components, f"sw:resolve:{n}") is not None  # the same buttons
    await r.press(school.owner, leader_card, "ack", n)  # after a change, each copy keeps its own view
    await r.fake.wait_for(lambda: "in behandeling" in r.cards_for(school.teacher, n)[-1].content)
    assert "Gemeld door" not in r.cards_for(school.teacher, n)[-1].content
    assert "Gemeld door" in r.cards_for(school.owner, n)[-1].content
    await r.fake.wait_for(lambda: (o := r.overview_card(n)) is not None and "in behandeling" in o.content)
    overview = r.overview_card(n)
    assert overview is not None and "Gemeld door" not in overview.content
    # Leadership presses an old copy in the shared channel: the card shown there again is still without the reporter.
    edits = f"/channels/{overview.channel_id}/messages/{overview.id}"

    def edited() -> int:
        return sum(1 for q in r.fake.rest.requests if q.method == "PATCH" and q.path.endswith(edits))

    before = edited()
    again = await r.press(school.owner, stale_overview, "ack", n)
    assert "was al in behandeling" in ephemeral_text(again)
    await r.fake.wait_for(lambda: edited() > before)
    assert "Gemeld door" not in overview.content and "in behandeling" in overview.content
