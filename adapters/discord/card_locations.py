"""Where the Discord cards of each incident are (each reviewer's DM, the overview), kept in the bot's state table so
that a change made after a restart still updates every copy."""

from __future__ import annotations

import json
import logging
from typing import NamedTuple

from moderation.ports import StateStore

log = logging.getLogger(__name__)

OVERVIEW = ""  # the viewer of the review channel's card: no one person (school leadership as a group)


class Location(NamedTuple):
    channel_id: int
    message_id: int
    viewer: str  # the person id the card was rendered for, or OVERVIEW


class CardLocations:
    """Where the cards of each incident are, as JSON under `discord:cards:<incident id>`."""

    def __init__(self, state: StateStore) -> None:
        self._state = state

    def of(self, incident_id: int) -> list[Location]:
        return self.known(incident_id) or []

    def known(self, incident_id: int) -> list[Location] | None:
        """The locations, or None when what is stored cannot be read."""
        raw = self._state.get(f"discord:cards:{incident_id}")
        try:
            return [Location(int(c), int(m), str(v)) for c, m, v in json.loads(raw)] if raw else []
        except (ValueError, TypeError):
            log.warning("unreadable card locations of incident %s; starting afresh", incident_id)
            return None

    def add(self, incident_id: int, where: Location) -> None:
        known = [loc for loc in self.of(incident_id) if loc.message_id != where.message_id]
        self._state.set(f"discord:cards:{incident_id}", json.dumps([*known, where]))

    def drop(self, incident_id: int, message_id: int) -> None:
        known = [loc for loc in self.of(incident_id) if loc.message_id != message_id]
        self._state.set(f"discord:cards:{incident_id}", json.dumps(known))
