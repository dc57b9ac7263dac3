"""Incidents whose chat cards must still be withdrawn or renewed (AVG), kept in the state table until done.

A privacy erase runs in the command-line process, not in the bot, and a chat platform may be down when the
retention job runs: so the erased incidents are queued here (in the same transaction as the erase) and the bot's
scheduled job works the queue off, trying again on every tick until each platform has cleared its copies.

Two queues: PENDING_KEY for incidents whose cards must go (deleted, or their text erased), RENEW_KEY for incidents
whose text changed (a name erased from someone else's incident): their cards go and, while open, come back as the
incident reads now.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from moderation.ports import StateStore
from moderation.storage.state import StateRow

log = logging.getLogger(__name__)

PENDING_KEY = "cards.withdraw_pending"  # JSON {incident id: failed attempts so far}
RENEW_KEY = "cards.renew_pending"  # the same, for cards to renew


def parse(raw: str | None) -> dict[int, int]:
    """The queue from its stored JSON; an unreadable value is logged and read as empty (never a crash)."""
    if not raw:
        return {}
    try:
        found = json.loads(raw)
        return {int(k): int(v) for k, v in found.items()}
    except (ValueError, TypeError, AttributeError):
        log.error("the queue of chat cards to withdraw is unreadable (%r); starting afresh", raw[:200])
        return {}


def dump(pending: dict[int, int]) -> str:
    return json.dumps({str(k): v for k, v in sorted(pending.items())})


def queue(state: StateStore, incident_ids: Iterable[int]) -> None:
    """Add incidents to the queue (the retention job, in the bot)."""
    pending = parse(state.get(PENDING_KEY))
    for incident_id in incident_ids:
        pending.setdefault(incident_id, 0)
    state.set(PENDING_KEY, dump(pending))


def queue_in(
    session: Session, incident_ids: Iterable[int], now: datetime | None = None, *, key: str = PENDING_KEY
) -> None:
    """Add incidents to a queue inside the caller's transaction (privacy erase: both commit, or neither)."""
    ids = list(incident_ids)
    if not ids:
        return
    row = session.get(StateRow, key)
    pending = parse(row.value if row is not None else None)
    for incident_id in ids:
        pending.setdefault(incident_id, 0)
    when = now or datetime.now(UTC)
    if row is None:
        session.add(StateRow(key=key, value=dump(pending), updated_at=when))
    else:
        row.value, row.updated_at = dump(pending), when
