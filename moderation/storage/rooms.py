"""The rooms in the settings, with their kind, so that the incident log keeps each room's kind on record."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from moderation.storage.base import Base


class RoomRow(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("platform", "room_id", name="uq_rooms_platform_room"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
