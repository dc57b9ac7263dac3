"""Reading the roster a school exports from its student information system (CSV), and storing it.

A bad file imports nothing: every row is checked first and all problems are reported with their row numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from moderation.directory import person_from_row
from moderation.incidents.db import AccountRow, PersonRow
from moderation.model import Account, AccountId, Person, PersonId, Platform, Role

# Column names as schools write them (English and Dutch), folded to ours.
_ALIASES = {
    "id": "id", "nummer": "id", "code": "id",
    "name": "name", "naam": "name",
    "role": "role", "rol": "role",
    "class": "class", "klas": "class",
    "mentor": "mentor",
    "manager": "manager", "leidinggevende": "manager",
    "coordinator": "coordinator", "anti_bullying_coordinator": "coordinator", "anti_pestcoordinator": "coordinator",
    "leadership": "leadership", "schoolleiding": "leadership",
    "discord_id": "discord_id", "discord": "discord_id",
    "matrix_id": "matrix_id", "matrix": "matrix_id",
    "console": "console", "console_name": "console",
}  # fmt: skip
_REQUIRED = ("id", "name", "role")
_ROLES = {
    "student": Role.STUDENT, "leerling": Role.STUDENT,
    "staff": Role.STAFF, "medewerker": Role.STAFF, "docent": Role.STAFF,
    "parent": Role.PARENT, "ouder": Role.PARENT, "verzorger": Role.PARENT,
}  # fmt: skip
_TRUE = {"1", "yes", "y", "true", "ja", "j", "x"}
_FALSE = {"", "0", "no", "n", "false", "nee"}
_MATRIX_ID = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")
_DISCORD_ID = re.compile(r"^\d{15,21}$")


class RosterError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{source}: {len(problems)} problem(s), nothing was imported:\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    updated: int  # in the file and the database, with something changed
    deactivated: int  # in the database but no longer in the file (left school): kept, marked inactive
    unchanged: int = 0


def read_roster(path: Path) -> list[Person]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError(str(path), [f"cannot read the file: {exc.strerror}"]) from exc
    try:
        text = raw.decode("utf-8-sig")  # spreadsheet exports often start with a byte-order mark
    except UnicodeDecodeError as exc:
        raise RosterError(str(path), [f"not UTF-8 text (byte {exc.start}); export the sheet as CSV UTF-8"]) from exc
    return parse_roster(text, source=str(path))


def parse_roster(text: str, *, source: str = "roster") -> list[Person]:
    if not text.strip():
        raise RosterError(source, ["the file is empty"])
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # Dutch Excel writes semicolons
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [_ALIASES.get(_norm_header(h), _norm_header(h)) for h in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise RosterError(source, [f"row 1: missing column(s) {', '.join(missing)} (found: {', '.join(header)})"])
    reader.fieldnames = header

    problems: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in enumerate(reader, start=2):
        if None in record:
            problems.append(f"row {number}: more fields than columns")
            continue
        rows.append((number, {k: (v or "").strip() for k, v in record.items()}))
    people = _validate(rows, problems)
    if problems:
        raise RosterError(source, problems)
    return people


def _norm_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower().replace("ö", "o"))


def _validate(rows: list[tuple[int, dict[str, str]]], problems: list[str]) -> list[Person]:
    first_row: dict[str, int] = {}
    accounts_seen: dict[tuple[Platform, str], int] = {}
    parsed: list[tuple[int, Person]] = []
    for number, rec in rows:
        pid = rec.get("id", "")
        if not pid:
            problems.append(f"row {number}: empty id")
            continue
        if pid in first_row:
            problems.append(f"row {number}: id {pid!r} also on row {first_row[pid]}")
            continue
        first_row[pid] = number
        role = _ROLES.get(rec.get("role", "").lower())
        if role is None:
            problems.append(f"row {number}: role {rec.get('role')!r} is not student, staff or parent")
            continue
        if not rec.get("name"):
            problems.append(f"row {number}: empty name")
        flags = {}
        for flag in ("coordinator", "leadership"):
            value = rec.get(flag, "").lower()
            if value not in _TRUE | _FALSE:
                problems.append(f"row {number}: {flag} must be yes/no, not {rec.get(flag)!r}")
            flags[flag] = value in _TRUE
        accounts = _accounts(number, pid, rec, accounts_seen, problems)
        parsed.append(
            (
                number,
                Person(
                    id=PersonId(pid),
                    name=rec.get("name", ""),
                    role=role,
                    class_name=rec.get("class") or None,
                    mentor=PersonId(rec["mentor"]) if rec.get("mentor") else None,
                    manager=PersonId(rec["manager"]) if rec.get("manager") else None,
                    is_coordinator=flags["coordinator"],
                    is_leadership=flags["leadership"],
                    accounts=accounts,
                ),
            )
        )
    roles = {p.id: p.role for _, p in parsed}
    for number, person in parsed:
        if person.role is not Role.STAFF and person.mentor is None:
            problems.append(f"row {number}: {person.role.value} {person.id!r} has no mentor")
        for relation, target in (("mentor", person.mentor), ("manager", person.manager)):
            if target is None:
                continue
            if target not in roles:
                problems.append(f"row {number}: {relation} {target!r} is not in the roster")
            elif roles[target] is not Role.STAFF:
                problems.append(f"row {number}: {relation} {target!r} is not a staff member")
    return [p for _, p in parsed]


def _accounts(
    number: int, pid: str, rec: dict[str, str], seen: dict[tuple[Platform, str], int], problems: list[str]
) -> tuple[Account, ...]:
    found: list[Account] = []
    checks = (
        (Platform.DISCORD, "discord_id", _DISCORD_ID, "a Discord user ID is 15-21 digits"),
        (Platform.MATRIX, "matrix_id", _MATRIX_ID, "a Matrix user ID looks like @name:server"),
    )
    for platform, column, pattern, hint in checks:
        value = rec.get(column, "")
        if not value:
            continue
        if not pattern.match(value):
            problems.append(f"row {number}: {column} {value!r} is not valid ({hint})")
            continue
        found.append(Account(platform, AccountId(value)))
    found.append(Account(Platform.CONSOLE, AccountId((rec.get("console") or pid).lower())))
    for account in found:
        key = (account.platform, account.id)
        if key in seen:
            problems.append(f"row {number}: {account.platform.value} account {account.id!r} also on row {seen[key]}")
        else:
            seen[key] = number
    return tuple(found)


def store_roster(
    sessions: sessionmaker[Session],
    people: list[Person],
    now: datetime,
    progress: Callable[[int], None] = lambda _n: None,
) -> ImportResult:
    """Upsert the roster in one transaction: people are updated, never duplicated; the missing are deactivated."""
    added = updated = 0
    with sessions.begin() as session:
        existing = {row.id: row for row in session.scalars(select(PersonRow).options(selectinload(PersonRow.accounts)))}
        before = {pid: _comparable(person_from_row(row), row.active) for pid, row in existing.items()}
        # Accounts first leave their old owner, so moving an account between people never hits the unique key.
        for row in existing.values():
            row.accounts.clear()
        session.flush()
        for done, person in enumerate(people, start=1):
            if person.id in existing:
                row = existing[person.id]
                updated += before[person.id] != _comparable(person, True)
            else:
                row = PersonRow(id=person.id)
                session.add(row)
                added += 1
            _fill(row, person, now)
            progress(done)
        present = {p.id for p in people}
        gone = [row for pid, row in existing.items() if pid not in present and row.active]
        for row in gone:
            row.active = False
            row.updated_at = now
    unchanged = len(people) - added - updated
    return ImportResult(added=added, updated=updated, deactivated=len(gone), unchanged=unchanged)


def _comparable(person: Person, active: bool) -> tuple[object, ...]:
    """What an import can change about a person (account order does not matter)."""
    return (replace(person, accounts=()), frozenset(_unique(person.accounts)), active)


def _fill(row: PersonRow, person: Person, now: datetime) -> None:
    row.name = person.name
    row.role = person.role.value
    row.class_name = person.class_name
    row.mentor_id = person.mentor
    row.manager_id = person.manager
    row.is_coordinator = person.is_coordinator
    row.is_leadership = person.is_leadership
    row.active = True
    row.updated_at = now
    row.accounts = [AccountRow(platform=a.platform.value, account_id=a.id) for a in _unique(person.accounts)]


def _unique(accounts: Iterable[Account]) -> list[Account]:
    return list({(a.platform, a.id): a for a in accounts}.values())
