"""The command line: `schoolwacht run | demo | check | init | roster ... | db ... | incidents ... | model ...`.

User mistakes (a bad settings file, a bad roster, an unreachable database) end with one line and a non-zero exit
code, never a traceback.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from adapters.base import AdapterConfigError, AdapterStartError
from bot.database import SchemaBehind, current_revision, head_revision, upgrade
from bot.secrets import SecretError
from bot.settings import Settings, SettingsError, load_settings
from moderation.model import RoomKind
from moderation.roster import RosterError
from moderation.storage.engine import DatabaseUnavailable

app = typer.Typer(
    help="schoolwacht: a moderation bot that puts a school's social-media protocol into practice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(soft_wrap=True)  # one message, one line: admins grep logs and scripts read output
ConfigOption = Annotated[Path, typer.Option("--config", "-c", envvar="SCHOOLWACHT_CONFIG", help="The settings file.")]
DEFAULT_CONFIG = Path("schoolwacht.toml")

# Errors that are the user's to fix: one line, exit code 2.
USER_ERRORS = (
    SettingsError,
    RosterError,
    DatabaseUnavailable,
    SchemaBehind,
    AdapterConfigError,
    AdapterStartError,
    SecretError,
)


def actor() -> str:
    """Who is using the command line, for the incident history."""
    return f"cli:{getpass.getuser()}"


def settings_from(config: Path) -> Settings:
    return load_settings(config)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the example settings.")] = DEFAULT_CONFIG,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example settings file to start from."""
    if path.exists() and not force:
        raise SettingsError(f"{path} exists already; use --force to overwrite it")
    path.write_text(resources.files("bot").joinpath("example.toml").read_text(encoding="utf-8"), encoding="utf-8")
    out.print(f"wrote {path}; edit it, then run `schoolwacht db upgrade` and `schoolwacht roster import FILE`")


@app.command()
def run(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Start the configured platforms and moderate until stopped (Ctrl-C / SIGTERM)."""
    from bot.app import build_core
    from bot.app import run as run_app
    from bot.platforms import build_adapters

    settings = settings_from(config)
    _service_logging()
    core = build_core(settings)
    try:
        asyncio.run(run_app(core, build_adapters(core)))
    finally:
        core.close()


@app.command()
def web(
    link: Annotated[str | None, typer.Option(help="Print a one-time sign-in link for this reviewer and stop.")] = None,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Serve the review desk alone (no chat platforms), for a desk-only install; see docs/desk.md."""
    from bot.cli_web import run_web

    run_web(settings_from(config), link, out)


def _service_logging() -> None:
    """A running bot tells the admin what it does (INFO, with times); the libraries only their warnings."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in root.handlers:
        if type(handler) is logging.StreamHandler:  # ours from main(), not a test runner's capture
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for noisy in ("nio", "discord", "apscheduler", "aiohttp", "sqlalchemy", "httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.command()
def demo() -> None:
    """Play a short scenario on the console platform with a sample roster; no config or network needed."""
    from bot.demo import run_demo

    run_demo(out)


@app.command()
def doctor(
    health: Annotated[
        bool, typer.Option(help="Only what a running bot needs (settings, database): for HEALTHCHECK.")
    ] = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Check the settings, database, roster, platforms, model, time zone and clock; say what to fix and how."""
    from bot.doctor import run_doctor

    findings = run_doctor(config, health=health)
    for finding in findings:
        if not (health and finding.ok):
            out.print(finding.line(), markup=False, highlight=False)
    problems = sum(not f.ok for f in findings)
    if not health:
        out.print("no problems found" if not problems else f"{problems} problem(s) found", highlight=False)
    raise typer.Exit(1 if problems else 0)


@app.command()
def check(
    text: Annotated[str, typer.Argument(help="The message to judge.")],
    kind: Annotated[RoomKind, typer.Option(help="The kind of room it is posted in.")] = RoomKind.STUDENT_RUN,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Judge one message and print the verdict and why (nothing is stored)."""
    from bot.check import run_check

    settings = settings_from(config) if config.exists() else Settings()
    run_check(settings, text, kind.value, out)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Create or migrate the database schema to this version of schoolwacht."""
    from bot.app import open_database

    engine, _sessions = open_database(settings_from(config), check_schema=False)
    upgrade(engine)
    out.print(f"database is at revision {current_revision(engine)}")


@db_app.command("current")
def db_current(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Show the database's schema revision and the one this version needs."""
    from bot.app import open_database

    engine, _sessions = open_database(settings_from(config), check_schema=False)
    out.print(f"database: {current_revision(engine) or 'empty'}; this version needs: {head_revision(engine)}")


def _mount_optional_apps() -> None:
    """Sub-apps that live in their own modules (kept small, one idea each)."""
    from bot.cli_incidents import incidents_app
    from bot.cli_model import model_app
    from bot.cli_privacy import privacy_app
    from bot.cli_roster import roster_app

    app.add_typer(roster_app, name="roster")
    app.add_typer(incidents_app, name="incidents")
    app.add_typer(privacy_app, name="privacy")
    app.add_typer(model_app, name="model")


# Optional packages, by the extra that installs them: a command that needs one says which to install.
_ML, _ONNX = "ml", "onnx"
_EXTRAS = {"torch": _ML, "detoxify": _ML, "transformers": _ML, "onnx": _ML, "onnxruntime": _ONNX}
_EXTRAS |= {"tokenizers": _ONNX, "numpy": _ONNX, "nio": "matrix", "discord": "discord", "psycopg": "postgres"}


def missing_extra(exc: ImportError) -> str | None:
    """One line for a command that needs an optional package that is not installed; None for any other error."""
    package = (exc.name or "").split(".")[0]
    extra = _EXTRAS.get(package)
    if extra is None:
        return None
    return f"this needs the optional package {package!r}: install it with pip install 'schoolwacht[{extra}]'"


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _mount_optional_apps()
    try:
        app()
    except USER_ERRORS as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)
    except ImportError as exc:
        if (message := missing_extra(exc)) is None:
            raise
        sys.stderr.write(f"error: {message}\n")
        sys.exit(2)
