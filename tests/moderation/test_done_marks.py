"""The delivery workers' done marks on a real SQLite incident log: written several in one transaction, and a kill
between the deliveries and their marks makes the next start deliver them again, never lose them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, select

from bot.app import Core, build_policies
from bot.texts.nl import DUTCH
from moderation.clock import SystemClock
from moderation.incidents.outbox import SqlOutbox
from moderation.model import AccountId, EventId, Message, Platform, RoomId
from moderation.pipeline import Moderator
from moderation.rules import ALL_RULES
from moderation.storage.incidents import HistoryRow, OutboxRow
from tests.support.core import make_core
from tests.support.fakes import KeywordClassifier, RecordingEnforcer

ROOMS = [{"platform": "console", "id": "klas-2b", "name": "klas-2b", "kind": "class", "abuse_action": "delete"}]
OWED_EACH = 3  # delete, notice, card


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    core = make_core(tmp_path, rooms=ROOMS)
    yield core
    core.close()


def moderator(core: Core, *, interval: float = 0.05, checkpoint: Callable[[str], None] = lambda _s: None) -> Moderator:
    """A Moderator on the core's database whose console actions go through two delivery workers."""
    return Moderator(
        policies=build_policies(core.settings),
        rules=ALL_RULES,
        directory=core.roster,
        store=core.store,
        outbox=SqlOutbox(core.sessions, core.roster.current),
        clock=SystemClock(),
        classifier=KeywordClassifier(),
        one_writer=True,
        checkpoint=checkpoint,
        delivery_workers={Platform.CONSOLE: 2},
        done_mark_interval=interval,
        texts=DUTCH,
    )


def insult(n: int) -> Message:
    when = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    return Message(Platform.CONSOLE, RoomId("klas-2b"), EventId(f"e{n}"), AccountId("sanne"), "jij sukkel", when)


def statuses(core: Core) -> list[str]:
    with core.sessions() as session:
        return list(session.scalars(select(OutboxRow.status).order_by(OutboxRow.id)))


def history_lines(core: Core) -> list[str]:
    with core.sessions() as session:
        return list(session.scalars(select(HistoryRow.action).where(HistoryRow.action != "created")))


async def delivered(enforcer: RecordingEnforcer, count: int) -> None:
    for _ in range(1000):
        if len(enforcer.calls) >= count:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"only {len(enforcer.calls)} of {count} actions were delivered")


async def test_the_marks_of_several_deliveries_are_written_in_one_transaction(core: Core) -> None:
    bot, enforcer = moderator(core, interval=60.0), RecordingEnforcer()  # no mark is written before the stop
    for n in range(3):
        await bot.handle(insult(n), enforcer)
    await delivered(enforcer, 3 * OWED_EACH)
    assert statuses(core) == ["pending"] * (3 * OWED_EACH)  # done on the platform, not marked yet
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(core.engine, "commit", committed)
    assert await bot.stop_taking(grace=5) is True
    event.remove(core.engine, "commit", committed)
    assert len(commits) == 1
    assert statuses(core) == ["done"] * (3 * OWED_EACH)
    assert sorted(history_lines(core)) == sorted(["delete", "notify-sender", "announce"] * 3)


async def test_a_kill_before_the_marks_are_written_delivers_again_and_loses_nothing(core: Core) -> None:
    def killed(step: str) -> None:
        if step == "marks":  # as a kill there would: the batch is never written
            raise RuntimeError("killed before the done marks were written")

    first, before = moderator(core, checkpoint=killed), RecordingEnforcer()
    for n in range(2):
        await first.handle(insult(n), before)
    await delivered(before, 2 * OWED_EACH)
    assert await first.drained(timeout=5)
    assert statuses(core) == ["pending"] * (2 * OWED_EACH)  # delivered, yet still owed in the outbox
    await first.stop_taking(grace=1)

    restarted, after = moderator(core), RecordingEnforcer()
    assert await restarted.resume(Platform.CONSOLE, after) == 2 * OWED_EACH
    assert await restarted.drained(timeout=5)
    assert sorted(after.calls) == sorted(before.calls)  # each delivered again, none lost
    assert statuses(core) == ["done"] * (2 * OWED_EACH)
    assert sorted(history_lines(core)) == sorted(["delete", "notify-sender", "announce"] * 2)
    assert await restarted.stop_taking(grace=1) is True
