"""Who is who, as the last roster import stored it: people, their mentors, their platform accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.storage.base import Base


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    class_name: Mapped[str | None] = mapped_column(String(32))
    manager_id: Mapped[str | None] = mapped_column(String(64))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_leadership: Mapped[bool] = mapped_column(Boolean, default=False)
    is_privacy_officer: Mapped[bool] = mapped_column(Boolean, default=False)
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
