"""The Alembic migrations: upgrade on an empty database, no drift from the models, downgrade to base — on SQLite
and on the real PostgreSQL server."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.database import (
    SchemaBehind,
    current_revision,
    downgrade,
    ensure_current,
    head_revision,
    migrations_dir,
    upgrade,
)
from moderation.incidents.db import Base
from moderation.incidents.engine import make_engine


def test_upgrade_head_then_models_match_then_downgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"people", "accounts", "rooms", "incidents", "incident_reviewers", "incident_history"} <= tables
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_refuses_a_database_behind_and_names_the_command(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with pytest.raises(SchemaBehind, match="schoolwacht db upgrade"):
            ensure_current(engine)
        upgrade(engine)
        ensure_current(engine)  # now it passes
    finally:
        engine.dispose()


def test_the_scripts_are_found_when_migrations_is_a_namespace_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # An editable install made before migrations/__init__.py existed imports it without a __file__ (it crashed
    # `schoolwacht db upgrade` outside the checkout).
    import migrations

    monkeypatch.setattr(migrations, "__file__", None)
    assert (migrations_dir() / "env.py").is_file() and (migrations_dir() / "versions").is_dir()
