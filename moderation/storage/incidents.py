"""The incident log: incidents, who reviews each, their history (reads included), and the actions still owed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.storage.base import Base

EXCERPT_MAX = 500  # characters of the flagged message kept for review; never the whole conversation


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        # One incident per platform event: a replayed event never yields a second incident or action.
        UniqueConstraint("platform", "room_id", "event_id", name="uq_incidents_event"),
        Index("ix_incidents_status_created", "status", "created_at"),
        # Numbers are never handed out twice, even after the highest incident is erased: card copies and queued
        # withdrawals are keyed by the number (PostgreSQL's sequence never reuses one either).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    room_name: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str] = mapped_column(String(255))
    message_link: Mapped[str | None] = mapped_column(String(500))
    author_account: Mapped[str | None] = mapped_column(String(255))
    author_person_id: Mapped[str | None] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(8))
    rule_name: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str | None] = mapped_column(Text)  # None once erased by retention
    criminal: Mapped[bool] = mapped_column(Boolean, default=False)
    action_taken: Mapped[str] = mapped_column(String(200), default="")
    action_status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/done/failed/dry-run/none
    status: Mapped[str] = mapped_column(String(16), default="open")  # open/in-review/resolved/dismissed
    reported_by: Mapped[str | None] = mapped_column(String(255))  # reporter's person id/account; leadership only
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Review (issue 6). The person a message was aimed at (R2 repeated targeting): a mention or a reply's author.
    target_person_id: Mapped[str | None] = mapped_column(String(64), index=True)
    target_account: Mapped[str | None] = mapped_column(String(255))
    # The repeated-targeting case this incident belongs to (itself an incident, rule R2 "repeated_targeting").
    case_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"), index=True)
    escalation: Mapped[str | None] = mapped_column(String(16))  # coordinator / leadership / police
    resolution_note: Mapped[str | None] = mapped_column(Text)  # what the reviewer wrote when closing
    measure: Mapped[str | None] = mapped_column(String(200))  # the measure taken (R13), if any
    parents_informed: Mapped[bool | None] = mapped_column(Boolean)  # R13: None = not stated
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # resolved/dismissed; retention
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # message text erased (retention)

    reviewers: Mapped[list[ReviewerRow]] = relationship(back_populates="incident", cascade="all, delete-orphan")
    history: Mapped[list[HistoryRow]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="HistoryRow.id"
    )
    outbox: Mapped[list[OutboxRow]] = relationship(cascade="all, delete-orphan", order_by="OutboxRow.id")


# Repeated targeting (R2) looks up one author's incidents aimed at one person: both together, not one at a time.
Index("ix_incidents_author_target", IncidentRow.author_person_id, IncidentRow.target_person_id)


class ReviewerRow(Base):
    __tablename__ = "incident_reviewers"
    __table_args__ = (UniqueConstraint("incident_id", "person_id", name="uq_incident_reviewers_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # mentor / coordinator / manager / leadership

    incident: Mapped[IncidentRow] = relationship(back_populates="reviewers")


class HistoryRow(Base):
    """Append-only: who did what to an incident, and when. Reads are recorded too (AVG access history)."""

    __tablename__ = "incident_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(255))  # a person id, "system", or "cli:<os user>"
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")

    incident: Mapped[IncidentRow] = relationship(back_populates="history")


class OutboxRow(Base):
    """What must still be done for an incident (delete, notice, each card), written in the incident's own
    transaction and marked done after it succeeded: a crash between recording and acting loses nothing."""

    __tablename__ = "incident_outbox"
    __table_args__ = (
        UniqueConstraint("incident_id", "kind", "target", name="uq_incident_outbox_action"),
        Index("ix_incident_outbox_status_platform", "status", "platform"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))  # delete / notify-sender / card / announce / flag
    target: Mapped[str] = mapped_column(String(255), default="")  # a card's viewer (person id or "overview")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending / done / failed
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)  # cleared once done (store the minimum)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
