"""The tables of staff announcements beside the posts queue: one row per announcement (who, what, for when, where
the teacher asked), and the delivery leases that let one process at a time work the queue of a platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from moderation.storage.base import Base


class StaffAnnouncementRow(Base):
    """One teacher's announcement. Its rooms' posts are the `announcement_posts` rows with the same `key`; `rooms`
    keeps each room's header ("Mededeling van … (2B)") so an edit keeps the classes it was sent for."""

    __tablename__ = "staff_announcements"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    author: Mapped[str] = mapped_column(String(64))  # the person id
    platform: Mapped[str] = mapped_column(String(16))  # where the command came from (and the report goes)
    account: Mapped[str] = mapped_column(String(255))
    classes: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    rooms: Mapped[list[list[str]]] = mapped_column(JSON)  # [platform, room id, header]
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: at once
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    edited_by: Mapped[str | None] = mapped_column(String(64))
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retracted_by: Mapped[str | None] = mapped_column(String(64))
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the teacher heard the result


class DeliveryLeaseRow(Base):
    """Who works a platform's part of the posts queue until when; renewed at every pass, taken over once expired."""

    __tablename__ = "announcement_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
