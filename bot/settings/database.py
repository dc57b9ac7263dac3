"""`[database]`: where the database is, and the checks that make a wrong URL or an unwritable folder clear."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.settings.common import STRICT, SettingsError


class DatabaseSettings(BaseModel):
    model_config = STRICT

    # A URL with a password belongs in SCHOOLWACHT_DATABASE_URL(_FILE), not here.
    url: str = "sqlite:///var/schoolwacht.sqlite3"
    connect_attempts: int = Field(default=5, ge=1, le=50)

    @field_validator("url")
    @classmethod
    def _a_database_url(cls, value: str) -> str:
        parse_database_url(value, "database.url")
        return value


def parse_database_url(url: str, setting: str) -> URL:
    """A database URL, or a SettingsError saying what is wrong with it and how to write it."""
    example = "sqlite:///var/schoolwacht.sqlite3 or postgresql://user@host:5432/schoolwacht"
    if "://" not in url:
        hint = f"sqlite:///{url}" if url.endswith((".sqlite3", ".sqlite", ".db")) else example
        raise SettingsError(f"{setting}: {url!r} is not a database URL; write e.g. {hint}")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        reason = str(exc).splitlines()[0]
        raise SettingsError(f"{setting}: not a valid database URL ({reason}); write e.g. {example}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            f"{setting}: unknown database {parsed.get_backend_name()!r}; schoolwacht works with sqlite and "
            f"postgresql, e.g. {example}"
        )
    return parsed


def writable_folder(database: Path) -> None:
    folder = database.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(
            f"cannot create the database folder {folder}: {exc.strerror} (a permission problem: make it writable for "
            "the user that runs schoolwacht, or point database.url elsewhere)"
        ) from None
    target = database if database.exists() else folder
    if not os.access(target, os.W_OK):
        raise SettingsError(
            f"{target} is not writable for the user that runs schoolwacht (a permission problem; SQLite also writes "
            "a journal next to the database file): fix its owner or mode, or point database.url elsewhere"
        )
