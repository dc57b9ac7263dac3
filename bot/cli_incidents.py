"""`schoolwacht incidents list | show | ack | resolve | dismiss | escalate`: the review workflow on the command line.

Who is acting:
- `--as PERSON` (a roster id): exactly that reviewer's rights — a mentor sees only their own students' incidents;
  the history records "cli:<os user> as PERSON", who really typed it.
- without `--as`: the administrator at the server, recorded as "cli:<os user>", with school leadership's rights.
  Whoever can run this command on the server can read the database anyway; recording them by their OS account
  keeps their reads and changes in each incident's history like everyone else's.

Exit codes: 0 done (or already so); 1 no such incident, or not yours; 2 a mistake in the command or settings.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.settings import load_settings
from bot.texts.nl import Dutch
from moderation.clock import SystemClock
from moderation.directory import load_directory
from moderation.incidents.access import Actor
from moderation.incidents.cards import render_text, shown
from moderation.incidents.review import Result, ReviewResult, ReviewService
from moderation.model import IncidentStatus

incidents_app = typer.Typer(
    help="Review incidents: list, show, acknowledge, resolve, dismiss, escalate.", no_args_is_help=True
)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", envvar="SCHOOLWACHT_CONFIG", help="The settings file.")]
AsOption = Annotated[str | None, typer.Option("--as", help="Act as this reviewer (roster id), with their rights only.")]
DEFAULT_CONFIG = Path("schoolwacht.toml")
_EXIT = {Result.DONE: 0, Result.UNCHANGED: 0, Result.NOT_FOUND: 1, Result.FORBIDDEN: 1, Result.INVALID: 2}


def _service(config: Path) -> ReviewService:
    return _open(config)[0]


def _open(config: Path) -> tuple[ReviewService, ZoneInfo]:
    """The review service on the school's database, and the school's time zone ([bot] timezone) for the times."""
    from bot.app import open_database

    settings = load_settings(config)
    _engine, sessions = open_database(settings)
    directory = load_directory(sessions)
    return ReviewService(sessions, lambda: directory, SystemClock()), ZoneInfo(settings.bot.timezone)


def _actor(service: ReviewService, as_person: str | None) -> Actor:
    if as_person is None:
        return Actor.cli(getpass.getuser())
    actor = service.actor_by_id(as_person)
    if actor is None:
        typer.echo(f"error: {as_person!r} is not on the school's current roster", err=True)
        raise typer.Exit(2)
    return actor.on_cli(getpass.getuser())


def _finish(result: ReviewResult, out: Console) -> None:
    if result.ok:
        out.print(result.message, markup=False, highlight=False)
    else:
        typer.echo(f"error: {result.message}", err=True)
    raise typer.Exit(_EXIT[result.result])


@incidents_app.command("list")
def list_incidents(
    reviewer: Annotated[str | None, typer.Option(help="Only incidents assigned to this person (roster id).")] = None,
    status: Annotated[str | None, typer.Option(help="open, in-review, resolved or dismissed.")] = None,
    room: Annotated[str | None, typer.Option(help="Room id or name.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    as_person: AsOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """The incidents you may see, oldest first."""
    if status is not None and status not in tuple(IncidentStatus):
        typer.echo(f"error: --status must be open, in-review, resolved or dismissed, not {status!r}", err=True)
        raise typer.Exit(2)
    service, zone = _open(config)
    wanted = IncidentStatus(status) if status is not None else None
    cards = service.list_for(_actor(service, as_person), status=wanted, room=room, reviewer=reviewer, limit=limit)
    out = Console()
    table = Table("#", "when", "status", "rule", "category", "room", "author", "reviewers", "escalation")
    for c in cards:
        when = c.when.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        written = (
            c.room,
            c.author,
            ", ".join(f"{name} ({reason})" for name, reason in c.reviewers),
        )  # names and room names come from people, not from us
        cells = [str(c.id), when, c.status, c.rule_id, c.category, *(escape(shown(v)) for v in written)]
        table.add_row(*cells, c.escalation or "")
    out.print(table)
    out.print(f"{len(cards)} incident(s)")


@incidents_app.command("show")
def show(
    incident_id: Annotated[int, typer.Argument(help="The incident number.")],
    as_person: AsOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """One incident's card and its history (who read or changed it, when)."""
    service, zone = _open(config)
    result = service.show(incident_id, _actor(service, as_person), with_history=True)
    out = Console()
    if not result.ok or result.card is None:
        _finish(result, out)
        return
    card = render_text(
        result.card, Dutch(zone), with_commands=False, technical=True
    )  # as staff read it, plus the rule's
    out.print(card, markup=False, highlight=False)
    table = Table("when", "who", "what", "detail", title="history")
    for line in result.history:
        when = line.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(when, escape(shown(line.actor)), escape(shown(line.action)), escape(shown(line.detail)))
    out.print(table)


@incidents_app.command("ack")
def ack(
    incident_id: Annotated[int, typer.Argument(help="The incident number.")],
    as_person: AsOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Acknowledge: you are looking into it (open → in-review)."""
    service = _service(config)
    _finish(service.acknowledge(incident_id, _actor(service, as_person)), Console())


@incidents_app.command("resolve")
def resolve(
    incident_id: Annotated[int, typer.Argument(help="The incident number.")],
    note: Annotated[str, typer.Argument(help="What was done, e.g. 'conversation held'.")],
    measure: Annotated[str | None, typer.Option(help="The measure taken, if any (R13).")] = None,
    parents: Annotated[
        bool | None, typer.Option("--parents/--no-parents", help="Were the parents informed? (R13)")
    ] = None,
    as_person: AsOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Resolve with a note; with a measure, say whether the parents were informed."""
    service = _service(config)
    actor = _actor(service, as_person)
    _finish(service.resolve(incident_id, actor, note, measure=measure, parents_informed=parents), Console())


@incidents_app.command("dismiss")
def dismiss(
    incident_id: Annotated[int, typer.Argument(help="The incident number.")],
    note: Annotated[str, typer.Argument(help="Why it is a false positive.")] = "",
    as_person: AsOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Dismiss as a false positive."""
    service = _service(config)
    _finish(service.dismiss(incident_id, _actor(service, as_person), note), Console())


@incidents_app.command("escalate")
def escalate(
    incident_id: Annotated[int, typer.Argument(help="The incident number.")],
    to: Annotated[str, typer.Argument(help="coordinator, leadership or police.")],
    note: Annotated[str, typer.Argument(help="Why.")] = "",
    as_person: AsOption = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Escalate to the anti-bullying coordinator, to school leadership, or as a possible criminal offence."""
    service = _service(config)
    _finish(service.escalate(incident_id, _actor(service, as_person), to, note), Console())
