"""A realistic school week on the fake portal (ma 7 – vr 11 dec 2026, Europe/Amsterdam) and its changes.

`SchoolWeek.plan_week()` puts the ordinary lessons in; `first_changes()` is the timetable office's Monday-morning
work; `later_changes()` what happens after: a room change changed again, a cancellation withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.fake_zermelo.server import Portal

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY = date(2026, 12, 7)
# The lesson hours: 1e uur 08:30, ...
SLOTS = {1: (8, 30), 2: (9, 20), 3: (10, 30), 4: (11, 20), 5: (12, 40), 6: (13, 30)}
TOKEN = "zermelo-token-roosterkamer"


def at(day: int, slot: int) -> tuple[int, int]:
    hour, minute = SLOTS[slot]
    start = datetime.combine(date.fromordinal(MONDAY.toordinal() + day), time(hour, minute), AMSTERDAM)
    return int(start.timestamp()), int(start.timestamp()) + 50 * 60


@dataclass
class SchoolWeek:
    portal: Portal = field(default_factory=lambda: Portal(tokens={TOKEN}))
    lessons: dict[str, dict[str, Any]] = field(default_factory=dict)

    def lesson(self, name: str, day: int, slot: int, **fields: Any) -> dict[str, Any]:
        start, end = at(day, slot)
        row = self.portal.add_lesson(start, end, slot=slot, **fields)
        self.lessons[name] = row
        return row

    def plan_week(self) -> SchoolWeek:
        self.lesson("wi-2b-ma", 0, 3, subjects=["wi"], groups=["2b"], teachers=["jan"], locations=["101"])
        self.lesson("en-2b-di", 1, 4, subjects=["en"], groups=["2b"], teachers=["vis"], locations=["112"])
        self.lesson("ne-3a-wo", 2, 2, subjects=["ne"], groups=["3a"], teachers=["eva"], locations=["103"])
        self.lesson("gs-3a-do", 3, 1, subjects=["gs"], groups=["3a"], teachers=["bak"], locations=["008"])
        self.lesson("lo-combi-vr", 4, 5, subjects=["lo"], groups=["2b", "3a"], teachers=["dek"], locations=["gym1"])
        self.lesson("wi-2b-cluster", 3, 6, subjects=["wi"], groups=["2b.wi1"], teachers=["jan"], locations=["101"])
        self.lesson("bi-4h-di", 1, 1, subjects=["bi"], groups=["4h"], teachers=["bos"], locations=["201"])
        for day in range(5):  # ordinary lessons that do not change
            self.lesson(f"ak-2b-{day}", day, 1, subjects=["ak"], groups=["2b"], teachers=["ruy"], locations=["104"])
            self.lesson(f"du-3a-{day}", day, 4, subjects=["du"], groups=["3a"], teachers=["mol"], locations=["106"])
        return self

    def first_changes(self) -> None:
        p, les = self.portal, self.lessons
        p.change(les["wi-2b-ma"], cancelled=True, changeDescription="")
        p.change(les["en-2b-di"], locations=["204"], locationChanged=True)
        p.change(les["ne-3a-wo"], locations=["105"], locationChanged=True)
        p.change(les["gs-3a-do"], cancelled=True)
        p.change(
            les["lo-combi-vr"], teachers=["pie"], teacherChanged=True, changeDescription="Neem je sportkleding mee"
        )
        p.change(les["bi-4h-di"], cancelled=True)  # 4H has no announcement room: logged, not posted

    def later_changes(self) -> None:
        p, les = self.portal, self.lessons
        p.change(les["ne-3a-wo"], locations=["110"], locationChanged=True)  # the room change changes again
        p.restore(les["gs-3a-do"])  # the cancellation is withdrawn: the lesson goes ahead
        p.change(les["wi-2b-cluster"], cancelled=True)  # a cluster of 2B


# What the rooms should show after `first_changes` and after `later_changes`.
FIRST_2B = {
    "2B: het 3e uur wiskunde (ma 7 dec) vervalt",
    "2B: het 4e uur Engels (di 8 dec) is verplaatst naar lokaal 204",
    "2B: het 5e uur lichamelijke opvoeding (vr 11 dec) wordt gegeven door pie. Neem je sportkleding mee",
}
FIRST_3A = {
    "3A: het 2e uur Nederlands (wo 9 dec) is verplaatst naar lokaal 105",
    "3A: het 1e uur geschiedenis (do 10 dec) vervalt",
    "3A: het 5e uur lichamelijke opvoeding (vr 11 dec) wordt gegeven door pie. Neem je sportkleding mee",
}
LATER_2B = FIRST_2B | {"2B: het 6e uur wiskunde (do 10 dec) vervalt"}
LATER_3A = {
    "3A: het 2e uur Nederlands (wo 9 dec) is verplaatst naar lokaal 110",
    "3A: het 5e uur lichamelijke opvoeding (vr 11 dec) wordt gegeven door pie. Neem je sportkleding mee",
}
