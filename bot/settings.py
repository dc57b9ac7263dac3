"""Typed settings from one TOML file (`schoolwacht.toml`); secrets only from the environment or `*_FILE` paths.

Unknown keys and wrong types are errors that name the key and the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.engine import make_url

from adapters.secrets import read_secret
from moderation.model import Category

CategoryName = Literal["insult", "harassment", "threat", "discrimination", "sexual", "self-harm"]
KindName = Literal["announcement", "student-run", "staff-run", "class"]


class SettingsError(ValueError):
    """A problem with the settings file, worded for the admin who wrote it."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Strict):
    # A URL with a password belongs in SCHOOLWACHT_DATABASE_URL(_FILE), not here.
    url: str = "sqlite:///var/schoolwacht.sqlite3"
    connect_attempts: int = Field(default=5, ge=1, le=50)


class BotSettings(_Strict):
    platforms: list[Literal["console", "matrix", "discord"]] = ["console"]
    dry_run: bool = False
    # Rooms not listed under [[rooms]]: judged as this kind of room, or "ignore" to leave them alone.
    unconfigured_rooms: KindName | Literal["ignore"] = "student-run"
    timezone: str = "Europe/Amsterdam"


class ClassifierSettings(_Strict):
    languages: list[str] = ["nl", "en"]
    lexicon_files: list[Path] = []
    allow_terms: list[str] = []
    ml_backend: Literal["e5", "detoxify", "onnx", "hf", "none"] = "e5"
    model: str = "multilingual"
    model_dir: Path = Path("var/models")
    hf_model_dir: Path | None = None
    hf_labels: dict[str, CategoryName] = {}


class ReviewSettings(_Strict):
    retention_days: int = Field(default=365, ge=1)
    digest_time: str = Field(default="16:00", pattern=r"^\d{2}:\d{2}$")
    school_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["mon", "tue", "wed", "thu", "fri"]
    holidays: list[date] = []  # days without a digest: school holidays, study days (TOML dates: 2026-12-21)
    repeat_window_days: int = Field(default=14, ge=1)
    repeat_threshold: int = Field(default=3, ge=2)
    drift_check_minutes: int = Field(default=15, ge=1)


class MatrixSettings(_Strict):
    homeserver: str
    user_id: str
    device_name: str = "schoolwacht"
    store_dir: Path = Path("var/matrix")
    review_room: str | None = None
    sync_timeout_ms: int = Field(default=30_000, ge=1_000)


class DiscordSettings(_Strict):
    guild_id: int
    staff_role_id: int
    review_channel_id: int | None = None


class RoomSettings(_Strict):
    platform: Literal["console", "matrix", "discord"]
    id: str
    name: str
    kind: KindName
    posters: list[str] = ["staff"]  # "staff" = every staff member; other entries are roster person ids
    abuse_action: Literal["delete", "flag"] = "flag"
    notify_sender: bool = True
    dry_run: bool = False
    thresholds: dict[CategoryName, float] = {}

    @field_validator("thresholds")
    @classmethod
    def _in_range(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_thresholds(value)


class Settings(_Strict):
    database: DatabaseSettings = DatabaseSettings()
    bot: BotSettings = BotSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    review: ReviewSettings = ReviewSettings()
    # [thresholds.default] for every room, [thresholds.<room kind>] on top; a room's own `thresholds` last.
    thresholds: dict[Literal["default", KindName], dict[CategoryName, float]] = {}
    matrix: MatrixSettings | None = None
    discord: DiscordSettings | None = None
    rooms: list[RoomSettings] = []
    source: Path | None = Field(default=None, exclude=True)  # the file these came from, for messages

    @field_validator("thresholds")
    @classmethod
    def _in_range(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for inner in value.values():
            _check_thresholds(inner)
        return value

    def room_thresholds(self, room: RoomSettings) -> dict[Category, float]:
        merged: dict[str, float] = {}
        for layer in (self.thresholds.get("default", {}), self.thresholds.get(room.kind, {}), room.thresholds):
            merged.update(layer.items())
        return {Category(k): v for k, v in merged.items()}

    def resolve_path(self, path: Path) -> Path:
        """A path from the settings file: relative paths are relative to that file, not to the working folder."""
        if path.is_absolute() or self.source is None:
            return path
        return self.source.parent / path

    def database_url(self, environ: Mapping[str, str] = os.environ) -> str:
        url = read_secret("SCHOOLWACHT_DATABASE_URL", environ) or self.database.url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            path = self.resolve_path(Path(parsed.database))
            path.parent.mkdir(parents=True, exist_ok=True)
            url = parsed.set(database=str(path)).render_as_string(hide_password=False)
        return url


def _check_thresholds(value: dict[str, float]) -> dict[str, float]:
    for key, threshold in value.items():
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold for {key} must be above 0 and at most 1, not {threshold}")
    return value


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


def _describe(error: Any) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    if error["type"] == "missing":
        return f"missing key {key!r}"
    return f"{key}: {error['msg']} (got {error.get('input')!r})"
