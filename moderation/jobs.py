"""Scheduled jobs as plain async functions; `bot/scheduler.py` decides when they run."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from moderation.incidents.withdrawals import PENDING_KEY, KeyValue, dump, parse

log = logging.getLogger(__name__)

GIVE_UP_AFTER = 100  # failed tries of one incident's withdrawal (a room the bot was removed from stays failing)


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


async def withdraw_erased_cards(holders: Sequence[CardHolder], incident_ids: Sequence[int]) -> bool:
    """After retention erased excerpts in the database, the copies in chat go too. False when a platform failed
    (a holder raises when a copy is left), so that the caller keeps the incidents queued."""
    if not incident_ids:
        return True
    done = True
    for holder in holders:
        try:
            await holder.withdraw_cards(incident_ids)
        except Exception:  # the database is the record; a chat outage must not stop the retention run
            log.exception("could not clear erased incidents' cards on %s", type(holder).__name__)
            done = False
    return done


async def withdraw_pending_cards(holders: Sequence[CardHolder], state: KeyValue) -> int:
    """Work off the queue of erased incidents whose chat cards must go (privacy erase, retention); an incident
    stays queued until every platform cleared it, and is given up (logged) after GIVE_UP_AFTER failed tries.
    Returns how many incidents are still queued."""
    pending = parse(state.get(PENDING_KEY))
    if not pending:
        return 0
    left: dict[int, int] = {}
    for incident_id, tries in pending.items():
        if await withdraw_erased_cards(holders, [incident_id]):
            continue
        if tries + 1 >= GIVE_UP_AFTER:
            log.error(
                "gave up withdrawing the chat cards of erased incident #%d after %d tries", incident_id, GIVE_UP_AFTER
            )
            continue
        left[incident_id] = tries + 1
    # Re-read: a privacy erase may have queued more meanwhile (another process); keep those.
    for incident_id, tries in parse(state.get(PENDING_KEY)).items():
        if incident_id not in pending:
            left.setdefault(incident_id, tries)
    state.set(PENDING_KEY, dump(left))
    return len(left)
