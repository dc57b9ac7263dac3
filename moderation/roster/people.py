"""One row of an export becomes one Person: names joined, the role from the file, mentors split, accounts made."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from moderation.model import Account, AccountId, Person, PersonId, Platform, Role
from moderation.roster.accounts import AccountPattern
from moderation.roster.columns import FILE_ROLES, FileKind, Layout

_ROLES = {
    "student": Role.STUDENT,
    "leerling": Role.STUDENT,
    "staff": Role.STAFF,
    "medewerker": Role.STAFF,
    "docent": Role.STAFF,
    "personeel": Role.STAFF,
    "parent": Role.PARENT,
    "ouder": Role.PARENT,
    "verzorger": Role.PARENT,
}
_TRUE = {"1", "yes", "y", "true", "ja", "j", "x"}
_FALSE = {"", "0", "no", "n", "false", "nee"}
_MATRIX_ID = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")
_DISCORD_ID = re.compile(r"^\d{15,21}$")
_LIST_SEPARATORS = re.compile(r"[,;/&+\s]+")  # "SA4, NG5", "SA4/NG5", "SA4 & NG5"


def split_ids(value: str) -> tuple[str, ...]:
    return tuple(part for part in _LIST_SEPARATORS.split(value) if part)


def record_of(layout: Layout, fields: list[str]) -> dict[str, str] | str:
    """Our fields of one row by name (and the export's own column names, for account patterns), or a problem."""
    if len(fields) > len(layout.fields):
        if any(f.strip() for f in fields[len(layout.fields) :]):
            return f"{len(fields)} fields, but the header has {len(layout.fields)} columns"
        fields = fields[: len(layout.fields)]  # Excel ends every row with a separator: empty fields, not data
    record: dict[str, str] = {}
    for position, value in enumerate(fields):
        value = value.strip()
        record[layout.raw[position]] = value
        name = layout.fields[position]
        if name is not None:
            record[name] = value
    return record


def class_mentors(record: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    return record.get("class", ""), split_ids(record.get("mentor", ""))


@dataclass(frozen=True, slots=True)
class RowContext:
    """What a row needs from outside itself: the class → mentor file and the `[roster]` settings."""

    mentors_of_class: Mapping[str, tuple[str, ...]]  # folded class name → its mentors
    patterns: Mapping[Platform, AccountPattern]
    leadership: frozenset[str]  # folded ids
    coordinators: frozenset[str]
    privacy_officers: frozenset[str] = frozenset()


def person_of(layout: Layout, record: Mapping[str, str], context: RowContext, problems: list[str]) -> Person | None:
    """The person on this row; problems found in the row alone are added to `problems` (without a row prefix)."""
    pid = record.get("id", "")
    if not pid:
        problems.append("empty id")
        return None
    if layout.kind is FileKind.PEOPLE:
        role = _ROLES.get(record.get("role", "").lower())
        if role is None:
            problems.append(f"role {record.get('role')!r} is not student, staff or parent")
            return None
    else:
        role = FILE_ROLES[layout.kind]
    name = record.get("name") or " ".join(
        part for part in (record.get("first_name"), record.get("infix"), record.get("last_name")) if part
    )
    if not name:
        problems.append("empty name")
    flags = {}
    for flag, listed in (
        ("coordinator", context.coordinators),
        ("leadership", context.leadership),
        ("privacy_officer", context.privacy_officers),
    ):
        value = record.get(flag, "").lower()
        if value not in _TRUE | _FALSE:
            problems.append(f"{flag} must be yes/no, not {record.get(flag)!r}")
        flags[flag] = value in _TRUE or pid.casefold() in listed
    class_name = record.get("class") or None
    mentors = split_ids(record.get("mentor", ""))
    if not mentors and role is not Role.STAFF and class_name:
        mentors = context.mentors_of_class.get(class_name.casefold(), ())
    manager = record.get("manager") or None
    return Person(
        id=PersonId(pid),
        name=name,
        role=role,
        class_name=class_name,
        mentors=tuple(PersonId(m) for m in mentors),
        manager=PersonId(manager) if manager else None,
        is_coordinator=flags["coordinator"],
        is_leadership=flags["leadership"],
        is_privacy_officer=flags["privacy_officer"],
        accounts=_accounts(pid, record, context.patterns, problems),
    )


def _accounts(
    pid: str, record: Mapping[str, str], patterns: Mapping[Platform, AccountPattern], problems: list[str]
) -> tuple[Account, ...]:
    found: list[Account] = []
    checks = (
        (Platform.DISCORD, "discord_id", _DISCORD_ID, "a Discord user ID is 15-21 digits"),
        (Platform.MATRIX, "matrix_id", _MATRIX_ID, "a Matrix user ID looks like @name:server"),
    )
    for platform, column, pattern, hint in checks:
        value = record.get(column, "")
        source = column
        if not value and platform in patterns:
            value, source = patterns[platform].render(record) or "", f"[roster.accounts] {platform.value}"
        if not value:
            continue
        if not pattern.match(value):
            problems.append(f"{source} {value!r} is not valid ({hint})")
            continue
        found.append(Account(platform, AccountId(value)))
    console = record.get("console")
    if not console and Platform.CONSOLE in patterns:
        console = patterns[Platform.CONSOLE].render(record)
    found.append(Account(Platform.CONSOLE, AccountId((console or pid).lower())))
    return tuple(found)
