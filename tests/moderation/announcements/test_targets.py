"""From Zermelo groups to class announcement rooms."""

from __future__ import annotations

from moderation.announcements.targets import AnnouncementRoom, RoomTargets
from moderation.model import Platform

M, D = Platform.MATRIX, Platform.DISCORD
ROOMS = [
    AnnouncementRoom(M, "!a", "Mededelingen 2B"),
    AnnouncementRoom(D, "11", "mededelingen-2b"),
    AnnouncementRoom(M, "!b", "3A rooster"),
    AnnouncementRoom(M, "!c", "2BC"),  # not a room of 2B: the class is not a word of its name
]


def test_groups_named_like_a_class_or_a_cluster_of_one() -> None:
    targets = RoomTargets({"2B", "3A"}, ROOMS)
    assert targets.rooms_for(["2b"]) == {(M, "!a"): ("2B",), (D, "11"): ("2B",)}
    assert targets.rooms_for(["2B.wi1"]) == {(M, "!a"): ("2B",), (D, "11"): ("2B",)}
    assert targets.rooms_for(["4h"]) == {}
    assert targets.unreached(["4h", "2b"]) == ["4h"]


def test_the_settings_map_groups_and_classes() -> None:
    targets = RoomTargets(
        {"2B", "3A"}, ROOMS, groups={"combi-lo": ["2B", "3A"]}, class_rooms={"3A": ["!b", "!a", "!missing"]}
    )
    assert targets.rooms_for(["combi-lo"]) == {(M, "!a"): ("2B", "3A"), (D, "11"): ("2B",), (M, "!b"): ("3A",)}
