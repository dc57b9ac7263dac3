"""Micro-batching: many concurrent `apredict` calls become few model calls, in one worker thread.

The event loop never runs the model. Each call queues its text at once and gets a future to await (the worker may
start on it while the caller does other work). The worker takes the first waiting text, then keeps collecting until
it has `max_batch` texts or `max_wait_ms` has passed, runs the model once, and hands each caller its own result back
on the caller's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

R = TypeVar("R")


@dataclass(slots=True)
class _Job(Generic[R]):
    text: str
    future: asyncio.Future[R]
    loop: asyncio.AbstractEventLoop


_STOP = object()


class MicroBatcher(Generic[R]):
    def __init__(
        self, predict: Callable[[Sequence[str]], list[R]], *, max_batch: int, max_wait_ms: float, name: str
    ) -> None:
        if max_batch < 1 or max_wait_ms < 0:
            raise ValueError(f"max_batch must be >= 1 and max_wait_ms >= 0, got {max_batch}, {max_wait_ms}")
        self._predict = predict
        self._max_batch = max_batch
        self._max_wait = max_wait_ms / 1000.0
        self._queue: queue.SimpleQueue[_Job[R] | object] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self.batches_run = 0  # how many model calls the worker made; read by tests and benchmarks
        self._thread = threading.Thread(target=self._work, name=f"ml-tier-{name}", daemon=True)
        self._thread.start()

    def submit(self, text: str) -> asyncio.Future[R]:
        """Queue `text` now; the future (of the running loop) gets its result. Call it from the event loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the ML tier is closed")
            self._queue.put(_Job(text, future, loop))
        return future

    def close(self, timeout: float = 10.0) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join(timeout)

    def _work(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            batch: list[_Job[R]] = [first]  # type: ignore[list-item]
            deadline = time.monotonic() + self._max_wait
            while len(batch) < self._max_batch:
                try:
                    job = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if job is _STOP:
                    stopping = True  # finish what was queued before close(), then stop
                    break
                batch.append(job)  # type: ignore[arg-type]
            self._run(batch)

    def _run(self, batch: list[_Job[R]]) -> None:
        try:
            results = self._predict([job.text for job in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"model returned {len(results)} results for {len(batch)} texts")
        except Exception as error:  # one bad batch must not kill the worker; every caller hears about it
            log.exception("ML tier batch of %d failed", len(batch))
            for job in batch:
                _settle(job, None, error)
        else:
            for job, result in zip(batch, results, strict=True):
                _settle(job, result, None)
        self.batches_run += 1


def _settle(job: _Job[R], result: R | None, error: Exception | None) -> None:
    def deliver() -> None:
        if job.future.done():  # the caller was cancelled meanwhile
            return
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)  # type: ignore[arg-type]

    with contextlib.suppress(RuntimeError):  # the caller's loop has closed: nobody is waiting any more
        job.loop.call_soon_threadsafe(deliver)
