"""Scheduled jobs as plain async functions; `bot/scheduler.py` decides when they run."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

from moderation.incidents.withdrawals import PENDING_KEY, RENEW_KEY, dump, parse
from moderation.ports import StateStore

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

    async def withdraw_cards(self, incident_ids: Iterable[int]) -> int: ...


@runtime_checkable
class CardRenewer(Protocol):
    """A card holder that can also put a fresh copy where a withdrawn one was (instead of only withdrawing it)."""

    async def renew_cards(self, incident_ids: Iterable[int]) -> int: ...


async def renew_changed_cards(holders: Sequence[CardHolder], incident_ids: Sequence[int]) -> bool:
    """Cards whose incident's text changed (an erasure named someone in it): renewed where the platform can, else
    withdrawn. False when a platform failed, so that the caller keeps the incidents queued."""
    done = True
    for holder in holders:
        try:
            if isinstance(holder, CardRenewer):
                await holder.renew_cards(incident_ids)
            else:
                await holder.withdraw_cards(incident_ids)
        except Exception:
            log.exception("could not renew changed incidents' cards on %s", type(holder).__name__)
            done = False
    return done


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


async def withdraw_pending_cards(holders: Sequence[CardHolder], state: StateStore) -> int:
    """Work off the queues of incidents whose chat cards must go (privacy erase, retention) or be renewed (an
    erasure changed their text); an incident stays queued until every platform did it, and is given up (logged)
    after GIVE_UP_AFTER failed tries. Returns how many incidents are still queued."""
    left = await _work_off(state, PENDING_KEY, lambda ids: withdraw_erased_cards(holders, ids), "withdrawing", "erased")
    return left + await _work_off(
        state, RENEW_KEY, lambda ids: renew_changed_cards(holders, ids), "renewing", "changed"
    )


async def _work_off(
    state: StateStore, key: str, act: Callable[[list[int]], Awaitable[bool]], doing: str, which: str
) -> int:
    pending = parse(state.get(key))
    if not pending:
        return 0
    left: dict[int, int] = {}
    for incident_id, tries in pending.items():
        if await act([incident_id]):
            continue
        if tries + 1 >= GIVE_UP_AFTER:
            log.error(
                "gave up %s the chat cards of %s incident #%d after %d tries", doing, which, incident_id, GIVE_UP_AFTER
            )
            continue
        left[incident_id] = tries + 1
    # Re-read: a privacy erase may have queued more meanwhile (another process); keep those.
    for incident_id, tries in parse(state.get(key)).items():
        if incident_id not in pending:
            left.setdefault(incident_id, tries)
    state.set(key, dump(left))
    return len(left)
