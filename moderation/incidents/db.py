"""The database schema (SQLAlchemy 2 typed ORM). Alembic migrations in `migrations/` must match it exactly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so that migrations look the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EXCERPT_MAX = 500  # characters of the flagged message kept for review; never the whole conversation


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    class_name: Mapped[str | None] = mapped_column(String(32))
    manager_id: Mapped[str | None] = mapped_column(String(64))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_leadership: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: no longer in the roster (left school)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    accounts: Mapped[list[AccountRow]] = relationship(back_populates="person", cascade="all, delete-orphan")
    mentors: Mapped[list[MentorRow]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="MentorRow.position"
    )


class MentorRow(Base):
    """One of a student's (or parent's) mentors, in the order the export lists them."""

    __tablename__ = "person_mentors"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    mentor_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    person: Mapped[PersonRow] = relationship(back_populates="mentors")


class AccountRow(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "account_id", name="uq_accounts_platform_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)

    person: Mapped[PersonRow] = relationship(back_populates="accounts")


class RoomRow(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("platform", "room_id", name="uq_rooms_platform_room"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))


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


class StateRow(Base):
    """Small key/value state an adapter must keep across restarts (e.g. Matrix's sync token)."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScheduledJobRow(Base):
    """APScheduler's job store table (SQLAlchemyJobStore), declared here so that Alembic owns the whole schema.

    The columns are exactly the ones APScheduler 3 creates; it finds the table present and leaves it alone.
    """

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


class AnnouncementPostRow(Base):
    """One announcement in one room: what should be there (`text`, or nothing once `wanted` is "retracted") and
    what is there (`message_id`, `posted_text`). A row whose two sides differ is owed work: this table is the queue.
    `key` names the source item (a timetable lesson: "lesson:<instance>"), `version` its version."""

    __tablename__ = "announcement_posts"
    __table_args__ = (
        UniqueConstraint("source", "key", "platform", "room_id", name="uq_announcement_posts_place"),
        Index("ix_announcement_posts_status_next", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # "zermelo", or "staff" for a teacher's own announcement
    author: Mapped[str | None] = mapped_column(String(64))  # the staff member's person id (None: the timetable)
    key: Mapped[str] = mapped_column(String(128))
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    wanted: Mapped[str] = mapped_column(String(16))  # posted / retracted
    message_id: Mapped[str | None] = mapped_column(String(255))
    posted_text: Mapped[str | None] = mapped_column(Text)  # None: nothing of ours shows in the room
    generation: Mapped[int] = mapped_column(Integer, default=0)  # a new post after a retraction is a new message
    # Set just before a post is sent: still set at the next try means it may have gone out unrecorded (a crash, a
    # timeout), so the room is looked at before posting again.
    sending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # pending / done / failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # the lesson's start; retention
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    log: Mapped[list[AnnouncementLogRow]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="AnnouncementLogRow.id"
    )


class AnnouncementLogRow(Base):
    """Append-only: what happened to one announcement post (queued, posted, edited, retracted, failed), when, by
    whom."""

    __tablename__ = "announcement_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("announcement_posts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(255))  # "zermelo", a person id, or "system"
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")

    post: Mapped[AnnouncementPostRow] = relationship(back_populates="log")
