"""Typed settings from one TOML file (`schoolwacht.toml`); secrets only from the environment or `*_FILE` paths.

Unknown keys and wrong types are errors that name the key and the file.
"""

from __future__ import annotations

import codecs
import os
import tomllib
from collections.abc import Mapping
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from adapters.secrets import read_secret
from bot.settings_smtp import SmtpSettings
from moderation.model import Category, Platform
from moderation.roster import RosterOptions
from moderation.roster.accounts import check_pattern

DayName = Literal["ma", "di", "wo", "do", "vr", "za", "zo", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY: dict[str, int] = {
    **{day: n for n, day in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
    **{day: n for n, day in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
}


def parse_window(value: str) -> tuple[time, time]:
    """A window such as "08:30-15:30" as two times; a clear error for anything else."""
    start, sep, end = value.partition("-")
    try:
        if not sep:
            raise ValueError
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f'{value!r} is not a time window; write it as "08:30-15:30"') from None


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

    @field_validator("url")
    @classmethod
    def _a_database_url(cls, value: str) -> str:
        parse_database_url(value, "database.url")
        return value


class BotSettings(_Strict):
    platforms: list[Literal["console", "matrix", "discord"]] = ["console"]
    dry_run: bool = False
    # Rooms not listed under [[rooms]]: judged as this kind of room, or "ignore" to leave them alone.
    unconfigured_rooms: KindName | Literal["ignore"] = "student-run"
    timezone: str = "Europe/Amsterdam"
    # SIGTERM/Ctrl-C: how long the message in hand may take to finish before the bot stops anyway (the rest is
    # finished at the next start).
    stop_grace_s: float = Field(default=10.0, ge=0, le=600)
    # Notices and cards by this many workers per platform, off the message path (the delete stays on it); 0: each
    # message's notice and cards are sent before the next message is judged.
    delivery_workers: int = Field(default=0, ge=0, le=32)
    # Where relative data paths (the SQLite file, the Matrix key store, models) live. Unset: SCHOOLWACHT_DATA_DIR
    # (the Docker image sets /data), else the settings file's folder.
    data_dir: Path | None = None
    # The school's own names, which nobody may take as a display name (R7): "Minkema College", "Schoolleiding".
    # Staff names come from the roster.
    official_names: list[str] = []
    # R9's exceptions for education: room ids, or "staff-id/student-id" pairs from the roster.
    one_to_one_exceptions: list[str] = []

    @field_validator("timezone")
    @classmethod
    def _a_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f'{value!r} is not a time zone; use the Area/City form, e.g. "Europe/Amsterdam" '
                "(on a system without time zone data, install tzdata)"
            ) from None
        return value


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
    # R9 on the school's own homeserver: report rooms with just one staff member and one student to leadership
    # (needs a server admin's token in SCHOOLWACHT_MATRIX_ADMIN_TOKEN; reads who is in rooms, never messages).
    one_to_one_check: bool = False


class DiscordSettings(_Strict):
    guild_id: int
    staff_role_id: int
    review_channel_id: int | None = None


class ZermeloSettings(_Strict):
    """The timetable relay (docs/announcements.md). The API token comes from SCHOOLWACHT_ZERMELO_TOKEN(_FILE)."""

    portal: str  # the school's portal name ("school" for https://school.zportal.nl) or a full URL
    user: str = "~me"  # whose schedule; a timetable-office token sees the whole school
    branch_of_school: int | None = None  # read one branch's whole schedule instead of `user`'s
    poll_minutes: float = Field(default=5.0, gt=0, le=1440)
    days_ahead: int = Field(default=7, ge=0, le=28)
    quiet_hours: str = "21:00-07:00"  # no new posts or edits then (local time); "" for none
    groups: dict[str, list[str]] = {}  # Zermelo group → roster classes, where the name alone does not say
    class_rooms: dict[str, list[str]] = {}  # class → room ids, instead of the rooms named after the class
    subjects: dict[str, str] = {}  # subject code → name shown, on top of the usual codes
    news_rooms: list[str] = []  # room ids that also get the school's announcements from Zermelo

    @field_validator("quiet_hours")
    @classmethod
    def _a_span(cls, value: str) -> str:
        from moderation.announcements.quiet import QuietHours

        if value.strip():
            QuietHours.parse(value, ZoneInfo("UTC"))
        return value

    @field_validator("portal")
    @classmethod
    def _a_portal(cls, value: str) -> str:
        if not value.strip() or ("://" not in value and not value.strip().replace("-", "").isalnum()):
            raise ValueError(f'{value!r} is not a portal: write the school\'s portal name (e.g. "school") or a URL')
        return value


RosterField = Literal[
    "id",
    "student_id",
    "staff_id",
    "name",
    "first_name",
    "infix",
    "last_name",
    "role",
    "class",
    "mentor",
    "manager",
    "coordinator",
    "leadership",
    "discord_id",
    "matrix_id",
    "console",
    "email",
    "username",
]


class RosterSettings(_Strict):
    """How the school's exports are read (`schoolwacht roster import`); see docs/roster.md."""

    # An export's column name → ours, for exports whose names schoolwacht does not know.
    columns: dict[str, RosterField] = {}
    # A platform account made from export columns, e.g. matrix = "@{gebruikersnaam}:school.nl".
    accounts: dict[Literal["matrix", "console"], str] = {}
    leadership: list[str] = []  # roster ids of school leadership, when the export has no such column
    coordinators: list[str] = []  # roster ids of the anti-bullying coordinator(s)
    encoding: str = "auto"  # or a fixed one, e.g. "cp1252"
    # An import that would mark more than this share of the people as left is refused without --allow-removals.
    max_removed_share: float = Field(default=0.2, ge=0.0, le=1.0)

    @field_validator("accounts")
    @classmethod
    def _patterns(cls, value: dict[str, str]) -> dict[str, str]:
        for platform, pattern in value.items():
            if (problem := check_pattern(pattern)) is not None:
                raise ValueError(f"{platform} pattern {pattern!r}: {problem}")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value != "auto":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f'unknown encoding {value!r} (e.g. "auto", "utf-8", "cp1252")') from None
        return value

    def options(self) -> RosterOptions:
        return RosterOptions(
            columns=dict(self.columns),
            accounts={Platform(k): v for k, v in self.accounts.items()},
            leadership=frozenset(self.leadership),
            coordinators=frozenset(self.coordinators),
            encoding=None if self.encoding == "auto" else codecs.lookup(self.encoding).name,
            max_removed_share=self.max_removed_share,
        )


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
    # R6, someone else's phone number, address, ...: "hold" (remove with a notice), "flag", or "allow";
    # unset: hold in student-run and class rooms, flag in staff-run and announcement rooms.
    personal_data: Literal["hold", "flag", "allow"] | None = None
    staff_may_join: bool = False  # a student-run room that staff may be in after all (R10)
    # R6, photos and videos: "allow" (not judged), "flag" for the mentor, or "hold" (taken down with a notice).
    media: Literal["allow", "flag", "hold"] = "allow"
    # R11 quiet hours in the [bot] timezone, e.g. "08:30-15:30" (school hours) or "22:00-07:00" (the night), on
    # `quiet_days` (Dutch or English abbreviations); "hold" removes the message with the notice, "notice" only tells.
    quiet_hours: str | None = None
    quiet_days: list[DayName] = ["ma", "di", "wo", "do", "vr", "za", "zo"]
    quiet_action: Literal["notice", "hold"] = "notice"

    @field_validator("quiet_hours")
    @classmethod
    def _a_window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value

    @field_validator("thresholds")
    @classmethod
    def _in_range(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_thresholds(value)


class Settings(_Strict):
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
    smtp: SmtpSettings | None = None  # self-service account linking sends its codes through it
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
            _writable_folder(path)
            return parsed.set(database=str(path)).render_as_string(hide_password=False)
        return parsed.render_as_string(hide_password=False)


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


def _writable_folder(database: Path) -> None:
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
