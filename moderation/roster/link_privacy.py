"""What account linking keeps about a person, for the AVG export and erasure: the school e-mail address, the links,
a pending code and the history of requests, links and unlinks (by the person's id or by one of their accounts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, or_, select
from sqlalchemy.orm import Session

from moderation.storage.links import AccountLinkHistoryRow, AccountLinkRow, LinkRequestRow, PersonEmailRow

Table = type[AccountLinkHistoryRow] | type[AccountLinkRow] | type[LinkRequestRow]


def _theirs(table: Table, person_id: str | None, accounts: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    by_account = [and_(table.platform == p, table.account_id == a) for p, a in accounts]
    by_person = [table.person_id == person_id] if person_id else []
    return or_(false(), *by_person, *by_account)


def export_links(session: Session, person_id: str | None, accounts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    email = session.get(PersonEmailRow, person_id) if person_id else None
    links = session.scalars(select(AccountLinkRow).where(_theirs(AccountLinkRow, person_id, accounts)))
    pending = session.scalars(select(LinkRequestRow).where(_theirs(LinkRequestRow, person_id, accounts)))
    history = session.scalars(
        select(AccountLinkHistoryRow)
        .where(_theirs(AccountLinkHistoryRow, person_id, accounts))
        .order_by(AccountLinkHistoryRow.id)
    )
    return {
        "school_email": email.email if email is not None else None,
        "linked_accounts": [
            {"platform": r.platform, "account": r.account_id, "since": r.linked_at.isoformat()} for r in links
        ],
        "pending_link_codes": [
            {"platform": r.platform, "account": r.account_id, "until": r.expires_at.isoformat()} for r in pending
        ],
        "link_history": [
            {"at": r.at.isoformat(), "platform": r.platform, "account": r.account_id, "what": r.action} for r in history
        ],
    }


def erase_links(session: Session, person_id: str | None, accounts: Sequence[tuple[str, str]]) -> int:
    """Delete all of it; the number of rows removed."""
    removed = 0
    for table in (AccountLinkHistoryRow, AccountLinkRow, LinkRequestRow):
        result = session.execute(delete(table).where(_theirs(table, person_id, accounts)))
        removed += int(getattr(result, "rowcount", 0) or 0)
    if person_id:
        result = session.execute(delete(PersonEmailRow).where(PersonEmailRow.person_id == person_id))
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed
