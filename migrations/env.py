"""Alembic environment: the schema is `moderation.incidents.db.Base.metadata`; batch mode so SQLite can alter."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from moderation.incidents.db import Base
from moderation.incidents.engine import make_engine
from moderation.roster import link_tables  # noqa: F401  (its tables are part of the same schema)

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
