"""The cards of a burst, together: when one viewer is owed cards of several incidents within a short while (a fight
video shared in five rooms, a threat against the school), the later ones wait out the window and go as one combined
card, instead of one message each to every coordinator, every member of school leadership and the overview.

The first card of a quiet spell goes at once; after each delivery to a viewer, the next one to them waits until
`window` seconds have passed since it began, and takes everything owed to them meanwhile (at most `most`). Nothing
leaves the outbox before it was delivered: a kill while cards wait here finds them pending at the next start.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext, suppress
from dataclasses import dataclass

from moderation.ports import Enforcer, IncidentRef, PendingAction


class BurstWindow:
    """When a viewer's next delivery may go (pure timing): `window` seconds after their previous one began."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._last: dict[Hashable, float] = {}

    def wait(self, viewer: Hashable, now: float) -> float:
        """Seconds until the next delivery to `viewer` may begin (0: now)."""
        last = self._last.get(viewer)
        return 0.0 if last is None else max(0.0, last + self.window - now)

    def began(self, viewer: Hashable, now: float) -> None:
        self._last[viewer] = now
        for old in [v for v, at in self._last.items() if at + self.window < now]:
            del self._last[old]  # quiet viewers are forgotten: their next card goes at once


@dataclass(frozen=True, slots=True)
class OwedCard:
    """One copy of an incident's card, owed to `owed.target`, waiting to be delivered with others."""

    owed: PendingAction
    incident: IncidentRef
    enforcer: Enforcer


class CardBursts:
    def __init__(
        self,
        deliver: Callable[[Sequence[OwedCard]], Awaitable[object]],
        window: float,
        *,
        most: int = 8,
        at_once: int = 4,
        clock: Callable[[], float] = time.monotonic,
        viewer: Callable[[OwedCard], Hashable] | None = None,
        paced: Callable[[OwedCard], AbstractAsyncContextManager[object]] | None = None,
    ) -> None:
        self._deliver = deliver  # the cards of one viewer, one or several, delivered and marked by the runner
        self._timing = BurstWindow(window)
        self._most = most  # a combined card stays readable on a phone
        self._clock = clock
        self._viewer = viewer or _card_viewer  # whose deliveries are counted together (a person's notices: theirs)
        # Entered before a batch is taken: while the platform makes the deliveries wait, more join the batch.
        self._paced = paced or (lambda _card: nullcontext())
        self._slots = asyncio.Semaphore(at_once)  # deliveries at once, over every viewer
        self._owed: dict[Hashable, list[OwedCard]] = {}
        self._runs: dict[Hashable, asyncio.Task[None]] = {}
        self._hurry = asyncio.Event()  # set at stop: nothing waits out its window any more

    def add(self, card: OwedCard) -> None:
        viewer = self._viewer(card)
        self._owed.setdefault(viewer, []).append(card)
        if viewer not in self._runs:
            self._runs[viewer] = asyncio.create_task(self._run(viewer), name=f"cards-{card.owed.target}")

    @property
    def busy(self) -> bool:
        """Some card is waiting or being delivered."""
        return bool(self._runs)

    async def _run(self, viewer: Hashable) -> None:
        try:
            while self._owed.get(viewer):
                wait = self._timing.wait(viewer, self._clock())
                if wait > 0 and not self._hurry.is_set():
                    with suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await self._hurry.wait()
                async with self._slots, self._paced(self._owed[viewer][0]):
                    owed = self._owed[viewer]
                    batch, self._owed[viewer] = owed[: self._most], owed[self._most :]
                    self._timing.began(viewer, self._clock())
                    await self._deliver(batch)
        finally:
            self._owed.pop(viewer, None)
            self._runs.pop(viewer, None)

    async def flush(self) -> None:
        """Deliver everything waiting now, without waiting out the windows (at stop)."""
        self._hurry.set()
        while self._runs:
            await asyncio.gather(*self._runs.values(), return_exceptions=True)

    async def close(self) -> None:
        runs = list(self._runs.values())
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)


def _card_viewer(card: OwedCard) -> Hashable:
    return (card.incident.draft.message.platform, card.owed.target)
