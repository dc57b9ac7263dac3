"""How the bot runs, judges and reviews: `[bot]`, `[classifier]` and `[review]`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from bot.settings.common import STRICT, CategoryName, KindName


class BotSettings(BaseModel):
    model_config = STRICT

    platforms: list[Literal["console", "matrix", "discord"]] = ["console"]
    dry_run: bool = False
    # Rooms not listed under [[rooms]]: judged as this kind of room, or "ignore" to leave them alone.
    unconfigured_rooms: KindName | Literal["ignore"] = "student-run"
    timezone: str = "Europe/Amsterdam"
    # SIGTERM/Ctrl-C: how long the message in hand may take to finish before the bot stops anyway (the rest is
    # finished at the next start).
    stop_grace_s: float = Field(default=10.0, ge=0, le=600)
    # Notices and cards by this many workers per platform, off the message path (the delete stays on it); 0: each
    # message's notice and cards are sent before the next message is judged (slow under load). A few are enough: the
    # platform's rate limits bound them anyway, and sends into one encrypted Matrix room go one at a time.
    delivery_workers: int = Field(default=4, ge=0, le=32)
    # A burst: the cards one reviewer (or the overview) is owed within this many seconds go as one combined card,
    # each incident on it still handled by its number; the first card of a quiet spell goes at once. 0: one each.
    card_burst_s: float = Field(default=2.0, ge=0, le=60)
    # While a deletion is in flight, the workers hold back their next notice or card for at most this long.
    critical_wait_s: float = Field(default=0.5, ge=0, le=10)
    # A person owed several notices within this many seconds gets one notice listing them; 0: one each.
    notice_burst_s: float = Field(default=2.0, ge=0, le=60)
    # The workers yield when the platform slows down: fewer deliveries at once, and a pause, while its deletions take
    # well over the quickest seen lately (or it answered with a rate limit); all of them again once it keeps up.
    back_off: bool = True
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


class ClassifierSettings(BaseModel):
    model_config = STRICT

    languages: list[str] = ["nl", "en"]
    lexicon_files: list[Path] = []
    allow_terms: list[str] = []
    ml_backend: Literal["e5", "detoxify", "onnx", "hf", "none"] = "e5"
    model: str = "multilingual"
    model_dir: Path = Path("var/models")
    hf_model_dir: Path | None = None
    hf_labels: dict[str, CategoryName] = {}


class ReviewSettings(BaseModel):
    model_config = STRICT

    retention_days: int = Field(default=365, ge=1)
    digest_time: str = Field(default="16:00", pattern=r"^\d{2}:\d{2}$")
    school_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["mon", "tue", "wed", "thu", "fri"]
    holidays: list[date] = []  # days without a digest: school holidays, study days (TOML dates: 2026-12-21)
    repeat_window_days: int = Field(default=14, ge=1)
    repeat_threshold: int = Field(default=3, ge=2)
    drift_check_minutes: int = Field(default=15, ge=1)
