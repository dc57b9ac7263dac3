"""Scheduled jobs as plain async functions; `bot/scheduler.py` decides when they run."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)


class Reconcilable(Protocol):
    async def reconcile(self) -> None: ...


async def reconcile_rooms(adapters: Sequence[Reconcilable]) -> None:
    """R10 drift check: every adapter compares its announcement rooms with the wanted settings and restores them."""
    for adapter in adapters:
        try:
            await adapter.reconcile()
        except Exception:  # one platform's outage must not stop the check of the others
            log.exception("the scheduled permission check failed for %s", type(adapter).__name__)


@runtime_checkable
class CardHolder(Protocol):
    """A platform that keeps incident cards in chat, and can clear them once their text is erased (AVG)."""

    async def withdraw_cards(self, incident_ids: Iterable[int], notice: str = ...) -> int: ...


async def withdraw_erased_cards(holders: Sequence[CardHolder], incident_ids: Sequence[int]) -> None:
    """After retention erased excerpts in the database, the copies in chat go too."""
    if not incident_ids:
        return
    for holder in holders:
        try:
            await holder.withdraw_cards(incident_ids)
        except Exception:  # the database is the record; a chat outage must not stop the retention run
            log.exception("could not clear erased incidents' cards on %s", type(holder).__name__)
