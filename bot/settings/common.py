"""What every settings section shares: strict models (unknown keys are errors), the error type, the names."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict

CategoryName = Literal["insult", "harassment", "threat", "discrimination", "sexual", "self-harm"]
KindName = Literal["announcement", "student-run", "staff-run", "class"]


class SettingsError(ValueError):
    """A problem with the settings file, worded for the admin who wrote it."""


# Every section: unknown keys are errors, and settings do not change once read. (Each section subclasses
# BaseModel itself with this config, so that linters see a pydantic model.)
STRICT = ConfigDict(extra="forbid", frozen=True)


def check_thresholds(value: dict[str, float]) -> dict[str, float]:
    for key, threshold in value.items():
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold for {key} must be above 0 and at most 1, not {threshold}")
    return value
