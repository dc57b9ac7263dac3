"""Which class announcement rooms a lesson's groups reach.

A Zermelo group is mapped to roster classes: by the settings' own table first, else the group itself when it is a
class ("2b"), else the part before the dot of a cluster ("2b.wi1" is a part of 2B). A class reaches its rooms: the
settings' own table first, else every announcement room whose name contains the class as a word
("Mededelingen 2B", "2b-rooster").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from moderation.model import Platform

RoomKey = tuple[Platform, str]

_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True, slots=True)
class AnnouncementRoom:
    platform: Platform
    room_id: str
    name: str


class RoomTargets:
    def __init__(
        self,
        classes: Iterable[str],
        rooms: Sequence[AnnouncementRoom],
        *,
        groups: Mapping[str, Sequence[str]] | None = None,
        class_rooms: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._classes = {c.lower(): c for c in classes}
        for mapped in (groups or {}).values():
            self._classes.update({c.lower(): c for c in mapped})
        self._groups = {g.lower(): tuple(cs) for g, cs in (groups or {}).items()}
        by_id = {room.room_id: room for room in rooms}
        self._names: dict[RoomKey, str] = {(room.platform, room.room_id): room.name for room in rooms}
        self._rooms: dict[str, tuple[RoomKey, ...]] = {}
        for name, display in self._classes.items():
            listed = (class_rooms or {}).get(display) or (class_rooms or {}).get(name)
            if listed is not None:
                self._rooms[name] = tuple((by_id[r].platform, r) for r in listed if r in by_id)
            else:
                self._rooms[name] = tuple(
                    (room.platform, room.room_id) for room in rooms if name in _WORD.findall(room.name.lower())
                )

    def classes_of(self, group: str) -> tuple[str, ...]:
        key = group.strip().lower()
        if key in self._groups:
            return self._groups[key]
        if key in self._classes:
            return (self._classes[key],)
        head = key.split(".", 1)[0]
        if head in self._classes:
            return (self._classes[head],)
        return ()

    def rooms_for(self, groups: Iterable[str]) -> dict[RoomKey, tuple[str, ...]]:
        """Each room reached, with the classes it is reached for (sorted; one post per room even for two)."""
        reached: dict[RoomKey, set[str]] = {}
        for group in groups:
            for cls in self.classes_of(group):
                for room in self._rooms.get(cls.lower(), ()):
                    reached.setdefault(room, set()).add(cls)
        return {room: tuple(sorted(classes)) for room, classes in reached.items()}

    def every_class(self) -> dict[str, tuple[RoomKey, ...]]:
        """Each class (as the roster writes it) with its rooms, for a composer that lists them."""
        return {display: self._rooms.get(name, ()) for name, display in sorted(self._classes.items())}

    def name_of(self, room: RoomKey) -> str:
        return self._names.get(room, room[1])

    def unreached(self, groups: Iterable[str]) -> list[str]:
        """Groups that reach no room at all (logged once, so an admin can add them to the settings)."""
        return [g for g in groups if not self.rooms_for([g])]
