"""Storing a checked roster in one transaction, in batches so that memory stays flat for any size of school.

People are updated, never duplicated; people no longer in the files are kept (their incidents refer to them) and
marked as having left. An import that would mark more than a set share of the school as left is refused unless
the admin confirms it: a file with only a header, or only the staff file, must not empty the school.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, MetaData, Row, String, Table, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session, sessionmaker

from moderation.model import Account, AccountId, Person, Platform
from moderation.roster.errors import RosterError
from moderation.storage.links import AccountLinkRow, PersonEmailRow
from moderation.storage.people import AccountRow, MentorRow, PersonRow

_T = TypeVar("_T")
_BATCH = 500  # people per round trip; well under SQLite's limit on bound parameters
# The ids in the files, in the database session's own temporary table rather than in memory: whoever is active
# and not in it has left school.
_PRESENT = Table(
    "roster_import_present",
    MetaData(),
    Column("id", String(64), primary_key=True),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


@dataclass(frozen=True, slots=True)
class Listed:
    """A person as the export lists them, with the school e-mail address (kept only to send linking codes to)."""

    person: Person
    email: str | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    updated: int  # in the file and the database, with something changed
    deactivated: int  # in the database but no longer in the file (left school): kept, marked inactive
    unchanged: int = 0


class TooManyRemovals(RosterError):
    """The import would mark more of the school as left than the settings allow without confirming."""


def store_roster(
    sessions: sessionmaker[Session],
    people: Iterable[Person | Listed],
    now: datetime,
    progress: Callable[[int], None] = lambda _n: None,
    *,
    max_removed_share: float | None = None,
    allow_removals: bool = False,
) -> ImportResult:
    """Upsert the roster in one transaction. With `max_removed_share`, refuse (storing nothing) an import that
    would mark a larger share of the active people as left, unless `allow_removals`. Accounts people linked
    themselves are kept; e-mail addresses are stored when the entries carry them."""
    added = updated = done = 0
    with sessions.begin() as session:
        conn = session.connection()
        active_before = conn.scalar(select(func.count()).select_from(PersonRow).where(PersonRow.active.is_(True)))
        # Most imports find no self-linked accounts, and the first finds no e-mail addresses: no lookups then.
        own_links = conn.scalar(select(AccountLinkRow.id).limit(1)) is not None
        emails_before = conn.scalar(select(PersonEmailRow.person_id).limit(1)) is not None
        _PRESENT.create(conn, checkfirst=True)
        conn.execute(delete(_PRESENT))  # left by an import that failed on this connection
        for entries in _batches(people):
            batch = [e.person if isinstance(e, Listed) else e for e in entries]
            conn.execute(insert(_PRESENT), [{"id": p.id} for p in batch])
            new, changed = _store_batch(conn, batch, now, own_links=own_links)
            _store_emails(conn, [e for e in entries if isinstance(e, Listed)], compare=emails_before)
            added += new
            updated += changed
            done += len(batch)
            progress(done)
        left = (PersonRow.active.is_(True), PersonRow.id.not_in(select(_PRESENT.c.id)))
        gone = conn.scalar(select(func.count()).select_from(PersonRow).where(*left)) or 0
        if max_removed_share is not None and not allow_removals and active_before:
            share = gone / active_before
            if share > max_removed_share:
                raise TooManyRemovals(
                    "roster import",
                    [
                        f"{gone} of the {active_before} people now in the roster ({share:.0%}) are in none of "
                        f"the files and would be marked as left, more than roster.max_removed_share "
                        f"({max_removed_share:.0%}); give every export (students and staff) in one import, or "
                        "confirm with --allow-removals"
                    ],
                )
        if gone:
            conn.execute(update(PersonRow).where(*left).values(active=False, updated_at=now))
        _PRESENT.drop(conn)
    return ImportResult(added=added, updated=updated, deactivated=gone, unchanged=done - added - updated)


def _store_batch(conn: Connection, batch: list[Person], now: datetime, *, own_links: bool) -> tuple[int, int]:
    ids = [p.id for p in batch]
    stored = {row.id: row for row in conn.execute(select(PersonRow.__table__).where(PersonRow.id.in_(ids)))}
    old_accounts: dict[str, set[tuple[str, str]]] = {}
    for person_id, platform, account in conn.execute(
        select(AccountRow.person_id, AccountRow.platform, AccountRow.account_id).where(AccountRow.person_id.in_(ids))
    ):
        old_accounts.setdefault(person_id, set()).add((platform, account))
    old_mentors: dict[str, list[str]] = {}
    for person_id, mentor in conn.execute(
        select(MentorRow.person_id, MentorRow.mentor_id)
        .where(MentorRow.person_id.in_(ids))
        .order_by(MentorRow.position)
    ):
        old_mentors.setdefault(person_id, []).append(mentor)

    if own_links:
        batch = _with_own_links(conn, batch)
    new_rows: list[dict[str, object]] = []
    changed_rows: list[Person] = []
    for person in batch:
        row = stored.get(person.id)
        if row is None:
            new_rows.append(_values(person, now))
        elif (
            _comparable_row(row) != _comparable_person(person)
            or old_accounts.get(person.id, set()) != _account_keys(person.accounts)
            or old_mentors.get(person.id, []) != list(person.mentors)
        ):
            changed_rows.append(person)
    if new_rows:
        conn.execute(insert(PersonRow), new_rows)
    for person in changed_rows:
        conn.execute(update(PersonRow).where(PersonRow.id == person.id).values(_values(person, now)))
    _replace_links(conn, [p for p in batch if p.id not in stored] + changed_rows)
    return len(new_rows), len(changed_rows)


def _replace_links(conn: Connection, people: list[Person]) -> None:
    """Accounts and mentors of these people, written afresh. An account that moved here from someone else leaves
    them first, so a move never hits the unique key."""
    if not people:
        return
    ids = [p.id for p in people]
    conn.execute(delete(AccountRow).where(AccountRow.person_id.in_(ids)))
    conn.execute(delete(MentorRow).where(MentorRow.person_id.in_(ids)))
    accounts = [(p.id, platform, account) for p in people for platform, account in sorted(_account_keys(p.accounts))]
    for chunk in _chunks(accounts):
        conn.execute(
            delete(AccountRow).where(
                tuple_(AccountRow.platform, AccountRow.account_id).in_([(a, b) for _p, a, b in chunk])
            )
        )
    if accounts:
        conn.execute(insert(AccountRow), [{"person_id": p, "platform": a, "account_id": b} for p, a, b in accounts])
    mentors = [
        {"person_id": p.id, "mentor_id": mentor, "position": position}
        for p in people
        for position, mentor in enumerate(dict.fromkeys(p.mentors))
    ]
    if mentors:
        conn.execute(insert(MentorRow), mentors)


def _with_own_links(conn: Connection, batch: list[Person]) -> list[Person]:
    """The people with the accounts they linked themselves added; an export account someone else linked to
    themselves (with a code from their own mailbox) stays theirs."""
    ids = [p.id for p in batch]
    own: dict[str, set[tuple[str, str]]] = {}
    for person_id, platform, account in conn.execute(
        select(AccountLinkRow.person_id, AccountLinkRow.platform, AccountLinkRow.account_id).where(
            AccountLinkRow.person_id.in_(ids)
        )
    ):
        own.setdefault(person_id, set()).add((platform, account))
    exported = sorted({key for p in batch for key in _account_keys(p.accounts)})
    others: dict[tuple[str, str], str] = {}
    for chunk in _chunks(exported):
        for person_id, platform, account in conn.execute(
            select(AccountLinkRow.person_id, AccountLinkRow.platform, AccountLinkRow.account_id).where(
                tuple_(AccountLinkRow.platform, AccountLinkRow.account_id).in_(chunk)
            )
        ):
            others[(platform, account)] = person_id
    if not own and not others:
        return batch
    result = []
    for person in batch:
        kept = [a for a in person.accounts if others.get((a.platform.value, a.id), person.id) == person.id]
        extra = own.get(person.id, set()) - _account_keys(kept)
        linked = [Account(Platform(platform), AccountId(account)) for platform, account in sorted(extra)]
        result.append(replace(person, accounts=(*kept, *linked)))
    return result


def _store_emails(conn: Connection, entries: list[Listed], *, compare: bool) -> None:
    """The school e-mail addresses of these people as the export gives them now (none: none stored)."""
    if not entries:
        return
    ids = [e.person.id for e in entries]
    query = select(PersonEmailRow.person_id, PersonEmailRow.email).where(PersonEmailRow.person_id.in_(ids))
    stored = {person_id: email for person_id, email in conn.execute(query)} if compare else {}
    changed = [e for e in entries if stored.get(e.person.id) != e.email]
    if not changed:
        return
    if compare:
        conn.execute(delete(PersonEmailRow).where(PersonEmailRow.person_id.in_([e.person.id for e in changed])))
    rows = [{"person_id": e.person.id, "email": e.email} for e in changed if e.email]
    if rows:
        conn.execute(insert(PersonEmailRow), rows)


def _values(person: Person, now: datetime) -> dict[str, object]:
    return {
        "id": person.id,
        "name": person.name,
        "role": person.role.value,
        "class_name": person.class_name,
        "manager_id": person.manager,
        "is_coordinator": person.is_coordinator,
        "is_leadership": person.is_leadership,
        "is_privacy_officer": person.is_privacy_officer,
        "active": True,
        "updated_at": now,
    }


def _comparable_person(person: Person) -> tuple[object, ...]:
    """What an import can change about a person, besides accounts and mentors."""
    fields = (person.name, person.role.value, person.class_name, person.manager)
    return (*fields, person.is_coordinator, person.is_leadership, person.is_privacy_officer, True)


def _comparable_row(row: Row[Any]) -> tuple[object, ...]:
    fields = (row.name, row.role, row.class_name, row.manager_id)
    return (*fields, row.is_coordinator, row.is_leadership, row.is_privacy_officer, row.active)


def _account_keys(accounts: Iterable[Account]) -> set[tuple[str, str]]:
    return {(a.platform.value, a.id) for a in accounts}


def _batches(people: Iterable[_T]) -> Iterator[list[_T]]:
    iterator = iter(people)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


def _chunks(items: list[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]
