"""AVG retention: the text of a message is kept only while it is needed for review.

`retention_days` after an incident was closed (resolved or dismissed), its message excerpt, the explanation
(which may quote the message or a reporter's reason), the link to the message and who reported it are erased. What
the school must keep stays: who, where, when, rule, category, scores, the outcome (note, measure, parents informed)
and the history. Open incidents are never erased: they are still being reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import CLOSED_STATUSES, HistoryAction
from moderation.storage.incidents import HistoryRow, IncidentRow


@dataclass(frozen=True, slots=True)
class RetentionRun:
    erased: tuple[int, ...]  # incident ids whose message text was erased in this run
    cutoff: datetime


def erase_expired(
    sessions: sessionmaker[Session], now: datetime, retention_days: int, *, dry_run: bool = False
) -> RetentionRun:
    """Erase the message text of incidents closed at least `retention_days` ago. Idempotent."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = now - timedelta(days=retention_days)
    with sessions.begin() as session:
        rows = session.scalars(
            select(IncidentRow)
            .where(IncidentRow.status.in_([s.value for s in CLOSED_STATUSES]))
            .where(IncidentRow.closed_at.is_not(None))
            .where(IncidentRow.closed_at <= cutoff)
            .where(IncidentRow.erased_at.is_(None))
            .order_by(IncidentRow.id)
        ).all()
        erased = tuple(row.id for row in rows)
        if dry_run:
            session.rollback()
            return RetentionRun(erased, cutoff)
        for row in rows:
            row.excerpt = None
            row.explanation = f"(erased after {retention_days} days: {row.category}, score {row.score:.2f})"
            row.message_link = None
            row.reported_by = None  # needed while the report was reviewed, not afterwards
            row.erased_at = now
            row.updated_at = now
            session.add(
                HistoryRow(
                    incident_id=row.id,
                    at=now,
                    actor="system",
                    action=HistoryAction.RETENTION.value,
                    detail=f"message text erased {retention_days} days after closing",
                )
            )
    return RetentionRun(erased, cutoff)
