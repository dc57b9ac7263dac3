"""A person's notices of a burst go as one notice listing them, as a viewer's cards go as one combined card; and
what a stop left owed (a backlog in the outbox) goes combined after the start, per viewer and per person, not one by
one. On the real incident log, with the delivery workers, through an enforcer that records what it was asked."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.app import Core
from moderation.model import AccountId, EventId, Message, Platform, RoomId
from moderation.ports import OVERVIEW, IncidentDraft, IncidentRef
from moderation.storage.incidents import HistoryRow
from tests.support.core import make_core
from tests.support.fakes import KeywordClassifier

ROOMS = [{"platform": "matrix", "id": "!klas", "name": "klas-2b", "kind": "class", "abuse_action": "delete"}]
BURSTS = {"bot": {"card_burst_s": 2.0, "notice_burst_s": 2.0}}


@dataclass
class Hands:
    """Records each call; `held`: notices and cards wait for it (a stop in the middle of a burst)."""

    calls: list[tuple[str, str, tuple[int | str, ...]]] = field(default_factory=list)
    held: asyncio.Event | None = None

    async def delete(self, message: Message, reason: str) -> None:
        self.calls.append(("delete", message.author, (message.event_id,)))

    async def notify_sender(self, message: Message, text: str) -> None:
        await self._wait()
        self.calls.append(("notice", message.author, (message.event_id,)))

    async def notify_sender_together(self, notices: Sequence[tuple[Message, str]]) -> None:
        await self._wait()
        self.calls.append(("notices", notices[0][0].author, tuple(m.event_id for m, _t in notices)))

    async def announce(self, incident: IncidentRef) -> None:
        self.calls.append(("announce", "", (incident.id,)))

    def card_viewers(self, draft: IncidentDraft) -> Sequence[str]:
        return ["abc", OVERVIEW]

    async def deliver_card(self, incident: IncidentRef, viewer: str) -> None:
        await self._wait()
        self.calls.append(("card", viewer, (incident.id,)))

    async def deliver_cards(self, incidents: Sequence[IncidentRef], viewer: str) -> None:
        await self._wait()
        self.calls.append(("cards", viewer, tuple(sorted(i.id for i in incidents))))

    async def _wait(self) -> None:
        if self.held is not None:
            await self.held.wait()

    def of(self, *kinds: str) -> list[tuple[str, str, tuple[int | str, ...]]]:
        return [c for c in self.calls if c[0] in kinds]


def message(n: int, author: str) -> Message:
    when = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    return Message(Platform.MATRIX, RoomId("!klas"), EventId(f"$e{n}"), AccountId(author), f"jij sukkel ({n})", when)


def core_at(tmp_path: Path) -> Core:
    return make_core(tmp_path, rooms=ROOMS, classifier=KeywordClassifier(), extra_settings=BURSTS)


async def test_a_persons_notices_within_the_window_go_as_one(tmp_path: Path) -> None:
    core = core_at(tmp_path)
    hands = Hands()
    await core.moderator.handle(message(1, "@daan:school"), hands)
    assert await core.moderator.drained()
    for n, who in ((2, "@daan:school"), (3, "@sanne:school"), (4, "@daan:school")):
        await core.moderator.handle(message(n, who), hands)
    assert await core.moderator.drained()

    deleted = ((1, "@daan:school"), (2, "@daan:school"), (3, "@sanne:school"), (4, "@daan:school"))
    assert hands.of("delete") == [("delete", a, (f"$e{n}",)) for n, a in deleted]
    assert sorted(hands.of("notice", "notices")) == [
        ("notice", "@daan:school", ("$e1",)),  # the first of a quiet spell goes at once
        ("notice", "@sanne:school", ("$e3",)),  # someone else's are their own
        ("notices", "@daan:school", ("$e2", "$e4")),
    ]
    with core.sessions() as session:
        details = [d for (d,) in session.query(HistoryRow.detail)]
    assert details.count("ok: in one notice with #2, #4") == 2  # each incident's history says which notice
    core.close()


async def test_what_a_stop_left_owed_goes_combined_after_the_start(tmp_path: Path) -> None:
    first = core_at(tmp_path)
    stuck = Hands(held=asyncio.Event())  # the homeserver takes the deletions, and nothing else before the stop
    for n, who in ((1, "@daan:school"), (2, "@sanne:school"), (3, "@daan:school")):
        await first.moderator.handle(message(n, who), stuck)
    assert not await first.moderator.stop_taking(grace=0.2)  # notices and cards still owed
    first.close()
    assert len(stuck.of("delete")) == 3 and not stuck.of("notice", "notices", "card", "cards")

    core = core_at(tmp_path)
    hands = Hands()
    assert await core.moderator.resume(Platform.MATRIX, hands) == 9  # 3 notices and 6 cards handed over
    assert await core.moderator.drained()
    assert hands.of("delete") == []  # done before the stop
    assert sorted(hands.of("card", "cards")) == [("cards", "abc", (1, 2, 3)), ("cards", OVERVIEW, (1, 2, 3))]
    assert sorted(hands.of("notice", "notices")) == [
        ("notice", "@sanne:school", ("$e2",)),
        ("notices", "@daan:school", ("$e1", "$e3")),
    ]
    core.close()
