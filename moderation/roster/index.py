"""Every id and platform account of the files being imported, kept in a private temporary SQLite database (on
disk, deleted when closed) instead of Python dicts, so that checking a roster of any size takes the same memory.

Rows are added in batches; a batch's ids and accounts are looked up in one query each. Lookups of mentors and
managers (a few hundred distinct staff ids, however many students) are cached.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from moderation.model import PersonId, Role

_CACHE_MAX = 50_000  # distinct mentor/manager ids remembered; a school has a few hundred
_IN_CHUNK = 500  # ids per lookup query (SQLite's default limit on bound parameters is far higher)


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # the folded id
    person_id: PersonId
    role: Role
    where: str  # "leerlingen.csv row 12", for "also on …"
    accounts: tuple[str, ...]  # "discord:1234…", "matrix:@x:school.nl", "console:x"


class RosterIndex:
    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "": a temporary database on disk, private to this connection
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE person (key TEXT PRIMARY KEY, id TEXT, role TEXT, row TEXT) WITHOUT ROWID")
        self._db.execute("CREATE TABLE account (key TEXT PRIMARY KEY, row TEXT) WITHOUT ROWID")
        self._count = 0
        self._cache: dict[str, tuple[PersonId, Role] | None] = {}

    def add(self, batch: Sequence[Entry]) -> list[str]:
        """Index these rows; the problems of ids or accounts already indexed (or twice in the batch)."""
        problems: list[str] = []
        seen = self._rows_of("person", [e.key for e in batch])
        accounts_seen = self._rows_of("account", [a for e in batch for a in e.accounts])
        people: list[tuple[str, str, str, str]] = []
        accounts: list[tuple[str, str]] = []
        for entry in batch:
            if entry.key in seen:
                problems.append(f"{entry.where}: id {entry.person_id!r} also on {seen[entry.key]}")
                continue
            seen[entry.key] = entry.where
            people.append((entry.key, entry.person_id, entry.role.value, entry.where))
            for account in entry.accounts:
                if account in accounts_seen:
                    platform, _, ident = account.partition(":")
                    problems.append(f"{entry.where}: {platform} account {ident!r} also on {accounts_seen[account]}")
                else:
                    accounts_seen[account] = entry.where
                    accounts.append((account, entry.where))
        with self._db:
            self._db.executemany("INSERT INTO person VALUES (?, ?, ?, ?)", people)
            self._db.executemany("INSERT INTO account VALUES (?, ?)", accounts)
        self._count += len(people)
        self._cache.clear()
        return problems

    def get(self, key: str) -> tuple[PersonId, Role] | None:
        """The id as the roster spells it and the role of the person with this folded id."""
        if key in self._cache:
            return self._cache[key]
        row = self._db.execute("SELECT id, role FROM person WHERE key = ?", (key,)).fetchone()
        found = (PersonId(row[0]), Role(row[1])) if row is not None else None
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[key] = found
        return found

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self._db.close()

    def _rows_of(self, table: str, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), _IN_CHUNK):
            chunk = keys[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT key, row FROM {table} WHERE key IN ({marks})", chunk).fetchall())
        return found
