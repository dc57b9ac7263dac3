"""`[roster]`: how the school's exports are read."""

from __future__ import annotations

import codecs
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator

from bot.settings.common import STRICT
from moderation.model import Platform
from moderation.roster import RosterOptions
from moderation.roster.accounts import check_pattern
from moderation.roster.columns import MAPPABLE_FIELDS


def _our_field(name: str) -> str:
    if name not in MAPPABLE_FIELDS:
        raise ValueError(f"{name!r} is not one of ours: {', '.join(MAPPABLE_FIELDS)}")
    return name


class RosterSettings(BaseModel):
    """How the school's exports are read (`schoolwacht roster import`); see docs/roster.md."""

    model_config = STRICT

    # An export's column name → ours, for exports whose names schoolwacht does not know.
    columns: dict[str, Annotated[str, AfterValidator(_our_field)]] = {}
    # A platform account made from export columns, e.g. matrix = "@{gebruikersnaam}:school.nl".
    accounts: dict[Literal["matrix", "console"], str] = {}
    leadership: list[str] = []  # roster ids of school leadership, when the export has no such column
    coordinators: list[str] = []  # roster ids of the anti-bullying coordinator(s)
    privacy_officers: list[str] = []  # roster ids of the privacy officer(s), when the export has no such column
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
            privacy_officers=frozenset(self.privacy_officers),
            encoding=None if self.encoding == "auto" else codecs.lookup(self.encoding).name,
            max_removed_share=self.max_removed_share,
        )
