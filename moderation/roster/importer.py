"""Reading a school's roster from one or more exported files, checked as a whole before anything is stored.

The files are read in passes rather than held in memory: the first indexes every id and account (and finds the
problems of single rows), the second checks mentors and managers against that index, and the store reads them a
last time. A bad set of files imports nothing; every problem is reported with its file and row number.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from moderation.directory import fold_id
from moderation.model import Person, PersonId, Platform, Role
from moderation.roster.accounts import AccountPattern
from moderation.roster.columns import FileKind, Layout, recognise
from moderation.roster.errors import RosterError
from moderation.roster.index import Entry, RosterIndex
from moderation.roster.options import RosterOptions
from moderation.roster.people import RowContext, class_mentors, person_of, record_of
from moderation.roster.source import RosterFile
from moderation.roster.store import Listed

_INDEX_BATCH = 1000  # rows indexed per round trip to the index
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class FileReport:
    """What the import made of one file, to show the admin."""

    source: str
    kind: FileKind
    encoding: str
    delimiter: str
    rows: int
    ignored_columns: tuple[str, ...]


@dataclass(slots=True)
class _Input:
    source: str
    opener: Callable[[], BinaryIO]
    prefix: str  # "" for a single file, "leerlingen.csv " when there are several
    layout: Layout | None = None
    encoding: str = ""


@dataclass(slots=True)
class Roster:
    """A checked roster: `people()` streams it (again) from its files."""

    files: list[FileReport]
    _inputs: list[_Input]
    _options: RosterOptions
    _mentors_of_class: dict[str, tuple[str, ...]]
    _index: RosterIndex = field(default_factory=RosterIndex)  # folded id → (id as written, role), on disk

    def __len__(self) -> int:
        return len(self._index)

    def close(self) -> None:
        """Remove the index (it also goes when the roster is garbage-collected)."""
        self._index.close()

    def people(self) -> Iterator[Person]:
        for _where, person, _email in self._rows():
            yield self._resolved(person)

    def entries(self) -> Iterator[Listed]:
        """The people with their school e-mail address from the export (for self-service linking), streamed."""
        for _where, person, email in self._rows():
            yield Listed(self._resolved(person), email)

    def _resolved(self, person: Person) -> Person:
        """Mentors and managers spelled as the roster spells them (ids are case-insensitive)."""
        mentors = tuple(self._spelled(m) for m in person.mentors)
        manager = self._spelled(person.manager) if person.manager is not None else None
        return replace(person, mentor=mentors[0] if mentors else None, mentors=mentors, manager=manager)

    def _spelled(self, person_id: PersonId) -> PersonId:
        known = self._index.get(fold_id(person_id))
        return known[0] if known is not None else person_id

    def _rows(self) -> Iterator[tuple[str, Person, str | None]]:
        context = self.row_context()
        for item in self._inputs:
            layout = item.layout
            if layout is None or layout.kind is FileKind.CLASS_MENTORS:
                continue
            with RosterFile(item.source, item.opener(), encoding=item.encoding) as file:
                for row in file.rows():
                    record = record_of(layout, row.fields)
                    if isinstance(record, str):
                        continue
                    person = person_of(layout, record, context, [])
                    if person is not None:
                        yield f"{item.prefix}row {row.number}", person, record.get("email") or None

    def row_context(self) -> RowContext:
        return RowContext(
            mentors_of_class=self._mentors_of_class,
            patterns=_patterns(self._options),
            leadership=frozenset(fold_id(i) for i in self._options.leadership),
            coordinators=frozenset(fold_id(i) for i in self._options.coordinators),
            privacy_officers=frozenset(fold_id(i) for i in self._options.privacy_officers),
        )


def read_roster(paths: Path | Sequence[Path], options: RosterOptions | None = None) -> Roster:
    """Read and check the files (students, staff, class → mentors, or one file with a role column)."""
    files = [paths] if isinstance(paths, Path) else list(paths)
    several = len(files) > 1
    inputs = [_Input(str(p), _opener(p), f"{p.name} " if several else "") for p in files]
    return _check(inputs, options or RosterOptions(), source="roster" if several else str(files[0]))


def parse_roster(text: str, *, source: str = "roster", options: RosterOptions | None = None) -> list[Person]:
    """A roster from text already in memory (one file), as a list."""
    data = text.encode("utf-8")
    roster = _check([_Input(source, lambda: io.BytesIO(data), "")], options or RosterOptions(), source=source)
    try:
        return list(roster.people())
    finally:
        roster.close()


def _opener(path: Path) -> Callable[[], BinaryIO]:
    def open_it() -> BinaryIO:
        try:
            return path.open("rb")
        except OSError as exc:
            raise RosterError(str(path), [f"cannot read the file: {exc.strerror}"]) from exc

    return open_it


def _check(inputs: list[_Input], options: RosterOptions, *, source: str) -> Roster:
    problems: list[str] = []
    reports: list[FileReport] = []
    mentors_of_class: dict[str, tuple[str, ...]] = {}
    for item in inputs:
        with RosterFile(item.source, item.opener(), encoding=options.encoding) as file:
            item.encoding = file.encoding
            layout = recognise(file.header, options.columns)
            if isinstance(layout, str):
                problems.append(f"{item.prefix}row 1: {layout}")
                continue
            item.layout = layout
            missing = sorted(
                column
                for pattern in _patterns(options).values()
                for column in pattern.columns()
                if column not in layout.raw and column not in layout.fields
            )
            if missing and layout.kind is not FileKind.CLASS_MENTORS:
                problems.append(
                    f"{item.prefix}row 1: [roster.accounts] uses column(s) {', '.join(missing)}, not in this file"
                )
            if layout.kind is FileKind.CLASS_MENTORS:
                rows = _read_class_mentors(file, layout, item.prefix, mentors_of_class, problems)
            else:
                rows = sum(1 for _row in file.rows())
                if rows == 0:
                    problems.append(f"{item.prefix}row 2: no people in the file, only a header")
            reports.append(FileReport(item.source, layout.kind, file.encoding, file.delimiter, rows, layout.ignored))
    roster = Roster(reports, inputs, options, mentors_of_class)
    try:
        _index_rows(roster, inputs, options, problems)
        _check_relations(roster, problems)
    except BaseException:
        roster.close()
        raise
    if problems:
        roster.close()
        raise RosterError(source, problems)
    return roster


def _read_class_mentors(
    file: RosterFile, layout: Layout, prefix: str, found: dict[str, tuple[str, ...]], problems: list[str]
) -> int:
    rows = 0
    for row in file.rows():
        rows += 1
        record = record_of(layout, row.fields)
        if isinstance(record, str):
            problems.append(f"{prefix}row {row.number}: {record}")
            continue
        class_name, mentors = class_mentors(record)
        if class_name and mentors:
            found[class_name.casefold()] = found.get(class_name.casefold(), ()) + mentors
    return rows


def _index_rows(roster: Roster, inputs: list[_Input], options: RosterOptions, problems: list[str]) -> None:
    """Every id and platform account once, and the problems of single rows."""
    context = roster.row_context()
    for item in inputs:
        layout = item.layout
        if layout is None or layout.kind is FileKind.CLASS_MENTORS:
            continue
        batch: list[Entry] = []
        with RosterFile(item.source, item.opener(), encoding=item.encoding) as file:
            for row in file.rows():
                where = f"{item.prefix}row {row.number}"
                record = record_of(layout, row.fields)
                if isinstance(record, str):
                    problems.append(f"{where}: {record}")
                    continue
                found: list[str] = []
                person = person_of(layout, record, context, found)
                email = record.get("email", "")
                if email and not _EMAIL.match(email):
                    found.append(f"email {email!r} is not an e-mail address")
                problems.extend(f"{where}: {p}" for p in found)
                if person is None:
                    continue
                accounts = tuple(f"{a.platform.value}:{a.id}" for a in person.accounts)
                batch.append(Entry(fold_id(person.id), person.id, person.role, where, accounts))
                if len(batch) >= _INDEX_BATCH:
                    problems.extend(roster._index.add(batch))
                    batch.clear()
        problems.extend(roster._index.add(batch))
    for setting, listed in (
        ("leadership", options.leadership),
        ("coordinators", options.coordinators),
        ("privacy_officers", options.privacy_officers),
    ):
        for pid in sorted(listed):
            if fold_id(pid) not in roster._index:
                problems.append(f"[roster] {setting}: {pid!r} is in none of the files")


def _check_relations(roster: Roster, problems: list[str]) -> None:
    for where, person, _email in roster._rows():
        if person.role is not Role.STAFF and not person.mentors:
            hint = f" (class {person.class_name} is in no class → mentor file)" if person.class_name else ""
            problems.append(f"{where}: {person.role.value} {person.id!r} has no mentor{hint}")
        targets = [("mentor", m) for m in person.mentors] + ([("manager", person.manager)] if person.manager else [])
        for relation, target in targets:
            known = roster._index.get(fold_id(target))
            if known is None:
                problems.append(f"{where}: {relation} {target!r} is not in the roster")
            elif known[1] is not Role.STAFF:
                problems.append(f"{where}: {relation} {target!r} is not a staff member")


def _patterns(options: RosterOptions) -> dict[Platform, AccountPattern]:
    return {platform: AccountPattern(text) for platform, text in options.accounts.items()}
