"""The whole settings file: its sections, loading it, and error messages that name the key and the file."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy.engine import make_url

from bot.secrets import read_secret
from bot.settings.common import STRICT, CategoryName, KindName, SettingsError, check_thresholds
from bot.settings.database import DatabaseSettings, parse_database_url, writable_folder
from bot.settings.platforms import DiscordSettings, MatrixSettings, ZermeloSettings
from bot.settings.rooms import RoomSettings
from bot.settings.roster import RosterSettings
from bot.settings.running import BotSettings, ClassifierSettings, ReviewSettings
from bot.settings.smtp import SmtpSettings
from bot.settings.web import WebSettings
from moderation.model import Category


class Settings(BaseModel):
    model_config = STRICT

    database: DatabaseSettings = DatabaseSettings()
    bot: BotSettings = BotSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    review: ReviewSettings = ReviewSettings()
    roster: RosterSettings = RosterSettings()
    # [thresholds.default] for every room, [thresholds.<room kind>] on top; a room's own `thresholds` last.
    thresholds: dict[Literal["default", KindName], dict[CategoryName, float]] = {}
    matrix: MatrixSettings | None = None
    discord: DiscordSettings | None = None
    zermelo: ZermeloSettings | None = None
    web: WebSettings | None = None  # the review desk
    smtp: SmtpSettings | None = None  # self-service account linking sends its codes through it
    rooms: list[RoomSettings] = []
    source: Path | None = Field(default=None, exclude=True)  # the file these came from, for messages

    @field_validator("thresholds")
    @classmethod
    def _in_range(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for inner in value.values():
            check_thresholds(inner)
        return value

    def room_thresholds(self, room: RoomSettings) -> dict[Category, float]:
        merged: dict[str, float] = {}
        for layer in (self.thresholds.get("default", {}), self.thresholds.get(room.kind, {}), room.thresholds):
            merged.update(layer.items())
        return {Category(k): v for k, v in merged.items()}

    def data_dir(self, environ: Mapping[str, str] = os.environ) -> Path | None:
        """The folder relative data paths are in: `[bot] data_dir`, else SCHOOLWACHT_DATA_DIR, else the settings
        file's folder (None: the working folder)."""
        if self.bot.data_dir is not None:
            return self.config_path(self.bot.data_dir)
        if environ.get("SCHOOLWACHT_DATA_DIR", "").strip():
            return Path(environ["SCHOOLWACHT_DATA_DIR"].strip())
        return self.source.parent if self.source is not None else None

    def resolve_path(self, path: Path, environ: Mapping[str, str] = os.environ) -> Path:
        """A data path from the settings (database, key store, models): a relative one is in the data folder."""
        base = self.data_dir(environ)
        return path if path.is_absolute() or base is None else base / path

    def config_path(self, path: Path) -> Path:
        """A path to something the admin writes (own lexicon files): relative to the settings file."""
        return path if path.is_absolute() or self.source is None else self.source.parent / path

    def database_url(self, environ: Mapping[str, str] = os.environ) -> str:
        """The database URL: SCHOOLWACHT_DATABASE_URL(_FILE) or `[database] url`, never both at once. A SQLite
        file's folder is created; a folder the bot may not write to is named as a permission problem."""
        secret = read_secret("SCHOOLWACHT_DATABASE_URL", environ)
        if secret and "url" in self.database.model_fields_set:
            where = self.source or "the settings"
            raise SettingsError(
                f"the database is set twice: SCHOOLWACHT_DATABASE_URL(_FILE) and [database] url in {where}; "
                "keep one (a URL with a password belongs in the environment)"
            )
        parsed = parse_database_url(
            secret or self.database.url, "SCHOOLWACHT_DATABASE_URL" if secret else "database.url"
        )
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            path = self.resolve_path(Path(parsed.database), environ).absolute()
            writable_folder(path)
            return parsed.set(database=str(path)).render_as_string(hide_password=False)
        return parsed.render_as_string(hide_password=False)


def load_settings(path: Path) -> Settings:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: no such file (`schoolwacht init` writes an example)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read it: {exc}") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
    return settings_from_dict(data, source=path)


def settings_from_dict(data: dict[str, Any], *, source: Path | None = None) -> Settings:
    where = str(source) if source else "settings"
    try:
        settings = Settings.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise SettingsError(f"{where}: " + "; ".join(_describe(e) for e in exc.errors())) from exc
    if make_url(settings.database.url).password:
        raise SettingsError(
            f"{where}: database.url contains a password; put the URL in SCHOOLWACHT_DATABASE_URL "
            "(or a file named by SCHOOLWACHT_DATABASE_URL_FILE) instead"
        )
    seen: set[tuple[str, str]] = set()
    for room in settings.rooms:
        if (room.platform, room.id) in seen:
            raise SettingsError(f"{where}: rooms: {room.platform} room {room.id!r} is listed twice")
        seen.add((room.platform, room.id))
    return settings


_SECRET_KEYS = {"password", "token", "access_token"}


def _describe(error: Any) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden" and len(error["loc"]) == 2 and error["loc"][1] in _SECRET_KEYS:
        variable = (
            f"SCHOOLWACHT_{str(error['loc'][0]).upper()}_{'PASSWORD' if error['loc'][1] == 'password' else 'TOKEN'}"
        )
        return f"{key}: secrets do not go in the settings file; set {variable} (or {variable}_FILE) instead"
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    if error["type"] == "value_error" and isinstance(error.get("ctx", {}).get("error"), SettingsError):
        return str(error["ctx"]["error"])  # it names the key already
    if error["type"] == "value_error":
        return f"{key}: {error['ctx']['error']}"
    if error["type"] == "missing":
        return f"missing key {key!r}"
    return f"{key}: {error['msg']} (got {error.get('input')!r})"
