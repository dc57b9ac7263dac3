"""A real Moderator on a real database with a roster, for adapter and end-to-end tests."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import Core, build_core
from bot.database import upgrade
from bot.settings import settings_from_dict
from moderation.model import AccountId, Platform
from moderation.ports import Classifier
from moderation.roster import parse_roster, store_roster
from moderation.roster.columns import FIELDS
from moderation.storage.engine import make_engine, make_session_factory

# A small school: leadership, a coordinator, two mentors with a manager, students, a parent.
SAMPLE_PEOPLE: list[dict[str, str]] = [
    {"id": "dir", "name": "Directeur De Boer", "role": "staff", "leadership": "yes"},
    {"id": "abc", "name": "Mevr. Yilmaz", "role": "staff", "manager": "dir", "coordinator": "yes"},
    {"id": "jan", "name": "Meneer Jansen", "role": "staff", "manager": "dir"},
    {"id": "eva", "name": "Mevr. Visser", "role": "staff", "manager": "dir"},
    {"id": "sanne", "name": "Sanne Bakker", "role": "student", "class": "2B", "mentor": "jan"},
    {"id": "daan", "name": "Daan Smit", "role": "student", "class": "2B", "mentor": "jan"},
    {"id": "noor", "name": "Noor El Amrani", "role": "student", "class": "3A", "mentor": "eva"},
    {"id": "p-sanne", "name": "Ouder Bakker", "role": "parent", "mentor": "jan"},
]


# Cores made during the current test; tests/conftest.py closes them afterwards, so no database connection outlives
# its test (an unclosed PostgreSQL connection warns, and warnings are errors).
OPEN_CORES: list[Core] = []


def close_open_cores() -> None:
    while OPEN_CORES:
        OPEN_CORES.pop().close()


def roster_csv(people: list[dict[str, str]]) -> str:
    """The people as one roster file in our own column names (every column the roster reads; a key that is not
    one of them is a mistake in the test, and raises)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, restval="")
    writer.writeheader()
    writer.writerows(people)
    return buffer.getvalue()


def make_core(
    tmp_path: Path,
    *,
    rooms: list[dict[str, Any]],
    people: list[dict[str, str]] | None = None,
    database_url: str | None = None,
    classifier: Classifier | None = None,
    with_classifier: bool = True,
    bot_accounts: frozenset[tuple[Platform, AccountId]] = frozenset(),
    extra_settings: dict[str, Any] | None = None,
    delivery_workers: int | None = None,
) -> Core:
    url = database_url or f"sqlite:///{tmp_path / 'schoolwacht.sqlite3'}"
    settings = settings_from_dict(
        {"database": {"url": url}, "rooms": rooms, "classifier": {"ml_backend": "none"}, **(extra_settings or {})}
    )
    engine = make_engine(settings.database_url())
    upgrade(engine)
    store_roster(make_session_factory(engine), parse_roster(roster_csv(people or SAMPLE_PEOPLE)), datetime.now(UTC))
    engine.dispose()
    # As the bot runs (notices and cards by workers), unless a test of the pipeline itself wants them inline.
    workers = {} if delivery_workers is None else {"delivery_workers": delivery_workers}
    core = build_core(
        settings, classifier=classifier, with_classifier=with_classifier, bot_accounts=bot_accounts, **workers
    )
    OPEN_CORES.append(core)
    return core
