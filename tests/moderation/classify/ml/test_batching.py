"""The micro-batcher with a plain function as its model: batching, ordering, errors, shutdown."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from moderation.classify.ml.batching import MicroBatcher


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()

    def __call__(self, texts: Sequence[str]) -> list[int]:
        self.batches.append(list(texts))
        self.threads.add(threading.current_thread().name)
        return [len(text) for text in texts]


async def test_concurrent_calls_share_model_calls_and_each_gets_its_own_answer() -> None:
    model = Recorder()
    batcher = MicroBatcher(model, max_batch=8, max_wait_ms=50, name="test")
    texts = ["x" * n for n in range(40)]
    try:
        results = await asyncio.gather(*(batcher.submit(text) for text in texts))
    finally:
        batcher.close()
    assert results == list(range(40))
    assert len(model.batches) < 40
    assert max(len(batch) for batch in model.batches) <= 8
    assert sorted(t for batch in model.batches for t in batch) == sorted(texts)
    assert model.threads == {"ml-tier-test"}  # never the event loop's thread
    assert batcher.batches_run == len(model.batches)


async def test_a_lone_call_waits_at_most_max_wait() -> None:
    model = Recorder()
    batcher = MicroBatcher(model, max_batch=32, max_wait_ms=1, name="lone")
    try:
        assert await asyncio.wait_for(batcher.submit("abc"), timeout=5) == 3
    finally:
        batcher.close()
    assert model.batches == [["abc"]]


async def test_a_failing_batch_reaches_every_caller_and_the_worker_survives() -> None:
    calls = 0

    def flaky(texts: Sequence[str]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("model exploded")
        return [1 for _ in texts]

    batcher = MicroBatcher(flaky, max_batch=4, max_wait_ms=20, name="flaky")
    try:
        first = await asyncio.gather(batcher.submit("a"), batcher.submit("b"), return_exceptions=True)
        assert all(isinstance(r, RuntimeError) and "exploded" in str(r) for r in first)
        assert await batcher.submit("c") == 1
    finally:
        batcher.close()


async def test_a_model_returning_the_wrong_number_of_results_is_an_error() -> None:
    batcher: MicroBatcher[int] = MicroBatcher(lambda texts: [], max_batch=4, max_wait_ms=1, name="short")
    try:
        with pytest.raises(RuntimeError, match="0 results for 1 texts"):
            await batcher.submit("a")
    finally:
        batcher.close()


async def test_a_cancelled_caller_does_not_disturb_the_others() -> None:
    release = threading.Event()

    def slow(texts: Sequence[str]) -> list[int]:
        release.wait(5)
        return [len(t) for t in texts]

    batcher = MicroBatcher(slow, max_batch=1, max_wait_ms=0, name="slow")
    try:
        doomed = asyncio.ensure_future(batcher.submit("aa"))
        kept = asyncio.ensure_future(batcher.submit("bbb"))
        await asyncio.sleep(0.05)
        doomed.cancel()
        release.set()
        assert await kept == 3
        assert doomed.cancelled()
    finally:
        batcher.close()


async def test_after_close_calls_are_refused() -> None:
    batcher = MicroBatcher(Recorder(), max_batch=4, max_wait_ms=1, name="closed")
    batcher.close()
    batcher.close()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        await batcher.submit("a")


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        MicroBatcher(Recorder(), max_batch=0, max_wait_ms=1, name="bad")
