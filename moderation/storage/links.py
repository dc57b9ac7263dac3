"""The tables of self-service account linking, in the same schema as the roster.

`person_emails` holds the school e-mail address from the export (only to send a linking code to); `link_requests`
a code that was sent and is not yet confirmed (only its salted hash); `account_links` the accounts a person linked
themselves (the roster import keeps them); `account_link_history` every request, link and unlink, append-only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from moderation.storage.base import Base


class PersonEmailRow(Base):
    __tablename__ = "person_emails"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))


class LinkRequestRow(Base):
    """One code on its way to a person's school mailbox, for one platform account (at most one per account)."""

    __tablename__ = "link_requests"
    __table_args__ = (UniqueConstraint("platform", "account_id", name="uq_link_requests_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))  # sha256 of salt + code, hex
    salt: Mapped[str] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # wrong codes typed so far
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AccountLinkRow(Base):
    """An account a person linked to themselves with a code; also written to `accounts`, which the bot reads."""

    __tablename__ = "account_links"
    __table_args__ = (UniqueConstraint("platform", "account_id", name="uq_account_links_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AccountLinkHistoryRow(Base):
    """Append-only: what happened to a link (requested, linked, unlinked, replaced, refused, expired)."""

    __tablename__ = "account_link_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    person_id: Mapped[str | None] = mapped_column(String(64), index=True)  # None: a request for no known person
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(255), default="")
