"""Which column of an export means what, and what kind of file it is (students, staff, both, or class → mentors).

Magister and SOMtoday export students and staff as separate files without a role column: the file's key column
(a student number or a staff code) tells which it is. Column names are matched after folding case, accents,
spaces, dots and hyphens; `[roster.columns]` in the settings maps any other name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from moderation.model import Role

# Our names for the columns we read; every other column of an export is ignored (and never stored).
FIELDS = (
    "id",
    "name",
    "first_name",
    "infix",
    "last_name",
    "role",
    "class",
    "mentor",
    "manager",
    "coordinator",
    "leadership",
    "privacy_officer",
    "discord_id",
    "matrix_id",
    "console",
    "email",
    "username",
)


class FileKind(StrEnum):
    PEOPLE = "people"  # a `role` column says who is a student, staff member or parent
    STUDENTS = "students"
    STAFF = "staff"
    CLASS_MENTORS = "class mentors"  # class → its mentor(s), for student files without a mentor column


# `[roster.columns]` may also name a file's key column as one of these, which says what kind of file it is.
KEY_FIELDS = {"student_id": FileKind.STUDENTS, "staff_id": FileKind.STAFF}
# What `[roster.columns]` may map an export's column to.
MAPPABLE_FIELDS = ("id", *KEY_FIELDS, *FIELDS[1:])

# Keys that make a file a student file or a staff file when there is no role column.
_STUDENT_KEYS = {
    "stamnummer",
    "stamnr",
    "leerlingnummer",
    "leerlingnr",
    "leerling_nummer",
    "leerlingid",
    "leerling_id",
    "studentnummer",
    "student_number",
    "student_id",
}
_STAFF_KEYS = {
    "afkorting",
    "code",
    "docentcode",
    "medewerkercode",
    "medewerker_code",
    "personeelsnummer",
    "personeelscode",
    "staff_code",
    "staff_id",
    "employee_id",
}
_ALIASES = {
    "id": "id",
    "nummer": "id",
    "name": "name",
    "naam": "name",
    "volledige_naam": "name",
    "full_name": "name",
    "roepnaam": "first_name",
    "voornaam": "first_name",
    "first_name": "first_name",
    "tussenvoegsel": "infix",
    "tussenvoegsels": "infix",
    "tussenv": "infix",
    "voorvoegsel": "infix",
    "voorvoegsels": "infix",
    "infix": "infix",
    "achternaam": "last_name",
    "last_name": "last_name",
    "surname": "last_name",
    "role": "role",
    "rol": "role",
    "class": "class",
    "klas": "class",
    "stamgroep": "class",
    "basisgroep": "class",
    "groep": "class",
    "klas_groep": "class",
    "mentor": "mentor",
    "mentoren": "mentor",
    "mentors": "mentor",
    "mentor_code": "mentor",
    "mentorcode": "mentor",
    "mentorcodes": "mentor",
    "mentor_s": "mentor",
    "manager": "manager",
    "leidinggevende": "manager",
    "coordinator": "coordinator",
    "anti_bullying_coordinator": "coordinator",
    "anti_pestcoordinator": "coordinator",
    "anti_pest_coordinator": "coordinator",
    "pestcoordinator": "coordinator",
    "leadership": "leadership",
    "schoolleiding": "leadership",
    "privacy_officer": "privacy_officer",
    "privacy": "privacy_officer",
    "privacyfunctionaris": "privacy_officer",
    "fg": "privacy_officer",
    "functionaris_gegevensbescherming": "privacy_officer",
    "discord_id": "discord_id",
    "discord": "discord_id",
    "matrix_id": "matrix_id",
    "matrix": "matrix_id",
    "console": "console",
    "console_name": "console",
    "email": "email",
    "e_mail": "email",
    "emailadres": "email",
    "e_mailadres": "email",
    "mail": "email",
    "school_email": "email",
    "e_mail_school": "email",
    "gebruikersnaam": "username",
    "username": "username",
    "login": "username",
    "inlognaam": "username",
}
FILE_ROLES = {FileKind.STUDENTS: Role.STUDENT, FileKind.STAFF: Role.STAFF}


@dataclass(frozen=True, slots=True)
class Layout:
    """What each column of one file means."""

    kind: FileKind
    fields: tuple[str | None, ...]  # our name for each column, None for a column we ignore
    raw: tuple[str, ...]  # the folded header names, for account patterns that name an export column
    ignored: tuple[str, ...]  # the export's names of the columns we ignore, to show the admin


def fold_header(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s\-.()/]+", "_", plain).strip("_")


def recognise(header: list[str], mapping: Mapping[str, str]) -> Layout | str:
    """The layout of a file with this header, or why it cannot be read (a problem for row 1)."""
    own = {fold_header(k): v for k, v in mapping.items()}
    raw = tuple(fold_header(h) for h in header)
    fields: list[str | None] = []
    key_kinds: set[FileKind] = set()
    for folded in raw:
        if folded in own and own[folded] in KEY_FIELDS:
            fields.append("id")
            key_kinds.add(KEY_FIELDS[own[folded]])
        elif folded in own:
            fields.append(own[folded])
        elif folded in _STUDENT_KEYS:
            fields.append("id")
            key_kinds.add(FileKind.STUDENTS)
        elif folded in _STAFF_KEYS:
            fields.append("id")
            key_kinds.add(FileKind.STAFF)
        else:
            fields.append(_ALIASES.get(folded))
    ignored = tuple(h for h, f in zip(header, fields, strict=True) if f is None and h.strip())
    present = [f for f in fields if f is not None]
    doubled = sorted({f for f in present if present.count(f) > 1})
    if doubled:
        return f"more than one column means {', '.join(doubled)} (found: {', '.join(header)})"
    named = "name" in present or "last_name" in present
    if "role" in present:
        kind = FileKind.PEOPLE
    elif "id" not in present and not named and {"class", "mentor"} <= set(present):
        kind = FileKind.CLASS_MENTORS
    elif len(key_kinds) == 1:
        kind = key_kinds.pop()
    elif "id" not in present:
        return (
            "missing column(s) id: a student number (stamnummer, leerlingnummer), a staff code (afkorting, code), "
            f"or id with a rol column; or map one in [roster.columns] (found: {', '.join(header)})"
        )
    else:
        return (
            "cannot tell whether this file lists students or staff: give it a rol column, a student number "
            "(stamnummer, leerlingnummer) or a staff code (afkorting, code), or map a column in [roster.columns] "
            f"(found: {', '.join(header)})"
        )
    needed = ("class", "mentor") if kind is FileKind.CLASS_MENTORS else ("id",)
    missing = [c for c in needed if c not in present]
    if kind is not FileKind.CLASS_MENTORS and not named:
        missing.append("name (or achternaam)")
    if missing:
        return f"missing column(s) {', '.join(missing)} (found: {', '.join(header)})"
    return Layout(kind=kind, fields=tuple(fields), raw=raw, ignored=ignored)
