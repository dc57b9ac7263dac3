"""Bad input on the Discord review side: unknown or forged buttons, an incident gone meanwhile, double presses,
incomplete resolve forms, closed DMs. Each gets a clear private answer, and nothing is lost or changed twice."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from adapters.discord.card_port import KEYS
from bot.texts.nl import DUTCH
from moderation.incidents.card_locations import CardLocations
from moderation.ports import OVERVIEW
from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow
from moderation.texts import Phrase
from tests.adapters.discord.classifier import make_classifier
from tests.support.fake_discord.review_school import DEFERRED, EPHEMERAL, MODAL, Reviewing, review_school

INSULT = "daan je bent echt een klootzak"


@pytest.fixture
async def r(tmp_path: Path) -> AsyncIterator[Reviewing]:
    async with review_school(tmp_path, make_classifier()) as running:
        yield running


def text_of(response: dict[str, object]) -> str:
    data = response["data"]
    assert isinstance(data, dict) and data["flags"] & EPHEMERAL
    return str(data["content"])


async def test_unknown_and_malformed_custom_ids_get_a_clear_answer_and_change_nothing(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    for forged in ("sw:frobnicate:1", f"sw:ack:{n}x", "sw:ack:", "sw:ack:99999999999", f"sw:ack:{n}:extra"):
        answer = await r.respond(r.fake.press(jan, card, forged, forged=True))
        assert "Deze knop ken ik niet" in text_of(answer), forged
    foreign = r.fake.press(jan, card, "poll:vote:1", forged=True)  # another app's component: not ours to answer
    await r.press(jan, card, "ack", n)  # answered after the foreign one was seen
    assert foreign not in r.fake.rest.interaction_responses
    assert [action for _, action, _ in r.history(n)].count("acknowledged") == 1


async def test_an_incident_deleted_meanwhile_clears_the_stale_card(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    with r.core.sessions.begin() as session:  # e.g. a privacy erase of the author
        session.execute(delete(HistoryRow).where(HistoryRow.incident_id == n))
        session.execute(delete(ReviewerRow).where(ReviewerRow.incident_id == n))
        session.execute(delete(IncidentRow).where(IncidentRow.id == n))
    answer = await r.press(jan, card, "ack", n)
    assert text_of(answer) == f"Melding #{n} bestaat niet of is niet aan jou toegewezen."
    await r.fake.wait_for(lambda: f"Melding #{n} bestaat niet meer" in card.content)
    assert card.components == [] and "klootzak" not in card.content  # the excerpt leaves the DM too
    opened = await r.respond(r.fake.submit_modal(jan, card.channel_id, f"sw:resolve:{n}", {"note": "gesprek"}))
    assert f"Melding #{n} bestaat niet of is niet aan jou toegewezen." in text_of(opened) and "gesprek" in text_of(
        opened
    )  # the note is handed back


async def test_a_double_press_acts_once_and_answers_both(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    first, second = (r.fake.press(jan, card, f"sw:ack:{n}") for _ in range(2))  # both sent before either is handled
    answers = sorted([text_of(await r.respond(first)), text_of(await r.respond(second))])
    assert answers == [
        f"Melding #{n} is nu in behandeling.",
        f"Melding #{n} was al in behandeling; er is niets veranderd.",
    ]
    assert [action for _, action, _ in r.history(n)].count("acknowledged") == 1


async def test_resolve_forms_that_miss_something_are_refused_and_hand_the_note_back(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    resolve = f"sw:resolve:{n}"
    r13 = {"note": "gesprek gevoerd", "measure": "strafwerk"}  # a measure, but nothing about the parents
    answer = text_of(await r.respond(r.fake.submit_modal(jan, card.channel_id, resolve, r13, message=card)))
    assert "R13" in answer and "gesprek gevoerd" in answer
    empty = text_of(await r.respond(r.fake.submit_modal(jan, card.channel_id, resolve, {"note": "  \n "})))
    assert "Schrijf erbij wat er gedaan is" in empty
    unknown: dict[str, str | list[str]] = {"note": "gesprek", "measure": "x", "parents": ["perhaps"]}  # forged value
    answer = text_of(await r.respond(r.fake.submit_modal(jan, card.channel_id, resolve, unknown)))
    assert "R13" in answer
    row = r.incident(n)
    assert row is not None and row.status == "open" and row.resolution_note is None
    assert "resolved" not in [action for _, action, _ in r.history(n)]


async def test_resolve_on_a_closed_incident_answers_instead_of_opening_the_form(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    stale = copy.deepcopy(card)
    await r.press(jan, card, "dismiss", n)
    answer = await r.press(jan, stale, "resolve", n)
    assert (
        answer["type"] != MODAL
        and text_of(answer) == f"Melding #{n} was al afgewezen (vals alarm); er is niets veranderd."
    )
    odd = await r.press(jan, copy.deepcopy(stale), "escalate", n, values=["president"])
    assert "Doorzetten naar wie?" in text_of(odd)


async def test_a_reviewer_with_closed_dms_still_has_the_incident_and_the_overview(r: Reviewing) -> None:
    r.school.teacher.accepts_dms = False
    n = await r.flagged(r.school.sanne, INSULT)
    row = r.incident(n)
    assert row is not None and row.action_status == "done"  # a closed DM is no failed action
    assert not r.cards_for(r.school.teacher, n)
    await r.card_for(r.abc, n)  # the other reviewer still got hers
    assert r.overview_card(n) is not None
    assert set(CardLocations(r.core.state, KEYS).of(n)) == {"abc", OVERVIEW}


async def test_a_card_discord_refuses_for_another_reason_is_recorded_as_a_failed_announcement(r: Reviewing) -> None:
    r.fake.rest.faults.add("POST", r"/users/@me/channels$", 403, times=9, code=50001, message="Missing Access")
    n = await r.flagged(r.school.sanne, INSULT)
    row = r.incident(n)
    assert row is not None and row.action_status == "failed"  # not silently dropped, unlike a closed DM
    with r.core.sessions() as session:  # one announcement per copy: each reviewer's and the overview's
        announced = session.scalars(
            select(HistoryRow.detail).where(HistoryRow.incident_id == n, HistoryRow.action == "announce")
        ).all()
    failed = [a for a in announced if a.startswith("FAILED")]
    assert len(announced) == 3 and len(failed) == 2
    assert any("card for jan: 403 Missing Access" in a for a in failed)
    assert r.overview_card(n) is not None  # leadership's overview still went out
    assert set(CardLocations(r.core.state, KEYS).of(n)) == {OVERVIEW}


async def test_a_card_deleted_by_hand_is_forgotten_and_the_action_still_counts(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    overview = r.overview_card(n)
    assert overview is not None
    r.world.delete_message(r.school.owner.id, overview.channel_id, overview.id)  # leadership tidies the channel
    assert text_of(await r.press(jan, card, "ack", n)) == f"Melding #{n} is nu in behandeling."
    await r.fake.wait_for(lambda: OVERVIEW not in set(CardLocations(r.core.state, KEYS).of(n)))
    await r.fake.wait_for(lambda: "in behandeling" in r.cards_for(r.abc, n)[-1].content)


async def test_garbage_card_locations_in_the_state_table_do_not_stop_a_review(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    assert r.adapter.card_state is not None
    r.adapter.card_state.set(f"discord:cards:{n}", "{not json")
    assert text_of(await r.press(jan, card, "ack", n)) == f"Melding #{n} is nu in behandeling."
    await r.fake.wait_for(lambda: "in behandeling" in card.content)  # the pressed card is updated all the same


async def test_a_reviewer_quoting_the_message_in_the_review_channel_is_not_judged(r: Reviewing) -> None:
    n = await r.flagged(r.school.sanne, INSULT)
    quoted = r.world.create_message(r.school.owner.id, r.school.review.id, f"zij schreef '{INSULT}', ouders gebeld")
    after = await r.flagged(r.school.sanne, "daan, jij bent een klootzak")  # handled after the quote
    assert after == n + 1 and r.incident_about(quoted) is None
    assert quoted.id not in r.world.deleted


async def test_a_forged_custom_id_on_one_card_cannot_change_another_incident(r: Reviewing) -> None:
    jan = r.school.teacher
    first = await r.flagged(r.school.sanne, INSULT)
    second = await r.flagged(r.school.daan, "sanne je bent een klootzak")
    card_of_first = await r.card_for(jan, first)
    card_of_second = await r.card_for(jan, second)
    before = card_of_second.content
    answer = await r.respond(r.fake.press(jan, card_of_first, f"sw:dismiss:{second}", forged=True))
    assert text_of(answer) == DUTCH.phrase(Phrase.NOT_THIS_CARD)
    row = r.incident(second)
    assert row is not None and row.status == "open"
    assert "dismissed" not in [action for _, action, _ in r.history(second)]
    assert card_of_second.content == before and card_of_first.components  # neither card rewritten
    # The real button on the second incident's own card still works.
    assert text_of(await r.press(jan, card_of_second, "ack", second)) == f"Melding #{second} is nu in behandeling."


async def test_a_press_answered_after_three_seconds_fails_as_on_discord(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    late = r.fake.press(jan, card, f"sw:ack:{n}", age=3.5)  # reaches the bot after Discord's 3 s
    await r.fake.wait_for(lambda: (late, 10062) in r.fake.rest.refused_responses)
    assert late not in r.fake.rest.interaction_responses  # the presser sees "This interaction failed"
    await r.fake.wait_for(lambda: "in behandeling" in card.content)  # the press itself still counts
    assert [action for _, action, _ in r.history(n)].count("acknowledged") == 1


async def test_a_press_is_answered_before_the_work_is_done(r: Reviewing) -> None:
    jan = r.school.teacher
    n = await r.flagged(r.school.sanne, INSULT)
    card = await r.card_for(jan, n)
    pressed = r.fake.press(jan, card, f"sw:dismiss:{n}")
    answer = await r.respond(pressed)
    assert answer["type"] == DEFERRED and text_of(answer) == f"Melding #{n} is afgewezen als vals alarm."
    await r.fake.wait_for(lambda: "afgewezen (vals alarm)" in card.content)  # the card is edited after the answer
    paths = [q.path for q in r.fake.rest.requests]
    answered = paths.index(f"/api/v10/interactions/{pressed}/interaction-token-{pressed}/callback")
    edited = max(i for i, q in enumerate(paths) if q.endswith(f"/messages/{card.id}"))
    assert answered < edited  # "thinking…" went out first; the card was edited after the work
    assert (pressed, 40060) not in r.fake.rest.refused_responses  # exactly one initial response


async def test_opening_dms_too_fast_is_waited_out(r: Reviewing) -> None:
    r.world.dm_open_limit = (1, 0.5)  # Discord answers 429 / 40003 beyond this
    n = await r.flagged(r.school.sanne, INSULT)
    await r.card_for(r.school.teacher, n)
    await r.card_for(r.abc, n)
    opens = [q for q in r.fake.rest.requests if q.path.endswith("/users/@me/channels")]
    assert len(opens) > 3  # three people (the author's notice, two reviewers), and at least one 40003 retried
    row = r.incident(n)
    assert row is not None and row.action_status == "done"
