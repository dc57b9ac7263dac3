"""How readers confirm "Gelezen ✓" on each platform: whether they can, and the line under a post that says how.

A process that posts knows it from its platforms' announcers. A desk running on its own has no platform to post
on, yet composes the very posts another process will send: it knows the same from the settings, so that what a
teacher previews and queues there is what the class reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from moderation.announcements.ports import Announcer
from moderation.model import Platform


@dataclass(frozen=True, slots=True)
class ReadWay:
    confirms: bool  # readers can confirm here (a button, a reaction)
    hint: str = ""  # the line under such a post saying how (empty: the post shows it itself, a button)


class ReadWays:
    def __init__(self, ways: Mapping[Platform, ReadWay]) -> None:
        self._ways = dict(ways)

    @classmethod
    def of(cls, announcers: Iterable[Announcer]) -> ReadWays:
        return cls({a.platform: ReadWay(a.confirms_reads, a.read_hint) for a in announcers})

    def confirms_reads(self, platform: Platform) -> bool:
        way = self._ways.get(platform)
        return way is not None and way.confirms

    def read_hint(self, platform: Platform) -> str:
        way = self._ways.get(platform)
        return way.hint if way is not None else ""
