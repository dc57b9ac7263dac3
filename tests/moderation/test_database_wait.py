"""Writes to the incident log from the message path and the delivery workers: on SQLite they take turns."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from moderation.database_wait import DatabaseWait


class Writes:
    """A blocking write that notes how many run at the same moment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0
        self.most = 0

    def __call__(self, n: int) -> int:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.03)
        with self._lock:
            self.running -= 1
        return n


@pytest.mark.parametrize("one_writer", [True, False])
async def test_one_writer_lets_blocking_writes_take_turns(one_writer: bool) -> None:
    wait, writes = DatabaseWait(0.01, one_writer=one_writer), Writes()
    results = await asyncio.gather(*(wait.write(writes, n) for n in range(3)))
    assert results == [0, 1, 2]  # every write done, each answer to its own caller
    if one_writer:
        assert writes.most == 1
    else:  # PostgreSQL: side by side, in the worker threads
        assert writes.most >= 2


async def test_bookkeeping_writes_wait_behind_the_message_paths_writes() -> None:
    wait, order = DatabaseWait(0.01, one_writer=True), []

    def write(name: str) -> None:
        time.sleep(0.01)
        order.append(name)

    first = asyncio.create_task(wait.write(write, "record 1"))
    await asyncio.sleep(0)  # the first record holds the writer's turn
    marks = asyncio.create_task(wait.write(write, "done marks", bookkeeping=True))
    await asyncio.sleep(0)
    second = asyncio.create_task(wait.write(write, "record 2"))  # asks after the marks, goes before them
    await asyncio.gather(first, marks, second)
    assert order == ["record 1", "record 2", "done marks"]
