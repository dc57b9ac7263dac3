"""A burst on Discord, end to end (discord.py's real client, the fake server, the real pipeline on SQLite): the cards
one viewer is owed within the window come as one combined message, a section and a row of buttons per incident;
a press on one row acts on that incident only, and every copy follows; a withdrawn incident gives the others their
own card again."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord.card_port import KEYS, DiscordCards
from bot.texts.nl import DUTCH
from moderation.incidents.card_locations import CardLocations
from moderation.model import IncidentStatus, PersonId
from moderation.texts import Phrase
from tests.adapters.discord.classifier import make_classifier
from tests.support.fake_discord.model import StoredMessage, User
from tests.support.fake_discord.review_school import MODAL, Reviewing, review_school

INSULT = "daan je bent echt een klootzak"
NUMBER = re.compile(r"Melding #(\d+)\b")


@pytest.fixture
async def r(tmp_path: Path) -> AsyncIterator[Reviewing]:
    async with review_school(tmp_path, make_classifier()) as running:
        yield running


def numbers_on(message: StoredMessage) -> list[int]:
    """The incidents a card shows: each section's title on a combined card, else the card's own number."""
    if message.embeds:
        return [int(m.group(1)) for e in message.embeds if (m := NUMBER.search(str(e.get("title") or "")))]
    found = NUMBER.search(message.content)
    return [int(found.group(1))] if found else []


def cards(messages: list[StoredMessage], of: set[int]) -> list[list[int]]:
    """The incidents of `of` on each card among `messages`, oldest first."""
    return [shown for m in messages if (shown := numbers_on(m)) and set(shown) & of]


def rows(message: StoredMessage) -> list[list[str]]:
    return [[str(c.get("custom_id")) for c in row["components"]] for row in message.components]


def overview_posts(r: Reviewing) -> list[StoredMessage]:
    review = r.school.review.id
    return [m for m in r.world.messages.values() if m.channel_id == review and m.author_id == r.school.bot.id]


async def burst(r: Reviewing, count: int, text: str = INSULT) -> tuple[int, list[int]]:
    """A first incident, its reviewers' cards out; then `count` more within the burst window that this first card
    opened. The numbers, once every card is out."""
    message = r.world.create_message(r.school.sanne.id, r.school.klas.id, f"{text} (eerste)")
    await r.fake.wait_for(lambda: r.incident_about(message) is not None)
    first = r.incident_about(message).id  # type: ignore[union-attr]
    await r.card_for(r.school.teacher, first)
    await r.card_for(r.abc, first)
    posted = [r.world.create_message(r.school.sanne.id, r.school.klas.id, f"{text} ({n})") for n in range(count)]
    numbers = [(await r.settled(m)).id for m in [message, *posted]]
    return numbers[0], numbers[1:]


def overview_shows_each_once(r: Reviewing, first: int, numbers: list[int]) -> None:
    """The overview shows each incident once, the burst's together, five at most a message (the first may join them
    there: the overview's window began with the start-up's own card)."""
    shown = cards(overview_posts(r), {first, *numbers})
    assert sorted(n for card in shown for n in card) == sorted([first, *numbers])
    assert all(len(card) <= 5 for card in shown) and len(shown) <= 2 + len(numbers) // 5, shown


def combined_of(r: Reviewing, user: User, numbers: list[int]) -> StoredMessage:
    found = [m for m in r.dm_messages(user) if numbers_on(m) == numbers]
    assert len(found) == 1, [numbers_on(m) for m in r.dm_messages(user)]
    return found[0]


async def test_a_burst_is_one_combined_card_per_viewer_and_each_row_acts_on_its_own_incident(r: Reviewing) -> None:
    jan, abc = r.school.teacher, r.abc
    first, numbers = await burst(r, 3)
    second, third, fourth = numbers
    ours = {first, *numbers}
    for user in (jan, abc):  # the first card alone; the burst's three as one message
        assert cards(r.dm_messages(user), ours) == [[first], numbers], user.username
    overview_shows_each_once(r, first, numbers)
    for user in (jan, abc):
        combined = combined_of(r, user, numbers)
        assert combined.content.startswith(f"**{DUTCH.phrase(Phrase.COMBINED_TITLE).format(n=3)}**")
        assert [{cid.rsplit(":", 1)[1] for cid in row} for row in rows(combined)] == [{str(n)} for n in numbers]
        assert all(len(row) == 4 for row in rows(combined))  # pick up, resolve, dismiss, escalate
    locations = CardLocations(r.core.state, KEYS)
    assert locations.together(str(combined_of(r, jan, numbers).id)) == numbers

    # Incident 2's dismiss on Jansen's combined card decides incident 2 only.
    jan_card = combined_of(r, jan, numbers)
    answer = await r.press(jan, jan_card, "dismiss", second)
    assert f"#{second}" in str(answer["data"]["content"])
    statuses = {n: r.incident(n).status for n in ours}  # type: ignore[union-attr]
    assert statuses == {first: "open", second: "dismissed", third: "open", fourth: "open"}
    for user in (jan, abc):  # every copy follows: incident 2's row is gone, its section says so
        await r.fake.wait_for(lambda u=user: len(combined_of(r, u, numbers).components) == 2)  # type: ignore[misc]
        card = combined_of(r, user, numbers)
        assert [row[0] for row in rows(card)] == [f"sw:ack:{third}", f"sw:ack:{fourth}"]
        assert DUTCH.status("dismissed") in str(card.embeds[0]["title"])
    overview = next(m for m in overview_posts(r) if set(numbers) <= set(numbers_on(m)))
    await r.fake.wait_for(
        lambda: [row[0] for row in rows(r.world.messages[overview.id])][-2:] == [f"sw:ack:{third}", f"sw:ack:{fourth}"]
    )

    # Picking up incident 3 on the coordinator's copy: Jansen's row for it shows that too.
    await r.press(abc, combined_of(r, abc, numbers), "ack", third)
    assert r.incident(third).status == IncidentStatus.IN_REVIEW  # type: ignore[union-attr]

    def picked_up() -> bool:
        ack = combined_of(r, jan, numbers).components[0]["components"][0]
        return bool(ack.get("disabled")) and str(ack["label"]) == f"#{third} {DUTCH.phrase(Phrase.BUTTON_IN_REVIEW)}"

    await r.fake.wait_for(picked_up)
    assert r.incident(fourth).status == "open"  # type: ignore[union-attr]

    # Escalating incident 4: its button opens a form with the levels; the choice goes to incident 4 alone.
    opened = await r.press(jan, combined_of(r, jan, numbers), "escalate", fourth)
    assert opened["type"] == MODAL and opened["data"]["custom_id"] == f"sw:escalate:{fourth}"
    submitted = r.fake.submit_modal(
        jan, jan_card.channel_id, f"sw:escalate:{fourth}", {"level": ["leadership"]}, message=jan_card
    )
    await r.respond(submitted)
    assert r.incident(fourth).escalation == "leadership"  # type: ignore[union-attr]
    assert r.incident(third).escalation is None  # type: ignore[union-attr]

    # Incident 3 erased (AVG): the combined copies are withdrawn whole; incident 4, still open, comes on its own
    # again to each viewer; incident 2, closed, does not.
    combined = {user.id: combined_of(r, user, numbers).id for user in (jan, abc)}
    assert await r.adapter.withdraw_cards([third]) == 3
    for user in (jan, abc):

        def withdrawn(u: User = user) -> bool:
            card = r.world.messages[combined[u.id]]
            return not card.embeds and not card.components and f"#{third}" in card.content

        await r.fake.wait_for(withdrawn)
        await r.fake.wait_for(lambda u=user: cards(r.dm_messages(u), {fourth})[-1] == [fourth])  # type: ignore[misc]
        assert [second] not in cards(r.dm_messages(user), {second})
    assert locations.together(str(jan_card.id)) == []


async def test_a_burst_of_seven_long_messages_goes_in_two_messages_within_discords_limits(r: Reviewing) -> None:
    # Long messages: each section is cut to its share of the 6000 characters a message's embeds may hold (the fake
    # refuses more, as Discord does), and five rows of buttons is Discord's most: five incidents, then two.
    filler = " ".join(f"en toen zei ik nog iets over de les van maandag ({n})" for n in range(30))
    first, numbers = await burst(r, 7, f"{INSULT} {filler}")
    for user in (r.school.teacher, r.abc):
        shown = cards(r.dm_messages(user), {first, *numbers})
        assert shown == [[first], numbers[:5], numbers[5:]], user.username
        for message in r.dm_messages(user)[1:]:
            assert len(message.components) == len(message.embeds) == len(numbers_on(message))
            assert sum(len(e["title"]) + len(e["description"]) for e in message.embeds) <= 6000
            assert all(e["description"].startswith("```") for e in message.embeds)
    overview_shows_each_once(r, first, numbers)


async def test_a_card_sent_again_with_its_key_is_the_first_message_not_a_second(r: Reviewing) -> None:
    # What a restart does with a send it cannot know went out: the same nonce, and Discord returns the first one.
    numbers = [await r.flagged(r.school.sanne, f"{INSULT} ({n})") for n in range(2)]
    coordinator = r.core.roster.current().person(PersonId("abc"))
    actor = r.service.actor_by_id("abc")
    assert coordinator is not None and actor is not None
    cards = [r.service.show(n, actor).card for n in numbers]
    assert cards[0] is not None and cards[1] is not None
    port = DiscordCards(r.adapter.client, DUTCH)
    before = len(r.dm_messages(r.abc))
    once = await port.send_together(coordinator, cards, key="cards-abc-again")  # type: ignore[arg-type]
    again = await port.send_together(coordinator, cards, key="cards-abc-again")  # type: ignore[arg-type]
    assert once == again and len(r.dm_messages(r.abc)) == before + 1
    other = await port.send(coordinator, cards[0], key="another-key")
    assert other != once and len(r.dm_messages(r.abc)) == before + 2
