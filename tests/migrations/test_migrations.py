"""The Alembic migrations: upgrade on an empty database, no drift from the models, downgrade to base — on SQLite
and on the real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

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
from moderation.roster import link_tables  # noqa: F401  (the account-link tables are part of the schema)


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


def _insert_incident(conn: Connection, event: str) -> int:
    conn.execute(
        text(
            "INSERT INTO incidents (platform, room_id, room_name, event_id, message_id, rule_id, rule_name, category,"
            " severity, score, scores, explanation, criminal, action_taken, action_status, status, created_at,"
            " updated_at) VALUES ('matrix', '!r', 'klas', :e, :e, 'R2', 'abusive_content', 'insult', 2, 0.9, '{}',"
            " 'x', false, '', 'done', 'open', :now, :now)"
        ),
        {"e": event, "now": datetime.now(UTC)},
    )
    return int(conn.execute(text("SELECT id FROM incidents WHERE event_id = :e"), {"e": event}).scalar_one())


def test_incident_numbers_are_never_reused_after_the_highest_is_erased(database_url: str) -> None:
    """Card copies and queued withdrawals are keyed by the number: an erased #3 must never come back as a new #3.
    The rebuild that gives SQLite AUTOINCREMENT keeps every row that points at an incident."""
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0002")
        with engine.begin() as conn:
            first, second = _insert_incident(conn, "$a"), _insert_incident(conn, "$b")
            conn.execute(
                text(
                    "INSERT INTO incident_history (incident_id, at, actor, action, detail)"
                    " VALUES (:i, :t, 's', 'x', '')"
                ),
                {"i": second, "t": datetime.now(UTC)},
            )
        upgrade(engine)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM incident_history")).scalar_one() == 1  # kept
            third = _insert_incident(conn, "$c")
            conn.execute(text("DELETE FROM incidents WHERE id = :i"), {"i": third})  # the highest, erased
            conn.execute(text("DELETE FROM incidents WHERE id = :i"), {"i": second})
            assert conn.execute(text("SELECT count(*) FROM incident_history")).scalar_one() == 0  # still cascades
            fourth = _insert_incident(conn, "$d")
        assert (first, second, third) == (1, 2, 3) and fourth == 4
    finally:
        engine.dispose()
