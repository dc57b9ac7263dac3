"""Fixtures shared by the whole suite: databases (SQLite always; the real PostgreSQL server, never skipped)."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

import moderation.storage.engine as engine_module
from tests.support.core import close_open_cores

# The PostgreSQL server the suite uses; `.ci/run` starts it. Tests fail (not skip) when it is missing.
POSTGRES_ADMIN_URL = os.environ.get("SCHOOLWACHT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"sw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        with pytest.MonkeyPatch.context() as patch:
            # Unpooled in tests: a test that stops the bot mid-write must not leave an idle pooled connection behind
            # for the garbage collector to find (and warn about) during some later test.
            patch.setattr(engine_module, "create_engine", functools.partial(create_engine, poolclass=NullPool))
            yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """Both supported databases: SQLite (the embedded default) and PostgreSQL (production)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/schoolwacht.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(autouse=True)
def _close_cores_after_each_test() -> Iterator[None]:
    yield
    close_open_cores()
