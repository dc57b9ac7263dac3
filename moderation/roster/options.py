"""How a school's exports are read: set in `[roster]` of the settings, passed to the import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from moderation.model import Platform


@dataclass(frozen=True, slots=True)
class RosterOptions:
    columns: Mapping[str, str] = field(default_factory=dict)  # an export's column name → ours (see columns.FIELDS)
    # A platform account made from export columns, e.g. {Platform.MATRIX: "@{gebruikersnaam}:school.nl"}.
    accounts: Mapping[Platform, str] = field(default_factory=dict)
    leadership: frozenset[str] = frozenset()  # roster ids of school leadership, for exports without that column
    coordinators: frozenset[str] = frozenset()  # roster ids of the anti-bullying coordinator(s)
    privacy_officers: frozenset[str] = frozenset()  # roster ids of the privacy officer(s), for the desk's Privacy page
    encoding: str | None = None  # None: detected per file
    max_removed_share: float = 0.2  # an import that marks more of the school as left needs confirming
