"""Scheduled jobs as plain async functions; `bot/scheduler.py` decides when they run."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

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
