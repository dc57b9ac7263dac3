"""`schoolwacht doctor`: everything an installation needs, checked in one go, each problem with the command or
setting that fixes it. `--health` runs only what a running bot needs (the container's HEALTHCHECK)."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from bot.secrets import read_secret
from bot.settings import Settings, SettingsError, load_settings

CLOCK_TOLERANCE_S = 60  # Matrix and Discord refuse or misorder events with a clock much further off


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # "database", "roster", "matrix", ...
    ok: bool
    message: str
    fix: str = ""  # the command or setting that fixes it

    def line(self) -> str:
        mark = "ok " if self.ok else "FAIL"
        return f"{mark} {self.check}: {self.message}" + (f" → {self.fix}" if self.fix and not self.ok else "")


Check = Callable[[Settings], Iterator[Finding]]


def run_doctor(config: Path, *, health: bool, environ: Mapping[str, str] = os.environ) -> list[Finding]:
    try:
        settings = load_settings(config)
    except SettingsError as exc:
        return [Finding("settings", False, str(exc), "fix the settings file (`schoolwacht init` writes an example)")]
    findings = [Finding("settings", True, f"{config} is valid")]
    engine = None
    try:
        engine = _engine(settings, environ)
        findings.extend(_database(engine))
        if health or not all(f.ok for f in findings):
            return findings
        findings.extend(_roster(settings, engine))
        findings.extend(_time(settings, engine))
        findings.extend(_model(settings))
        from bot.doctor_smtp import smtp_findings

        findings.extend(smtp_findings(settings, engine, environ))
        if "matrix" in settings.bot.platforms:
            findings.extend(_matrix(settings, environ))
        if "discord" in settings.bot.platforms:
            findings.append(_discord(settings))
        return findings
    except SettingsError as exc:
        return [*findings, Finding("database", False, str(exc))]
    finally:
        if engine is not None:
            engine.dispose()


def _engine(settings: Settings, environ: Mapping[str, str]) -> Engine:
    from moderation.storage.engine import make_engine

    return make_engine(settings.database_url(environ))


def _database(engine: Engine) -> Iterator[Finding]:
    from bot.database import current_revision, head_revision

    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # every driver's own error: shown as one line
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        yield Finding(
            "database", False, f"cannot reach {where}: {reason}", "check [database] url / SCHOOLWACHT_DATABASE_URL"
        )
        return
    yield Finding("database", True, f"reachable at {where}")
    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        yield Finding(
            "database", False, f"schema at {current or 'nothing (empty)'}, needs {head}", "schoolwacht db upgrade"
        )
        return
    yield Finding("database", True, f"schema is current ({head})")
    try:
        with engine.begin() as conn:  # a write that is undone: proves the bot may write
            conn.execute(text("CREATE TEMPORARY TABLE doctor_probe (x INTEGER)"))
            conn.execute(text("INSERT INTO doctor_probe VALUES (1)"))
            conn.execute(text("DROP TABLE doctor_probe"))
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        yield Finding(
            "database", False, f"not writable: {reason}", "give the bot's user write access (a permission problem)"
        )
        return
    yield Finding("database", True, "writable")


def _roster(settings: Settings, engine: Engine) -> Iterator[Finding]:
    from bot.app import build_policies, poster_problems
    from moderation.directory import load_directory
    from moderation.model import Platform
    from moderation.storage.engine import make_session_factory

    directory = load_directory(make_session_factory(engine))
    people = directory.people()
    if not people:
        yield Finding(
            "roster", False, "the roster is empty", "schoolwacht roster import leerlingen.csv medewerkers.csv"
        )
        return
    yield Finding("roster", True, f"{len(people)} people")
    if not directory.leadership():
        yield Finding(
            "roster", False, "nobody is school leadership", "a schoolleiding column, or [roster] leadership = [...]"
        )
    for name in settings.bot.platforms:
        if name == "console":
            continue
        platform = Platform(name)
        missing = [p for p in people if not any(a.platform is platform for a in p.accounts)]
        if missing:
            sample = ", ".join(p.id for p in missing[:5])
            yield Finding(
                "roster",
                False,
                f"{len(missing)} people have no {name} account (e.g. {sample})",
                f'a {name}_id column or [roster.accounts] {name} = "..."; then roster import',
            )
    for problem in poster_problems(build_policies(settings), directory):
        yield Finding("roster", False, problem, "fix posters in [[rooms]] or the roster")


def _time(settings: Settings, engine: Engine) -> Iterator[Finding]:
    zone = ZoneInfo(settings.bot.timezone)
    now = datetime.now(UTC)
    yield Finding("time", True, f"{settings.bot.timezone}: {now.astimezone(zone):%Y-%m-%d %H:%M %Z}")
    platforms = settings.bot.platforms
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            server = conn.scalar(text("SELECT now()"))
        yield clock_finding("the database server", server)
    if "discord" in platforms:
        yield _discord_clock()
    elif engine.dialect.name != "postgresql" and "matrix" not in platforms:  # the Matrix check compares its own
        yield Finding(
            "clock",
            True,
            "not checked: nothing this installation talks to tells the time (SQLite, console only); keep the "
            "system clock synchronised (timedatectl set-ntp true)",
        )


def clock_finding(reference: str, theirs: datetime | None) -> Finding:
    if theirs is None:
        return Finding("clock", True, f"no time from {reference} to compare with")
    skew = abs((datetime.now(UTC) - theirs).total_seconds())
    ok = skew <= CLOCK_TOLERANCE_S
    return Finding(
        "clock", ok, f"{skew:.0f} s apart from {reference}", "synchronise the clock (NTP: timedatectl set-ntp true)"
    )


def _discord_clock() -> Finding:
    """Discord's HTTP API dates every answer, even a refusal: the one time source a Discord-only install has."""
    import discord

    url = f"{discord.http.Route.BASE}/gateway"
    try:
        _body, date = _get(url, None)
    except urllib.error.HTTPError as exc:
        stamp = exc.headers.get("Date")
        date = parsedate_to_datetime(stamp) if stamp else None
    except OSError as exc:
        return Finding("clock", True, f"not checked: Discord is not reachable ({_reason(exc)})")
    return clock_finding("Discord", date)


def _model(settings: Settings) -> Iterator[Finding]:
    backend = settings.classifier.ml_backend
    if backend == "none":
        yield Finding("model", True, "no ML tier configured (the text tier alone)")
        return
    folder = settings.resolve_path(
        settings.classifier.hf_model_dir
        if backend == "hf" and settings.classifier.hf_model_dir
        else settings.classifier.model_dir
    )
    if not folder.exists() or not any(folder.iterdir()):
        yield Finding(
            "model",
            False,
            f"{backend}: nothing at {folder}",
            "schoolwacht model download (see the README), then schoolwacht model check",
        )
        return
    yield Finding("model", True, f"{backend}: files at {folder} (schoolwacht model check verifies them)")


def _discord(settings: Settings) -> Finding:
    """The Discord adapter's own start-up check (login, gateway, permissions in every channel), acting on nothing."""
    import discord

    from adapters.base import AdapterConfigError, AdapterStartError
    from bot.app import build_core
    from bot.platforms import discord_adapter

    core = build_core(settings, with_classifier=False)
    try:
        adapter = discord_adapter(core)
        asyncio.run(adapter.check(core.moderator))
    except discord.LoginFailure:
        return Finding("discord", False, "the bot token was refused", "a valid SCHOOLWACHT_DISCORD_TOKEN (Bot page)")
    except (AdapterConfigError, AdapterStartError) as exc:
        return Finding("discord", False, str(exc).replace("\n", " "), "fix it in the Discord server's settings")
    except (discord.HTTPException, OSError) as exc:
        return Finding("discord", False, f"cannot reach Discord: {exc}", "check the network")
    finally:
        core.close()
    return Finding("discord", True, "logged in; the bot holds every permission it needs in every channel")


def _secret(name: str, environ: Mapping[str, str]) -> str | None:
    try:
        return read_secret(name, environ)
    except Exception:
        return None


def _matrix(settings: Settings, environ: Mapping[str, str]) -> Iterator[Finding]:
    matrix = settings.matrix
    if matrix is None:
        yield Finding(
            "matrix", False, "platform matrix without a [matrix] section", "add [matrix] homeserver and user_id"
        )
        return
    base = matrix.homeserver.rstrip("/")
    try:
        _body, date = _get(f"{base}/_matrix/client/versions", None)
    except OSError as exc:
        yield Finding(
            "matrix", False, f"cannot reach {base}: {_reason(exc)}", "check [matrix] homeserver and the network"
        )
        return
    yield Finding("matrix", True, f"{base} is reachable")
    yield clock_finding(base, date)
    token = _secret("SCHOOLWACHT_MATRIX_TOKEN", environ)
    if token is None:
        yield Finding(
            "matrix", False, "no access token to check the login with", "set SCHOOLWACHT_MATRIX_TOKEN (or _FILE)"
        )
        return
    try:
        who, _date = _get(f"{base}/_matrix/client/v3/account/whoami", token)
    except OSError as exc:
        yield Finding(
            "matrix", False, f"not logged in: {_reason(exc)}", "a valid SCHOOLWACHT_MATRIX_TOKEN for the bot account"
        )
        return
    if who.get("user_id") != matrix.user_id:
        yield Finding(
            "matrix", False, f"the token is of {who.get('user_id')}, not {matrix.user_id}", "the bot account's token"
        )
        return
    yield Finding("matrix", True, f"logged in as {matrix.user_id}")
    for room in settings.rooms:
        if room.platform == "matrix":
            yield _matrix_room(base, token, matrix.user_id, room.id, room.kind == "announcement")


def _matrix_room(base: str, token: str, bot: str, room_id: str, announcement: bool) -> Finding:
    quoted = urllib.parse.quote(room_id, safe="")
    try:
        levels, _date = _get(f"{base}/_matrix/client/v3/rooms/{quoted}/state/m.room.power_levels", token)
    except OSError as exc:
        return Finding("matrix", False, f"room {room_id}: cannot read it ({_reason(exc)})", f"invite {bot} to the room")
    users = _mapping(levels.get("users"))
    mine = _level(users.get(bot, levels.get("users_default", 0)))
    needed = {"redact messages": _level(levels.get("redact", 50))}
    if announcement:
        events = _mapping(levels.get("events"))
        needed["change power levels"] = _level(events.get("m.room.power_levels", levels.get("state_default", 50)))
    short = [what for what, level in needed.items() if mine < level]
    if short:
        return Finding(
            "matrix",
            False,
            f"room {room_id}: the bot (power level {mine}) cannot {', '.join(short)}",
            f"give {bot} power level {max(needed.values())} in the room",
        )
    return Finding("matrix", True, f"room {room_id}: the bot may {', '.join(needed)}")


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _level(value: object) -> int:
    return value if isinstance(value, int) else 0


def _get(url: str, token: str | None) -> tuple[dict[str, object], datetime | None]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        date = response.headers.get("Date")
        return json.loads(response.read() or b"{}"), parsedate_to_datetime(date) if date else None


def _reason(exc: OSError) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc)
