"""The card ledger: which copies exist, who gets one, refreshing and withdrawing them, written once for every
platform. The platform side is a recording port (pure bookkeeping); the review service and database are real."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import replace

import pytest

from bot.texts.nl import DUTCH
from moderation.incidents.card_ledger import CardLedger
from moderation.incidents.card_locations import CardLocations, LedgerKeys
from moderation.incidents.cards import Card
from moderation.model import Person, PersonId
from moderation.ports import OVERVIEW, CardAddress, CardFailed
from tests.support.core import OPEN_CORES
from tests.support.review import School, actor, make_school

KEYS = LedgerKeys(copies="test.copies.", by_message="test.card.", listing="test.copies.index")


class Memory(dict[str, str]):
    def set(self, key: str, value: str) -> None:
        self[key] = value


class RecordingPort:
    """Copies in a dictionary: message id -> (viewer, what it shows now); `broken` messages fail to change."""

    def __init__(self) -> None:
        self.shown: dict[str, tuple[str, Card | str]] = {}
        self.unreachable: set[str] = set()
        self.broken: set[str] = set()

    def reaches(self, person: Person) -> bool:
        return str(person.id) not in self.unreachable

    async def send(self, viewer: Person | None, card: Card, *, key: str | None = None) -> CardAddress | None:
        name = str(viewer.id) if viewer is not None else OVERVIEW
        message = f"m{len(self.shown) + 1}"
        self.shown[message] = (name, card)
        return CardAddress(f"room-{name}", message)

    async def edit(self, where: CardAddress, card: Card) -> CardAddress | None:
        if where.message in self.broken:
            raise CardFailed("403 Missing Access")
        self.shown[where.message] = (self.shown[where.message][0], card)
        return where._replace(edits=(*where.edits, f"{where.message}-edit"))

    async def withdraw(self, where: CardAddress, notice: str) -> None:
        if where.message in self.broken:
            raise CardFailed("403 Missing Access")
        self.shown[where.message] = (self.shown[where.message][0], notice)


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    """One school for the module (each test makes its own incidents): building one takes seconds."""
    school = make_school(tmp_path_factory.mktemp("ledger"))
    OPEN_CORES.remove(school.core)  # closed at the module's end, not after its first test
    yield school
    school.core.close()


def ledger_of(school: School, port: RecordingPort, state: Memory) -> CardLedger:
    return CardLedger(port, CardLocations(state, KEYS), school.review, DUTCH, platform="test")


async def test_each_reviewer_gets_one_copy_as_the_service_shows_it_to_them(school: School) -> None:
    port, state = RecordingPort(), Memory()
    ledger = ledger_of(school, port, state)
    n = await school.incident("sanne", "[insult] jij sukkel")
    port.unreachable.add("abc")
    people = [PersonId("jan"), PersonId("abc"), PersonId("eva"), PersonId("jan")]
    assert await ledger.deliver(n, people) == []
    assert set(ledger.copies(n)) == {"jan"}  # abc cannot be reached here; eva is not sanne's mentor
    assert await ledger.deliver(n, [PersonId("jan")]) == []  # delivered again: no second copy
    assert len(port.shown) == 1
    message = ledger.copies(n)["jan"].message
    assert ledger.locations.incident_of(message) == n and ledger.holds(n, message) and not ledger.holds(n, "elsewhere")


async def test_an_escalation_brings_the_card_to_whom_it_added_and_every_copy_follows(school: School) -> None:
    port, state = RecordingPort(), Memory()
    ledger = ledger_of(school, port, state)
    n = await school.incident("sanne", "[sexual] stuur")  # not bullying: the mentor only
    await ledger.deliver(n, [PersonId("jan")])
    ledger.remember(n, OVERVIEW, CardAddress("room-overview", "overview-1"))
    port.shown["overview-1"] = (OVERVIEW, "first card")
    result = school.review.escalate(n, actor(school, "jan"), "coordinator")
    assert result.added == (PersonId("abc"),)
    assert await ledger.follow(result) == []
    copies = ledger.copies(n)
    assert set(copies) == {"jan", "abc", OVERVIEW}
    for viewer in ("jan", OVERVIEW):
        shown = port.shown[copies[viewer].message][1]
        assert isinstance(shown, Card) and shown.escalation == "coordinator"
        assert copies[viewer].edits  # the edit is remembered: withdrawing the copy must take it too
    again = school.review.escalate(n, actor(school, "jan"), "coordinator")
    assert again.added == ()  # unchanged: nobody new


async def test_the_reporter_is_only_in_leaderships_own_copies(school: School) -> None:
    port, state = RecordingPort(), Memory()
    ledger = ledger_of(school, port, state)
    n = await school.incident("sanne", "[insult] jij sukkel")
    await ledger.deliver(n, [PersonId("jan"), PersonId("dir")])
    ledger.remember(n, OVERVIEW, CardAddress("room-overview", "overview-1"))
    port.shown["overview-1"] = (OVERVIEW, "first card")
    card = school.review.show(n, actor(school, "dir")).card
    assert card is not None
    await ledger.refresh(n, replace(card, reporter="daan"))
    reporters = {viewer: shown.reporter for viewer, shown in port.shown.values() if isinstance(shown, Card)}
    assert reporters == {"jan": None, "dir": "daan", OVERVIEW: None}


async def test_a_copy_that_cannot_be_withdrawn_is_kept_and_tried_again(school: School) -> None:
    port, state = RecordingPort(), Memory()
    ledger = ledger_of(school, port, state)
    n = await school.incident("sanne", "[insult] jij sukkel")
    await ledger.deliver(n, [PersonId("jan"), PersonId("abc")])
    stuck = ledger.copies(n)["abc"].message
    port.broken.add(stuck)
    assert await ledger.withdraw(n) == 1
    assert set(ledger.copies(n)) == {"abc"} and n in ledger.locations.with_copies()
    port.broken.clear()
    assert await ledger.withdraw(n) == 1
    assert ledger.copies(n) == {} and n not in ledger.locations.with_copies()
    assert port.shown[stuck][1] == f"Melding #{n} is gewist (privacy)."


async def test_a_viewer_who_left_loses_the_copy_instead_of_news(school: School) -> None:
    port, state = RecordingPort(), Memory()
    ledger = ledger_of(school, port, state)
    n = await school.incident("sanne", "[insult] jij sukkel")
    await ledger.deliver(n, [PersonId("jan")])
    ledger.remember(n, "left-in-july", CardAddress("room-x", "old"))
    port.shown["old"] = ("left-in-july", "old card")
    assert await ledger.withdraw_departed() == 1
    assert (
        set(ledger.copies(n)) == {"jan"}
        and port.shown["old"][1] == f"Melding #{n} is ingetrokken: de ontvanger is niet meer van school."
    )


class SlowPort(RecordingPort):
    """An edit that takes its time on the way (a press's follow-up while the homeserver is busy)."""

    def __init__(self) -> None:
        super().__init__()
        self.editing = asyncio.Event()
        self.go_on = asyncio.Event()

    async def edit(self, where: CardAddress, card: Card) -> CardAddress | None:
        self.editing.set()
        await self.go_on.wait()
        return await super().edit(where, card)


async def test_an_edit_on_its_way_never_lands_on_a_withdrawn_copy(school: School) -> None:
    port, state = SlowPort(), Memory()
    ledger = ledger_of(school, port, state)
    n = await school.incident("sanne", "[insult] jij sukkel")
    await ledger.deliver(n, [PersonId("jan")])
    where = ledger.copies(n)["jan"]
    card = school.review.show(n, actor(school, "jan")).card
    assert card is not None
    following = asyncio.create_task(ledger.show_in(n, "jan", where, card))
    await port.editing.wait()
    erasing = asyncio.create_task(ledger.withdraw(n))  # the erasure comes while the edit is on its way
    await asyncio.sleep(0.01)
    port.go_on.set()
    await following
    assert await erasing == 1
    assert port.shown[where.message][1] == f"Melding #{n} is gewist (privacy)."  # withdrawn last, and it stays
    assert ledger.copies(n) == {}

    await ledger.show_in(n, "jan", where, card)  # a follow-up that comes only now changes nothing
    assert port.shown[where.message][1] == f"Melding #{n} is gewist (privacy)."
    assert ledger.copies(n) == {}


def test_the_first_discord_shape_and_garbage_are_read() -> None:
    state = Memory({"test.copies.7": '[[10, 20, "jan"], [11, 21, ""]]', "test.copies.8": "{not json"})
    locations = CardLocations(state, KEYS)
    assert locations.of(7) == {"jan": CardAddress("10", "20"), OVERVIEW: CardAddress("11", "21")}
    assert locations.known(8) is None and locations.of(8) == {}


class CombiningPort(RecordingPort):
    """A port that can also put several cards in one message: message id -> (viewer, the cards it shows now)."""

    def __init__(self) -> None:
        super().__init__()
        self.together: dict[str, tuple[str, list[Card]]] = {}
        self.keys: list[str] = []

    async def send_together(self, viewer: Person | None, cards: Sequence[Card], *, key: str) -> CardAddress | None:
        name = str(viewer.id) if viewer is not None else OVERVIEW
        self.keys.append(key)
        message = f"t{len(self.together) + 1}"
        self.together[message] = (name, list(cards))
        return CardAddress(f"room-{name}", message)

    async def edit_together(self, where: CardAddress, cards: Sequence[Card]) -> CardAddress | None:
        self.together[where.message] = (self.together[where.message][0], list(cards))
        return where._replace(edits=(*where.edits, f"{where.message}-edit{len(where.edits) + 1}"))

    async def withdraw(self, where: CardAddress, notice: str) -> None:
        if where.message in self.together:
            self.together[where.message] = (self.together[where.message][0], [])
            return
        await super().withdraw(where, notice)


async def test_a_burst_goes_to_one_viewer_as_one_combined_card_each_incident_its_own(school: School) -> None:
    port, state = CombiningPort(), Memory()
    ledger = ledger_of(school, port, state)
    numbers = [await school.incident("sanne", f"[insult] jij sukkel {k}") for k in range(3)]
    assert await ledger.deliver_together(numbers, "abc", key="k1") == []
    [(message, (viewer, cards))] = port.together.items()
    assert viewer == "abc" and [c.id for c in cards] == numbers and not port.shown
    assert all(ledger.copies(n)["abc"].message == message for n in numbers)
    assert ledger.incidents_on(message) == numbers and all(ledger.holds(n, message) for n in numbers)
    assert await ledger.deliver_together(numbers, "abc", key="k1") == []  # again: every one already held
    assert await ledger.deliver(numbers[0], [PersonId("abc")]) == []  # nor a card of its own
    assert len(port.together) == 1 and not port.shown and ledger.locations.plan("abc") is None

    # A change to one edits the combined card, showing the others as they are; every copy knows the edit.
    result = school.review.acknowledge(numbers[1], actor(school, "abc"))
    assert await ledger.follow(result) == []
    shown = port.together[message][1]
    assert [c.id for c in shown] == numbers and [c.status for c in shown] == ["open", "in-review", "open"]
    assert all(ledger.copies(n)["abc"].edits == (f"{message}-edit1",) for n in numbers)


async def test_a_combined_card_withdrawn_for_one_brings_the_others_their_own(school: School) -> None:
    port, state = CombiningPort(), Memory()
    ledger = ledger_of(school, port, state)
    numbers = [await school.incident("sanne", f"[insult] jij sukkel {k}") for k in range(2)]
    await ledger.deliver_together(numbers, OVERVIEW, key="k2")
    [message] = port.together
    assert all(card.reporter is None for card in port.together[message][1])
    assert await ledger.withdraw(numbers[0]) == 1  # erased: the combined card holds its excerpt, so it goes
    assert port.together[message][1] == [] and ledger.locations.together(message) == []
    assert ledger.copies(numbers[0]) == {}
    own = ledger.copies(numbers[1])[OVERVIEW]
    assert own.message != message and port.shown[own.message][1].id == numbers[1]  # type: ignore[union-attr]


async def test_a_combined_card_cut_off_before_it_was_remembered_is_sent_again_as_the_same(school: School) -> None:
    class Killed(Exception):
        pass

    class KilledAfterSending(CombiningPort):
        async def send_together(self, viewer: Person | None, cards: Sequence[Card], *, key: str) -> CardAddress:
            await super().send_together(viewer, cards, key=key)
            raise Killed  # as a kill right after the homeserver took it

    port, state = KilledAfterSending(), Memory()
    numbers = [await school.incident("sanne", f"[insult] jij sukkel {k}") for k in range(3)]
    with pytest.raises(Killed):
        await ledger_of(school, port, state).deliver_together(numbers, "abc", key="k3")
    assert ledger_of(school, port, state).locations.plan("abc") == ("k3", numbers)

    after = CombiningPort()  # the next start: each card is owed one by one
    restarted = ledger_of(school, after, state)
    for n in numbers:
        assert await restarted.deliver(n, [PersonId("abc")]) == []
    assert after.keys == ["k3"] and not after.shown  # the same card (the homeserver answers with the first)
    assert restarted.locations.plan("abc") is None
    assert {restarted.copies(n)["abc"].message for n in numbers} == {"t1"}


async def test_owed_together_after_a_kill_the_planned_card_goes_again_as_the_same_and_the_rest_apart(
    school: School,
) -> None:
    class Killed(Exception):
        pass

    class KilledAfterSending(CombiningPort):
        async def send_together(self, viewer: Person | None, cards: Sequence[Card], *, key: str) -> CardAddress:
            await super().send_together(viewer, cards, key=key)
            raise Killed

    port, state = KilledAfterSending(), Memory()
    numbers = [await school.incident("sanne", f"[insult] jij sukkel {k}") for k in range(4)]
    with pytest.raises(Killed):
        await ledger_of(school, port, state).deliver_together(numbers[:3], "abc", key="k3")

    after = CombiningPort()  # the next start: the backlog of this viewer together, one more than the plan held
    restarted = ledger_of(school, after, state)
    assert await restarted.deliver_together(numbers, "abc", key="k4") == []
    assert after.keys == ["k3"]  # the planned card again (the homeserver answers with the first) ...
    assert {restarted.copies(n)["abc"].message for n in numbers[:3]} == {"t1"}
    own = restarted.copies(numbers[3])["abc"].message  # ... and the one it did not hold as a card of its own
    assert [card.id for _name, card in after.shown.values()] == [numbers[3]] and own in after.shown
    assert restarted.locations.plan("abc") is None


async def test_a_combined_card_that_failed_is_a_failure_of_each_and_leaves_no_plan(school: School) -> None:
    class Refusing(CombiningPort):
        async def send_together(self, viewer: Person | None, cards: Sequence[Card], *, key: str) -> CardAddress:
            raise CardFailed("403 Forbidden")

    port, state = Refusing(), Memory()
    ledger = ledger_of(school, port, state)
    numbers = [await school.incident("sanne", f"[insult] jij sukkel {k}") for k in range(2)]
    assert await ledger.deliver_together(numbers, "abc", key="k4") == ["combined card for abc: 403 Forbidden"]
    assert ledger.locations.plan("abc") is None and all(ledger.copies(n) == {} for n in numbers)
