"""Schema management with Alembic: upgrade, and the start-up check that the database is not behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import migrations

UPGRADE_HINT = "schoolwacht db upgrade"


class SchemaBehind(RuntimeError):
    """The database has not been migrated to the schema this version of schoolwacht needs."""


def migrations_dir() -> Path:
    """The folder of the Alembic scripts. `__path__`, not `__file__`: an editable install made before
    `migrations/__init__.py` existed imports it as a namespace package, whose `__file__` is None."""
    return Path(next(iter(migrations.__path__)))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, step: Callable[[Config], None]) -> None:
    """Run Alembic on one connection. On SQLite with foreign keys off while it runs: a batch migration rebuilds a
    table by dropping it, and with foreign keys on that drop would cascade into the rows that point at it."""
    config = alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def ensure_current(engine: Engine) -> None:
    """Refuse to run on a database that is behind the migrations, naming the command that fixes it."""
    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        where = engine.url.render_as_string(hide_password=True)
        state = "empty (no schema yet)" if current is None else f"at revision {current}, this version needs {head}"
        raise SchemaBehind(f"the database {where} is {state}; run `{UPGRADE_HINT}` first")
