"""`schoolwacht privacy export PERSON` and `schoolwacht privacy erase PERSON [--dry-run]` (AVG access and erasure).

PERSON is a roster id (`sanne`), or a platform account for someone not on the roster (`discord:1234…`,
`matrix:@x:school.nl`, `console:x`). Exit codes: 0 done; 1 nothing is stored about PERSON; 2 a mistake in the
command or settings.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from bot.platforms import personal_data_hooks
from bot.settings import load_settings
from moderation.privacy import ErasurePlan, UnknownPerson, erase_person, export_person
from moderation.privacy.lookup import unfinished

privacy_app = typer.Typer(help="AVG: export or erase everything stored about a person.", no_args_is_help=True)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", envvar="SCHOOLWACHT_CONFIG", help="The settings file.")]
DEFAULT_CONFIG = Path("schoolwacht.toml")
PersonArgument = Annotated[str, typer.Argument(help="A roster id, or platform:account for someone not on it.")]


def _sessions(config: Path) -> sessionmaker[Session]:
    from bot.app import open_database

    return open_database(load_settings(config))[1]


def _who() -> str:
    """Who ran the request, for the privacy log (the administrator at the server, by their OS account)."""
    return f"cli:{getpass.getuser()}"


@privacy_app.command("export")
def export(
    person: PersonArgument,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the JSON here, not to stdout.")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Everything stored about PERSON, as JSON."""
    try:
        data = export_person(_sessions(config), person, datetime.now(UTC), actor=_who(), hooks=personal_data_hooks())
    except UnknownPerson as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@privacy_app.command("erase")
def erase(
    person: PersonArgument,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be erased; change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Erase every trace of PERSON: their own incidents entirely; other people's incidents stay, without them."""
    sessions = _sessions(config)
    now = datetime.now(UTC)
    hooks = personal_data_hooks()
    out = Console()
    try:
        plan = erase_person(sessions, person, now, dry_run=True, actor=_who(), hooks=hooks)
        out.print(_table(plan, "would be erased" if dry_run else "will be erased"))
        if dry_run:
            out.print("dry run: nothing was changed")
            return
        for warning in _unfinished(sessions, plan.incidents_deleted):
            out.print(f"warning: {warning}", markup=False)
        if not yes and not typer.confirm(f"erase everything about {person}? this cannot be undone"):
            out.print("nothing was changed")
            raise typer.Exit(1)
        erase_person(sessions, person, now, dry_run=False, actor=_who(), hooks=hooks)
    except UnknownPerson as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    out.print(
        f"erased {escape(person)}. If they are still in the school's export, the next roster import adds them again."
    )


def _unfinished(sessions: sessionmaker[Session], incident_ids: list[int]) -> list[str]:
    """The incidents an erasure would delete while they still need someone: open, or escalated to the police."""
    return [
        f"#{n} was escalated as a possible criminal offence; its record goes too"
        if why == "police"
        else f"#{n} is still {why}: its reviewers have not finished it"
        for n, why in unfinished(sessions, incident_ids)
    ]


def _table(plan: ErasurePlan, what: str) -> Table:
    def ids(values: list[int]) -> str:
        return ", ".join(f"#{v}" for v in values) or "-"

    table = Table("what", "how many", "incidents", title=f"{escape(plan.who)}: {what}")
    table.add_row("roster record and accounts", str(plan.accounts) if plan.person_record else "0", "")
    table.add_row("their own incidents (deleted)", str(len(plan.incidents_deleted)), ids(plan.incidents_deleted))
    table.add_row("named as the one aimed at (removed)", str(len(plan.targets_cleared)), ids(plan.targets_cleared))
    table.add_row("as reporter (removed)", str(len(plan.reports_cleared)), ids(plan.reports_cleared))
    table.add_row("as reviewer (removed)", str(len(plan.assignments_removed)), ids(plan.assignments_removed))
    table.add_row("→ handed to leadership", str(len(plan.reassigned_to_leadership)), ids(plan.reassigned_to_leadership))
    table.add_row("name/account in other texts (replaced)", str(len(plan.texts_scrubbed)), ids(plan.texts_scrubbed))
    table.add_row("history lines rewritten", str(plan.history_lines_rewritten), "")
    table.add_row("mentor/manager of (link removed)", str(plan.relations_cleared), "")
    return table
