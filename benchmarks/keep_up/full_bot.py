"""The whole pipeline: `schoolwacht run` as its own process (SQLite incident log, the text tier, reviewers' cards
in their direct rooms, the overview room, notices), and what its incident log holds afterwards."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from adapters.matrix.config import TOKEN_ENV
from adapters.matrix.reviewers import CARD_KEY
from bot.database import upgrade
from moderation.model import ActionKind
from moderation.roster import parse_roster, store_roster
from moderation.storage.engine import make_engine, make_session_factory
from moderation.storage.incidents import IncidentRow, OutboxRow
from moderation.storage.state import StateRow
from tests.support.core import roster_csv
from tests.support.synapse import SynapseServer

ROOT = Path(__file__).resolve().parents[2]
READY = "matrix adapter started"  # the log line once it syncs
NOTICE_LINE = re.compile(r"matrix: notice (\S+) to ")  # one line per notice message (sent again: the same event)


def database_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'schoolwacht.sqlite3'}"


def bot_config(
    workdir: Path, server: SynapseServer, bot: str, rooms: Sequence[str], review: str, extra: Sequence[str] = ()
) -> Path:
    """The settings file (the bot's own defaults otherwise, the delivery workers too; `extra`: `key = value` lines
    for [bot]) and a migrated database."""
    engine = make_engine(database_url(workdir))
    upgrade(engine)
    engine.dispose()
    listed = "".join(
        f'\n[[rooms]]\nplatform = "matrix"\nid = "{r}"\nname = "klas-{n}"\nkind = "class"\nabuse_action = "delete"\n'
        for n, r in enumerate(rooms)
    )
    path = workdir / "schoolwacht.toml"
    path.write_text(
        f'[database]\nurl = "{database_url(workdir)}"\n\n[bot]\nplatforms = ["matrix"]\n'
        + "".join(f"{line}\n" for line in extra)
        + "\n"
        '[classifier]\nml_backend = "none"\n\n'
        f'[matrix]\nhomeserver = "{server.url}"\nuser_id = "{bot}"\nstore_dir = "matrix-store"\n'
        f'review_room = "{review}"\n{listed}',
        encoding="utf-8",
    )
    return path


def store_people(workdir: Path, roster: list[dict[str, str]]) -> None:
    engine = make_engine(database_url(workdir))
    store_roster(make_session_factory(engine), parse_roster(roster_csv(roster)), datetime.now(UTC))
    engine.dispose()


def start_schoolwacht(config: Path, token: str, log: Path, root: Path = ROOT) -> subprocess.Popen[bytes]:
    """`schoolwacht run` of the checkout at `root` (this one, or an older commit's to compare with)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)],
            cwd=str(config.parent),
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(root), TOKEN_ENV: token},
        )


def writes(workdir: Path) -> tuple[int, int, int]:
    """(card copies delivered, card messages sent for them, notice messages sent) so far: what the homeserver had
    to take besides the redactions. A card message is known by its reaction key (every copy, combined or not, has
    one); the edits of cards are not counted (nobody reviews during the run). A notice message by its event id in
    the bot's log (one notice may be about several messages); a bot that does not log them sent one per notice."""
    engine = make_engine(database_url(workdir))
    try:
        with make_session_factory(engine)() as session:
            done = (OutboxRow.status == "done") & (OutboxRow.kind == "card")
            copies = session.scalar(select(func.count()).select_from(OutboxRow).where(done)) or 0
            messages = session.scalar(
                select(func.count()).select_from(StateRow).where(StateRow.key.like(CARD_KEY + "%"))
            )
            sent = (OutboxRow.status == "done") & (OutboxRow.kind == ActionKind.NOTIFY_SENDER.value)
            notices = session.scalar(select(func.count()).select_from(OutboxRow).where(sent)) or 0
            logged = _notice_messages(workdir / "bot.log")
            return int(copies), int(messages or 0), len(logged) if logged else int(notices)
    finally:
        engine.dispose()


def _notice_messages(log: Path) -> set[str]:
    if not log.exists():
        return set()
    return {m.group(1) for m in NOTICE_LINE.finditer(log.read_text(encoding="utf-8", errors="replace"))}


def outbox_left(workdir: Path) -> tuple[int, int]:
    """(incidents, owed actions still pending) in the bot's incident log."""
    engine = make_engine(database_url(workdir))
    try:
        with make_session_factory(engine)() as session:
            incidents = session.scalar(select(func.count()).select_from(IncidentRow)) or 0
            left = session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending"))
            return int(incidents), int(left or 0)
    finally:
        engine.dispose()
