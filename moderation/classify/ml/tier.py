"""The ML tier's contract, and the shared half of every backend: batching and cleanup."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from moderation.classify.ml.batching import MicroBatcher
from moderation.classify.ml.labels import prepare
from moderation.model import Category

Scores = dict[Category, float]


class MLTier(Protocol):
    """A local model that scores texts per category (0..1).

    A category the model has no label for is absent from the dict: "no opinion", not "harmless".
    """

    name: str

    def predict(self, texts: Sequence[str]) -> list[Scores]:
        """Blocking and batched; call it from a worker thread, never from the event loop."""
        ...

    def apredict(self, text: str) -> Awaitable[Scores]:
        """Queue one text for the worker thread, which batches it with others arriving at the same time; await the
        result. The backends queue it at once, so the worker may run while the caller does other work."""
        ...

    def close(self) -> None: ...


class BatchedTier:
    """Implements MLTier around a backend's `run(texts) -> scores` (texts already bounded and valid UTF-8)."""

    def __init__(
        self,
        name: str,
        run: Callable[[list[str]], list[Scores]],
        *,
        max_batch: int,
        max_wait_ms: float,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self._run = run
        self._on_close = on_close
        self.batcher: MicroBatcher[Scores] = MicroBatcher(
            self.predict, max_batch=max_batch, max_wait_ms=max_wait_ms, name=name
        )

    def predict(self, texts: Sequence[str]) -> list[Scores]:
        if not texts:
            return []
        return self._run(prepare(texts))

    def apredict(self, text: str) -> asyncio.Future[Scores]:
        return self.batcher.submit(text)

    def close(self) -> None:
        self.batcher.close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None
