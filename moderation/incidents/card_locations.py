"""Where every copy of an incident's card lives on one platform, kept in the bot's state table so that a change made
after a restart still reaches every copy, and an erasure can withdraw them all.

Per incident: `<copies><id>` → JSON {viewer: [room, message, *later events]}; the viewer is a person id or OVERVIEW.
Per copy: `<by_message><message>` → the incident id (a reaction or a press on a card finds its incident). And
`<listing>` → the incidents that have copies at all (to sweep the copies of reviewers who left).

A combined card (several incidents of a burst in one message) is each incident's copy for its viewer, and
`<copies>together.<message>` → the incidents it holds. Before one is sent, `<copies>plan.<viewer>` holds its key and
incidents: a restart that finds the plan sends that same card again (the platform answers with the first one)
instead of cards of its own for some of them.
"""

from __future__ import annotations

import json
import logging
from typing import NamedTuple

from moderation.ports import OVERVIEW, CardAddress, StateStore

log = logging.getLogger(__name__)


class LedgerKeys(NamedTuple):
    """One platform's keys in the state table (each platform keeps the names its stored data already has)."""

    copies: str
    by_message: str
    listing: str


class CardLocations:
    def __init__(self, state: StateStore, keys: LedgerKeys) -> None:
        self._state = state
        self._keys = keys

    def of(self, incident_id: int) -> dict[str, CardAddress]:
        return self.known(incident_id) or {}

    def known(self, incident_id: int) -> dict[str, CardAddress] | None:
        """Every copy by its viewer; None when what is stored cannot be read (logged, then read as no copies)."""
        raw = self._state.get(f"{self._keys.copies}{incident_id}")
        if not raw:
            return {}
        try:
            return _parse(json.loads(raw))
        except (ValueError, TypeError):
            log.warning("unreadable card locations of incident %s; starting afresh", incident_id)
            return None

    def add(self, incident_id: int, viewer: str, where: CardAddress) -> None:
        if not where.message:
            return
        copies = self.of(incident_id)
        copies[viewer] = where
        self._save(incident_id, copies)
        self._state.set(self._keys.by_message + where.message, str(incident_id))

    def drop(self, incident_id: int, viewer: str, message: str | None = None) -> None:
        """Forget `viewer`'s copy (only when it is `message`, if given)."""
        copies = self.of(incident_id)
        if viewer in copies and message in (None, copies[viewer].message):
            del copies[viewer]
            self._save(incident_id, copies)

    def incident_of(self, message: str) -> int | None:
        """The incident whose card `message` is (any copy, ever sent), or None."""
        value = self._state.get(self._keys.by_message + message)
        return int(value) if value and value.isascii() and value.isdigit() else None

    def together(self, message: str) -> list[int]:
        """The incidents a combined card holds (empty: `message` is no combined card)."""
        return _numbers(self._state.get(f"{self._keys.copies}together.{message}"))

    def hold_together(self, message: str, incidents: list[int]) -> None:
        self._state.set(f"{self._keys.copies}together.{message}", json.dumps(incidents))

    def part(self, message: str) -> None:
        """`message` holds no incidents together any more (it was withdrawn)."""
        if self.together(message):
            self._state.set(f"{self._keys.copies}together.{message}", "")

    def plan(self, viewer: str) -> tuple[str, list[int]] | None:
        """The combined card for `viewer` that was about to be sent (its key and incidents), if any."""
        raw = self._state.get(f"{self._keys.copies}plan.{viewer}")
        try:
            found = json.loads(raw) if raw else None
        except ValueError:
            return None
        if not isinstance(found, dict) or not isinstance(found.get("key"), str):
            return None
        return found["key"], _numbers(json.dumps(found.get("incidents")))

    def set_plan(self, viewer: str, key: str, incidents: list[int]) -> None:
        self._state.set(f"{self._keys.copies}plan.{viewer}", json.dumps({"key": key, "incidents": incidents}))

    def clear_plan(self, viewer: str) -> None:
        self._state.set(f"{self._keys.copies}plan.{viewer}", "")

    def with_copies(self) -> set[int]:
        """The incidents whose cards are in chat (as far as the index knows)."""
        try:
            found = json.loads(self._state.get(self._keys.listing) or "[]")
        except ValueError:
            return set()
        return {n for n in found if isinstance(n, int)} if isinstance(found, list) else set()

    def _save(self, incident_id: int, copies: dict[str, CardAddress]) -> None:
        stored = {viewer: [where.room, where.message, *where.edits] for viewer, where in copies.items()}
        self._state.set(f"{self._keys.copies}{incident_id}", json.dumps(stored))
        known = self.with_copies()
        if bool(copies) != (incident_id in known):
            known = known | {incident_id} if copies else known - {incident_id}
            self._state.set(self._keys.listing, json.dumps(sorted(known)))


def _parse(found: object) -> dict[str, CardAddress]:
    if isinstance(found, list):  # the shape Discord stored at first: [[channel, message, viewer], ...]
        return {str(v) or OVERVIEW: CardAddress(str(c), str(m)) for c, m, v in found}
    if not isinstance(found, dict):
        raise TypeError("not a mapping of viewers")
    copies = {}
    for viewer, events in found.items():
        room, message, *edits = (str(e) for e in events)
        copies[str(viewer)] = CardAddress(room, message, tuple(edits))
    return copies


def _numbers(raw: str | None) -> list[int]:
    try:
        found = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [n for n in found if isinstance(n, int)] if isinstance(found, list) else []
