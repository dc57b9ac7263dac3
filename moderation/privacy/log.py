"""The privacy log: every export and erasure is recorded (`privacy.log.*` in `bot_state`): who ran it, when, and
what it touched in numbers. An export names its subject until that subject is erased; an erasure never does."""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from moderation.storage.state import StateRow

ERASED = "[erased]"
LOG_KEY = "privacy.log."  # one bot_state row per export or erasure


def record(session: Session, now: datetime, actor: str, action: str, subject: str | None, counts: Any) -> None:
    """One line in the privacy log: who ran which request, when, about whom (not for an erasure), in numbers."""
    entry = {"at": now.isoformat(), "by": actor, "action": action, "subject": subject, "counts": counts}
    key = f"{LOG_KEY}{time.time_ns():020d}.{secrets.token_hex(4)}"  # in the order written, unique across processes
    session.add(StateRow(key=key, value=json.dumps(entry, ensure_ascii=False), updated_at=now))


def forget_subject(session: Session, subject: str) -> None:
    """Earlier exports of an erased person stay on record, without naming them."""
    for row in session.scalars(select(StateRow).where(StateRow.key.like(f"{LOG_KEY}%"))).all():
        try:
            entry = json.loads(row.value)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("subject") == subject:
            entry["subject"] = ERASED
            row.value = json.dumps(entry, ensure_ascii=False)


def privacy_log(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    """The recorded exports and erasures, oldest first."""
    with sessions() as session:
        rows = session.scalars(select(StateRow).where(StateRow.key.like(f"{LOG_KEY}%")).order_by(StateRow.key))
        return [json.loads(row.value) for row in rows]
