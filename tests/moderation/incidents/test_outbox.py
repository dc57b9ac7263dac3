"""The outbox: an incident's owed actions are stored with it, each is done once (again after a crash at any step),
resumed at start and on a replay; a database outage during an action waits; a stop finishes the message in hand."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Core, build_policies
from bot.texts.nl import DUTCH
from moderation.actions import owed_actions
from moderation.incidents.outbox import SqlOutbox
from moderation.incidents.store import SqlIncidentStore
from moderation.model import AccountId, Category, EventId, Message, Platform, RoomId, Severity, Verdict
from moderation.pipeline import Moderator, Stopping
from moderation.ports import OVERVIEW, IncidentDraft, IncidentRef, StoreUnavailable
from moderation.rules import ALL_RULES
from moderation.storage.incidents import HistoryRow, IncidentRow, OutboxRow
from tests.support.core import make_core
from tests.support.fakes import KeywordClassifier, RecordingEnforcer

ROOMS = [{"platform": "console", "id": "klas-2b", "name": "klas-2b", "kind": "class", "abuse_action": "delete"}]


class Crash(BaseException):
    """The process dies here (a kill): nothing after this line runs, nothing is cleaned up."""


@pytest.fixture
def core(tmp_path: Path, database_url: str) -> Iterator[Core]:
    core = make_core(tmp_path, rooms=ROOMS, classifier=KeywordClassifier(), database_url=database_url)
    yield core
    core.close()


def moderator(core: Core, *, die_at: str | None = None, workers: int = 0) -> Moderator:
    """A fresh Moderator on the same database, as a restarted process has; `die_at` crashes it at that step."""

    def checkpoint(step: str) -> None:
        if step == die_at:
            raise Crash(step)

    return Moderator(
        texts=DUTCH,
        policies=build_policies(core.settings),
        rules=ALL_RULES,
        directory=core.directory,
        store=core.store,
        outbox=SqlOutbox(core.sessions, core.roster.current),
        clock=core.clock,
        classifier=KeywordClassifier(),
        store_retry_delay=0.001,
        checkpoint=checkpoint,
        delivery_workers={Platform.CONSOLE: workers},
    )


@dataclass
class CardEnforcer(RecordingEnforcer):
    """Delivers the card copy by copy (as the Matrix enforcer does): each copy is an owed action of its own."""

    viewers: tuple[str, ...] = ("jan", "abc", OVERVIEW)
    unreachable_for: int = 0  # the first calls of notify find the database away (e.g. a state-store read)
    gate: asyncio.Event | None = None  # when set, delete waits for it (a slow platform)
    card_gate: asyncio.Event | None = None  # when set, every card waits for it (a slow direct-room creation)
    copies: list[str] = field(default_factory=list)

    def card_viewers(self, draft: IncidentDraft) -> Sequence[str]:
        return self.viewers

    async def deliver_card(self, incident: IncidentRef, viewer: str) -> None:
        if self.card_gate is not None:
            await self.card_gate.wait()
        self._call("card", f"{incident.id}:{viewer}")

    async def delete(self, message: Message, reason: str) -> None:
        if self.gate is not None:
            await self.gate.wait()
        await super().delete(message, reason)

    async def notify_sender(self, message: Message, text: str) -> None:
        if self.unreachable_for > 0:
            self.unreachable_for -= 1
            raise StoreUnavailable("connection refused")
        await super().notify_sender(message, text)


def msg(text: str = "jij sukkel", event: str = "e1") -> Message:
    return Message(Platform.CONSOLE, RoomId("klas-2b"), EventId(event), AccountId("sanne"), text, datetime.now(UTC))


def owed(core: Core) -> list[tuple[str, str, str]]:
    with core.sessions() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [(r.kind, r.target, r.status) for r in rows]


def history(core: Core) -> list[str]:
    with core.sessions() as session:
        return [h.action for h in session.scalars(select(HistoryRow).order_by(HistoryRow.id))]


def status(core: Core) -> list[str]:
    with core.sessions() as session:
        return [i.action_status for i in session.scalars(select(IncidentRow).order_by(IncidentRow.id))]


async def test_the_owed_actions_are_stored_with_the_incident_and_resumed_at_start(core: Core) -> None:
    with pytest.raises(Crash):
        await moderator(core, die_at="recorded").handle(msg(), RecordingEnforcer())
    # The incident and everything it still needs were committed together, before anything was done.
    assert owed(core) == [("delete", "", "pending"), ("notify-sender", "", "pending"), ("announce", "", "pending")]
    assert status(core) == ["pending"]
    enforcer = RecordingEnforcer()
    assert await moderator(core).resume(Platform.CONSOLE, enforcer) == 3
    assert enforcer.names() == ["delete", "notify", "announce"]
    assert [s for _k, _t, s in owed(core)] == ["done"] * 3 and status(core) == ["done"]
    assert await moderator(core).resume(Platform.CONSOLE, RecordingEnforcer()) == 0  # nothing twice


async def test_a_crash_at_any_step_is_finished_and_each_action_recorded_once(core: Core) -> None:
    """Killed after the platform call and before it was marked done: that one call is made again (the platform's
    side makes a redo harmless), every other call exactly once, and the history has one line per action."""
    steps = ["delete", "notify-sender", "card:jan", "card:abc", "card:overview"]
    for number, step in enumerate(steps, start=1):
        first = CardEnforcer()
        with pytest.raises(Crash):
            await moderator(core, die_at=step).handle(msg(event=f"e{number}"), first)
        restarted = CardEnforcer()
        await moderator(core).resume(Platform.CONSOLE, restarted)
        calls = first.calls + restarted.calls
        made = [name if name != "card" else f"card:{detail.split(':')[1]}" for name, detail in calls]
        redone = step.replace("notify-sender", "notify")
        for call in ("delete", "notify", "card:jan", "card:abc", "card:overview"):
            assert made.count(call) == (2 if call == redone else 1), (step, call, made)
    lines = history(core)
    assert lines.count("delete") == len(steps) and lines.count("notify-sender") == len(steps)
    assert lines.count("announce") == 3 * len(steps)  # one line per copy of the card
    assert status(core) == ["done"] * len(steps)


async def test_a_replay_of_the_event_finishes_what_was_left(core: Core) -> None:
    with pytest.raises(Crash):
        await moderator(core, die_at="notify-sender").handle(msg(), CardEnforcer())
    enforcer = CardEnforcer()
    again = await moderator(core).handle(msg(), enforcer)  # the platform delivers the same event again
    assert again.duplicate and again.incident is None
    assert enforcer.names() == ["notify", "card", "card", "card"]  # the delete was done and is not repeated
    assert status(core) == ["done"]
    assert (await moderator(core).handle(msg(), CardEnforcer())).actions == ()


def test_finishing_an_action_is_a_compare_and_set(core: Core) -> None:
    verdict = Verdict("R2", "t", Category.INSULT, Severity.LOW, 1.0, "x")
    draft = IncidentDraft(msg(), verdict, None, (), "klas-2b")
    draft = replace(draft, owed=owed_actions(draft, RecordingEnforcer(), dry=False))
    ref = SqlIncidentStore(core.sessions).record(draft, datetime.now(UTC))
    assert ref is not None
    outbox = SqlOutbox(core.sessions, core.roster.current)
    [action] = outbox.pending(Platform.CONSOLE, incident_id=ref.id)
    now = datetime.now(UTC)
    assert outbox.finish(action.id, True, "", now) is True
    assert outbox.finish(action.id, True, "", now) is False  # a second finisher (a replay, a second process) loses
    assert history(core).count("announce") == 1 and status(core) == ["done"]


async def test_a_database_outage_during_an_action_waits_and_is_no_failure(core: Core) -> None:
    enforcer = CardEnforcer(unreachable_for=3)
    outcome = await moderator(core).handle(msg(), enforcer)
    assert [a.ok for a in outcome.actions] == [True] * 5
    assert enforcer.names().count("notify") == 1 and status(core) == ["done"]


async def test_a_stop_takes_no_new_event_and_finishes_the_one_in_hand(core: Core) -> None:
    gate = asyncio.Event()
    enforcer = CardEnforcer(gate=gate)
    running = moderator(core)
    in_hand = asyncio.create_task(running.handle(msg(), enforcer))
    while not enforcer.gate or not owed(core):  # recorded; now waiting in its delete
        await asyncio.sleep(0.01)
    stopping = asyncio.create_task(running.stop_taking(grace=10))
    await asyncio.sleep(0.05)
    with pytest.raises(Stopping):
        await running.handle(msg("nog een sukkel", "e2"), enforcer)
    assert not stopping.done()  # it waits for the message in hand
    gate.set()
    assert await stopping is True
    assert (await in_hand).incident is not None
    assert status(core) == ["done"] and len(owed(core)) == 5


async def test_a_stop_gives_up_after_the_grace_period(core: Core) -> None:
    enforcer = CardEnforcer(gate=asyncio.Event())  # a delete that never returns
    running = moderator(core)
    in_hand = asyncio.create_task(running.handle(msg(), enforcer))
    while not owed(core):
        await asyncio.sleep(0.01)
    assert await running.stop_taking(grace=0.2) is False
    in_hand.cancel()
    with pytest.raises(asyncio.CancelledError):
        await in_hand
    # What was not done stays owed, for the next start.
    assert [s for _k, _t, s in owed(core)] == ["pending"] * 5
    restarted = CardEnforcer()
    assert await moderator(core).resume(Platform.CONSOLE, restarted) == 5
    assert status(core) == ["done"]


async def test_with_workers_the_next_message_does_not_wait_for_the_cards(core: Core) -> None:
    """The message path is judge -> record -> delete; the notice and the cards follow from the workers."""
    enforcer = CardEnforcer(card_gate=asyncio.Event())  # the cards hang, like a slow homeserver
    running = moderator(core, workers=2)
    first = await running.handle(msg(event="e1"), enforcer)
    second = await running.handle(msg("nog een sukkel", "e2"), enforcer)
    assert [a.kind.value for a in first.actions] == ["delete"] and second.actions[0].ok
    # Both deleted while the first one's cards still wait.
    assert [n for n in enforcer.names() if n in ("delete", "card")] == ["delete", "delete"]
    assert status(core) == ["pending", "pending"]
    again = await running.handle(msg(event="e1"), enforcer)  # a replay meanwhile leaves them to the workers
    assert again.duplicate and again.actions == ()
    assert enforcer.card_gate is not None
    enforcer.card_gate.set()
    assert await running.stop_taking(grace=10) is True  # a stop waits for what the workers hold
    assert status(core) == ["done", "done"]
    assert enforcer.names().count("card") == 6 and enforcer.names().count("notify") == 2
