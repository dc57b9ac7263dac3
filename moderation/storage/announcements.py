"""Announcements: what should be in each room and what is there (the queue), and what happened to each post."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.storage.base import Base


class AnnouncementPostRow(Base):
    """One announcement in one room: what should be there (`text`, or nothing once `wanted` is "retracted") and
    what is there (`message_id`, `posted_text`). A row whose two sides differ is owed work: this table is the queue.
    `key` names the source item (a timetable lesson: "lesson:<instance>"), `version` its version."""

    __tablename__ = "announcement_posts"
    __table_args__ = (
        UniqueConstraint("source", "key", "platform", "room_id", name="uq_announcement_posts_place"),
        Index("ix_announcement_posts_status_next", "status", "next_try_at"),
        Index("ix_announcement_posts_message", "platform", "room_id", "message_id"),
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
    # The teacher asked for "Gelezen ✓": the post carries a button (Discord) or takes a ✅ reaction (Matrix).
    asks_read: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

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


class AnnouncementReadRow(Base):
    """One reader's "Gelezen ✓" on one post. `reader` is a digest of the post and the reader's account, not the
    account: enough to count each reader once per room, and erasable on request (the digest can be computed again
    from the account), while the table itself names nobody. Deleted with its post (retention)."""

    __tablename__ = "announcement_reads"
    __table_args__ = (UniqueConstraint("post_id", "reader", name="uq_announcement_reads_reader"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("announcement_posts.id", ondelete="CASCADE"), index=True)
    reader: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnnouncementReadReactionRow(Base):
    """A reaction (Matrix's ✅) that carries one reader's "Gelezen ✓": a digest of its event id in its room, not the
    id, so that removing it can find the read again while the table still names nobody. A reader may confirm with
    more than one reaction (✅ and 👍); their read is withdrawn when the last of them is removed. Deleted with its
    read (and so with its post, and on an AVG erasure)."""

    __tablename__ = "announcement_read_reactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    read_id: Mapped[int] = mapped_column(ForeignKey("announcement_reads.id", ondelete="CASCADE"), index=True)
    reaction: Mapped[str] = mapped_column(String(64), unique=True)
