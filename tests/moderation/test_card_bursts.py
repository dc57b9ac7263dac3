"""A burst's cards, together: the first card of a quiet spell goes at once, those owed to the same viewer within the
window wait for it and go as one delivery; other viewers are not held up. Pure timing, on a fake delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from moderation.card_bursts import BurstWindow, CardBursts, OwedCard
from moderation.model import AccountId, Category, EventId, Message, Platform, RoomId, Severity, Verdict
from moderation.ports import CARD, IncidentDraft, IncidentRef, PendingAction
from tests.support.fakes import RecordingEnforcer

WHEN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
VERDICT = Verdict("R2", "abusive_content", Category.INSULT, Severity.MEDIUM, 0.9, "test")


def owed_card(n: int, viewer: str) -> OwedCard:
    message = Message(Platform.MATRIX, RoomId("!klas"), EventId(f"$e{n}"), AccountId("@sanne:school"), "x", WHEN)
    incident = IncidentRef(n, IncidentDraft(message, VERDICT, None, (), "klas-2b"), WHEN)
    return OwedCard(PendingAction(100 + n, n, CARD, viewer, {}), incident, RecordingEnforcer())


def test_a_viewer_waits_the_window_after_their_last_delivery_began() -> None:
    window = BurstWindow(2.0)
    assert window.wait("abc", 10.0) == 0.0  # quiet: at once
    window.began("abc", 10.0)
    assert window.wait("abc", 10.5) == 1.5 and window.wait("dir", 10.5) == 0.0
    assert window.wait("abc", 12.5) == 0.0
    window.began("dir", 13.0)  # abc has been quiet for longer than the window: forgotten
    assert window.wait("abc", 13.0) == 0.0


class Deliveries:
    def __init__(self) -> None:
        self.batches: list[tuple[float, str, list[int]]] = []
        self.began = asyncio.get_running_loop().time()

    async def deliver(self, cards: Sequence[OwedCard]) -> None:
        now = asyncio.get_running_loop().time() - self.began
        self.batches.append((now, cards[0].owed.target, [c.incident.id for c in cards]))


async def settled(bursts: CardBursts) -> None:
    for _ in range(500):
        if not bursts.busy:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bursts never settled")


async def test_the_first_card_goes_at_once_and_the_rest_of_the_burst_as_one() -> None:
    done = Deliveries()
    bursts = CardBursts(done.deliver, 0.3, most=3)
    bursts.add(owed_card(1, "abc"))
    await asyncio.sleep(0.05)
    for n in range(2, 7):
        bursts.add(owed_card(n, "abc"))
    bursts.add(owed_card(7, "dir"))  # another viewer: not held up by abc's burst
    await settled(bursts)
    by_viewer = [(viewer, numbers) for _at, viewer, numbers in done.batches]
    assert by_viewer == [("abc", [1]), ("dir", [7]), ("abc", [2, 3, 4]), ("abc", [5, 6])]
    at = {tuple(numbers): when for when, _viewer, numbers in done.batches}
    assert at[(1,)] < 0.05 and at[(7,)] < 0.1  # the first of each viewer at once
    assert 0.28 < at[(2, 3, 4)] < 0.5 and at[(5, 6)] - at[(2, 3, 4)] > 0.28  # then one per window, `most` each


async def test_at_a_stop_nothing_waits_out_its_window() -> None:
    done = Deliveries()
    bursts = CardBursts(done.deliver, 30.0)
    for n in (1, 2, 3):
        bursts.add(owed_card(n, "abc"))
        await asyncio.sleep(0.02)
    await asyncio.wait_for(bursts.flush(), 1.0)
    assert [numbers for _at, _viewer, numbers in done.batches] == [[1], [2, 3]] and not bursts.busy
