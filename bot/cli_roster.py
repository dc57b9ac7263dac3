"""`schoolwacht roster import | show`: the school's exports in, and who is who out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings, load_settings
from moderation.clock import SystemClock
from moderation.directory import RosterDirectory, fold_id, load_people
from moderation.incidents.review import ReviewService
from moderation.model import Person, Role
from moderation.roster import FileKind, FileReport, Roster, read_roster, store_roster
from moderation.storage.people import AccountRow, PersonRow

roster_app = typer.Typer(
    help="The school's roster: who is who (students, staff, mentors, managers).", no_args_is_help=True
)
out = Console(soft_wrap=True, highlight=False)
ConfigOption = Annotated[Path, typer.Option("--config", "-c", envvar="SCHOOLWACHT_CONFIG", help="The settings file.")]
DEFAULT_CONFIG = Path("schoolwacht.toml")
LINK_COMMAND = {"matrix": "!koppel", "discord": "/koppel"}
_ENCODING_NAMES = {"utf_8": "UTF-8", "utf_8_sig": "UTF-8 with byte-order mark", "cp1252": "Windows-1252"}


@roster_app.command("import")
def roster_import(
    files: Annotated[
        list[Path],
        typer.Argument(help="CSV exports: students and staff (Magister, SOMtoday, ...), a class → mentor file."),
    ],
    allow_removals: Annotated[
        bool, typer.Option(help="Confirm an import that marks many people as left (see roster.max_removed_share).")
    ] = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Import (or update) the roster from all of the school's export files at once, in one transaction.
    Files with any problem import nothing; people in none of the files are marked as left."""
    from bot.app import open_database

    settings = load_settings(config)
    roster = read_roster(files, settings.roster.options())
    for report in roster.files:
        out.print(describe_file(report))
    _engine, sessions = open_database(settings)
    try:
        with Progress(console=out, transient=True) as progress:
            task = progress.add_task("importing", total=len(roster))
            result = store_roster(
                sessions,
                roster.entries(),
                datetime.now(UTC),
                lambda n: progress.update(task, completed=n),
                max_removed_share=settings.roster.max_removed_share,
                allow_removals=allow_removals,
            )
    finally:
        roster.close()  # its index of ids, a temporary file
    out.print(
        f"roster imported: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.deactivated} no longer in the files (kept, marked as left)"
    )

    # Open incidents of reviewers who left go to leadership now, not at the next nightly run. Only leadership is
    # looked up: a school of any size is not loaded whole for that.
    def leaders() -> RosterDirectory:
        return RosterDirectory(load_people(sessions, active=True, leadership_only=True))

    moved = ReviewService(sessions, leaders, SystemClock()).reassign_departed()
    if moved:
        out.print(f"{moved} open incident(s) of people who left were reassigned to school leadership")
    for warning in roster_warnings(roster, settings, sessions):
        out.print(f"warning: {warning}")


def describe_file(report: FileReport) -> str:
    encoding = _ENCODING_NAMES.get(report.encoding, report.encoding)
    delimiter = {";": "semicolons", ",": "commas", "\t": "tabs"}.get(report.delimiter, repr(report.delimiter))
    ignored = f"; ignored columns: {', '.join(report.ignored_columns)}" if report.ignored_columns else ""
    return escape(f"{report.source}: {report.kind.value}, {report.rows} row(s), {encoding}, {delimiter}{ignored}")


def roster_warnings(roster: Roster, settings: Settings, sessions: sessionmaker[Session]) -> list[str]:
    """What is not wrong enough to refuse, but that the admin should fix (counted in the database)."""
    warnings: list[str] = []
    active = PersonRow.active.is_(True)
    with sessions() as session:
        people = session.scalar(select(func.count()).select_from(PersonRow).where(active)) or 0
        leaders = session.scalar(select(func.count()).select_from(PersonRow).where(active, PersonRow.is_leadership))
        if not leaders:
            warnings.append(
                "nobody is school leadership: reports and incidents of unknown authors have no reviewer; mark them "
                "with a schoolleiding column or [roster] leadership = [...]"
            )
        for name in settings.bot.platforms:
            if name == "console":
                continue
            has_one = PersonRow.accounts.any(AccountRow.platform == name)
            missing = session.scalar(select(func.count()).select_from(PersonRow).where(active, ~has_one)) or 0
            if missing:
                linking = "" if settings.smtp is None else f", or they link it themselves with {LINK_COMMAND[name]}"
                warnings.append(
                    f"{missing} of {people} people have no {name} account: give a {name}_id column or a pattern in "
                    f"[roster.accounts]{linking} (see docs/roster.md)"
                )
    if not any(r.kind is FileKind.STAFF or r.kind is FileKind.PEOPLE for r in roster.files):
        warnings.append("no staff file was given: mentors must be in the roster (give the staff export as well)")
    return warnings


@roster_app.command("show")
def roster_show(
    class_name: Annotated[str | None, typer.Option("--class", help="Only this class.")] = None,
    role: Annotated[Role | None, typer.Option(help="Only students, staff or parents.")] = None,
    left: Annotated[bool, typer.Option("--left", help="Only people who left (no longer in the exports).")] = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """List the roster, one line per person: id, name, role, class, mentors or manager, flags, accounts."""
    from bot.app import open_database

    _engine, sessions = open_database(load_settings(config))
    people = load_people(sessions, active=not left)
    shown = [
        p
        for p in people
        if (class_name is None or fold_id(p.class_name or "") == fold_id(class_name))
        and (role is None or p.role is role)
    ]
    for person in sorted(shown, key=lambda p: (p.role.value, p.class_name or "", p.name)):
        out.print(escape(_line(person)))
    what = "people who left" if left else "people"
    out.print(f"{len(shown)} {what}" + (f" (of {len(people)})" if len(shown) != len(people) else ""))


def _line(person: Person) -> str:
    relation = ""
    if person.mentors:
        relation = "mentor " + ", ".join(person.mentors)
    elif person.manager:
        relation = f"manager {person.manager}"
    roles = (
        ("coordinator", person.is_coordinator),
        ("leadership", person.is_leadership),
        ("privacy officer", person.is_privacy_officer),
    )
    flags = [f for f, on in roles if on]
    accounts = " ".join(f"{a.platform.value}:{a.id}" for a in person.accounts)
    parts = [person.id, person.name, person.role.value, person.class_name or "-", relation, " ".join(flags), accounts]
    return "  ".join(part for part in parts if part)
