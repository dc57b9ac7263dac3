"""Opening the database: one engine per process, SQLite tuned for a bot, a clear error when it is unreachable."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached after retrying."""


CONNECT_TIMEOUT_S = 5  # a server that accepts and never answers must not hold the bot or the CLI for minutes
STATEMENT_TIMEOUT_MS = 30_000
# PostgreSQL through psycopg: a bounded connect, a bounded statement, and TCP keepalives so that a connection to a
# vanished server is noticed in about a minute instead of the kernel's two hours.
POSTGRES_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT_S,
    "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 60_000,  # ms: unacknowledged data for this long ends the connection
}


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we install
    return create_engine(parsed, pool_pre_ping=True, connect_args=POSTGRES_CONNECT_ARGS)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL + NORMAL: a commit costs a write, not an fsync, and readers never block the bot's writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def wait_for_database(
    engine: Engine,
    *,
    attempts: int = 5,
    first_delay: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Connect, retrying with exponential backoff; then give up with a message an admin can act on."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except OperationalError as exc:
            reason = storage_reason(exc)
            where = engine.url.render_as_string(hide_password=True)
            if _hung(reason):  # it accepted the connection and never answered: hung, not starting; no retries
                raise DatabaseUnavailable(
                    f"the database at {where} accepts connections but does not answer "
                    f"(no reply within {CONNECT_TIMEOUT_S}s): {reason}"
                ) from exc
            if attempt == attempts:
                raise DatabaseUnavailable(
                    f"cannot reach the database at {where} after {attempts} attempts: {reason}"
                ) from exc
            log.warning(
                "database not reachable (attempt %d/%d: %s); retrying in %.1fs", attempt, attempts, reason, delay
            )
            sleep(delay)
            delay *= 2


def storage_reason(exc: OperationalError | InterfaceError) -> str:
    """The first line of the driver's message: what an admin needs to know, without the SQL."""
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)


def _hung(reason: str) -> bool:
    return "timeout expired" in reason or "timed out" in reason


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
