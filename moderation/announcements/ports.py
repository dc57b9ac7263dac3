"""What the announcements core needs from outside: a timetable to read, and a way to post in a room."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from moderation.announcements.timetable import Lesson, TimetableNews
from moderation.model import Platform


class TimetableUnavailable(RuntimeError):
    """The timetable could not be read now; `refused` when the token itself was turned down (no use retrying
    quickly: an admin must renew it)."""

    def __init__(self, reason: str, *, refused: bool = False) -> None:
        super().__init__(reason)
        self.refused = refused


class TimetableSource(Protocol):
    async def lessons(self, start: datetime, end: datetime) -> Sequence[Lesson]:
        """Every valid lesson version in [start, end); raises TimetableUnavailable."""
        ...

    async def news(self) -> Sequence[TimetableNews]:
        """The announcements current now; raises TimetableUnavailable."""
        ...


class Announcer(Protocol):
    """One platform's hands for announcements: post a message in a room, edit it, retract it."""

    platform: Platform
    confirms_reads: bool  # whether readers can confirm "Gelezen ✓" here (a button, a reaction)
    read_hint: str  # the line under such a post saying how to confirm here (empty: the post shows it, a button)

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        """Post `text`; the message's id. `key` is stable per post, so a repeat after a crash may be recognised.
        `asks_read`: with the platform's way to confirm "Gelezen ✓"."""
        ...

    async def find_posted(self, room_id: str, text: str) -> str | None:
        """A recent message of ours in the room showing exactly `text` (a post that went out but was not recorded,
        e.g. the process was killed in between); None when there is none."""
        ...

    async def edit(self, room_id: str, message_id: str, text: str) -> None: ...

    async def retract(self, room_id: str, message_id: str) -> None: ...


@runtime_checkable
class Audience(Protocol):
    """How many may read a room: its members other than bots and the given accounts (the sender)."""

    async def audience(self, room_id: str, excluding: frozenset[str]) -> int | None: ...


@runtime_checkable
class Teller(Protocol):
    """A platform's way to tell one person something in their private chat with the bot (a teacher hears how their
    announcement went)."""

    async def tell(self, account: str, text: str) -> None: ...
