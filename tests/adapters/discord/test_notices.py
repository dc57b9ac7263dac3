"""A student's notices of a burst on Discord (discord.py's real client, the fake server, the real pipeline): the
first one alone, those within the window on one DM in plain Dutch that lists them, and never a DM over Discord's
2,000 characters (a long burst is split where one notice ends). Also the splitting on its own, and the plan's part
of a person's export and erasure."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.discord.card import CARD_LIMIT as NOTICE_LIMIT
from adapters.discord.person_data import NOTICE_PLAN_KEY
from bot.platforms import personal_data_hooks
from bot.texts.nl_notices import DutchNotices
from moderation.notice_plans import NoticeRecord, split_notices
from moderation.privacy import erase_person, export_person
from tests.adapters.discord.conftest import Running
from tests.support.fake_discord.school import School, build_school

INSULT = "daan je bent echt een klootzak"
SEVERAL = re.compile(r"^Dit gaat over (\d+) berichten die je net stuurde:\n")
GROUPS = 14  # project groups, each a room with a long name: their notices together are well over 2,000 characters


def told_of(dm: str) -> int:
    """How many messages one DM tells of."""
    found = SEVERAL.match(dm)
    return int(found.group(1)) if found else 1


@pytest.fixture
def school() -> School:
    school = build_school()
    for n in range(GROUPS):
        school.world.add_channel(f"projectgroep-geschiedenis-de-gouden-eeuw-en-de-republiek-{n:02d}")
    return school


@pytest.fixture
def rooms(school: School) -> list[dict[str, Any]]:
    groups = [c for c in school.world.channels.values() if c.name.startswith("projectgroep-")]
    extra = [
        {"platform": "discord", "id": str(c.id), "name": c.name, "kind": "class", "abuse_action": "delete"}
        for c in groups
    ]
    return school.rooms() + extra


@pytest.fixture
def settings() -> dict[str, Any]:
    return {"bot": {"notice_burst_s": 8}}  # a slow machine too


def settled(running: Running, count: int) -> bool:
    """`count` messages' incidents recorded and acted on (not the start's own: a channel's drifted permissions)."""
    found = [i for i in running.incidents() if i.category != "permission-drift"]
    return len(found) == count and all(i.action_status == "done" for i in found)


async def test_a_students_notices_within_the_window_come_as_one_dm(running: Running) -> None:
    school, world = running.school, running.world
    world.create_message(school.sanne.id, school.klas.id, f"{INSULT} (1)")
    await running.wait_for(lambda: settled(running, 1), timeout=15)
    for n, who in enumerate((school.sanne, school.daan, school.sanne, school.sanne), start=2):  # within the window
        world.create_message(who.id, school.klas.id, f"{INSULT} ({n})")
    await running.wait_for(lambda: settled(running, 5), timeout=30)
    sanne = sorted(running.dms_to(school.sanne), key=len)
    assert len(sanne) == 2, sanne  # the first alone, then the burst's three on one
    alone, together = sanne
    assert alone.startswith("Je bericht in #klas-2b") and "Dit gaat over" not in alone
    assert together.startswith("Dit gaat over 3 berichten die je net stuurde:")
    assert together.count("\n- ") == 1 and "(3 berichten) Je bericht in #klas-2b" in together  # the same notice once
    daan = running.dms_to(school.daan)
    assert len(daan) == 1 and daan[0].startswith("Je bericht in #klas-2b")  # someone else's are their own
    record = NoticeRecord.parse(running.core.state.get(NOTICE_PLAN_KEY + str(school.sanne.id)))
    assert record.plan == [] and len(record.told) == len(set(record.told)) == 4


async def test_a_long_burst_is_split_between_notices_into_dms_within_discords_limit(running: Running) -> None:
    school, world = running.school, running.world
    groups = [c for c in world.channels.values() if c.name.startswith("projectgroep-")]
    world.create_message(school.sanne.id, school.klas.id, f"{INSULT} (eerste)")
    await running.wait_for(lambda: settled(running, 1), timeout=15)
    for group in groups:  # one message in each group: each its own notice (it names the room)
        world.create_message(school.sanne.id, group.id, INSULT)
    await running.wait_for(lambda: settled(running, 1 + len(groups)), timeout=30)
    dms = running.dms_to(school.sanne)
    assert all(len(dm) <= NOTICE_LIMIT for dm in dms)
    assert len(dms) >= 3, [len(dm) for dm in dms]  # the first alone, the burst on at least two
    assert sum(told_of(dm) for dm in dms) == 1 + len(groups)
    for group in groups:  # each message told of on exactly one DM, never cut in half
        assert sum(dm.count(f"#{group.name} ") for dm in dms) == 1, group.name
    assert all(SEVERAL.match(dm) for dm in dms[1:] if told_of(dm) > 1)


def test_notices_are_split_only_between_notices() -> None:
    several = DutchNotices().several
    notices = [(f"m{n}", f"Je bericht in #groep-{n % 6} {'lang ' * 60}is verwijderd.") for n in range(12)]
    dms = split_notices(notices, several, NOTICE_LIMIT)
    assert len(dms) >= 2 and all(len(text) <= NOTICE_LIMIT for text, _about in dms)
    assert sorted(key for _text, about in dms for key in about) == sorted(k for k, _t in notices)
    for text, about in dms:  # the same notice for several messages stays on one DM, counted once
        same = {t for k, t in notices if k in about}
        assert text == (next(iter(same)) if len(about) == 1 else several([t for k, t in notices if k in about]))
        assert all(text.count(t) == 1 for t in same)


def test_one_notice_alone_is_itself_and_one_too_long_is_cut_with_its_marker() -> None:
    several = DutchNotices().several
    alone = "Je bericht is verwijderd."
    assert split_notices([("m1", alone)], several, NOTICE_LIMIT) == [(alone, ["m1"])]
    [(text, about)] = split_notices([("m1", "x" * 2500)], several, NOTICE_LIMIT)
    assert len(text) == NOTICE_LIMIT and text.endswith("…") and about == ["m1"]
    same = [("m1", "y" * 2500), ("m2", "y" * 2500)]  # the same notice, for two messages
    [(text, about)] = split_notices(same, several, NOTICE_LIMIT)
    assert len(text) == NOTICE_LIMIT and text.startswith("Dit gaat over 2 berichten") and about == ["m1", "m2"]


async def test_the_notice_plan_is_in_the_persons_export_and_erased_with_them(running: Running) -> None:
    school, world, core = running.school, running.world, running.core
    world.create_message(school.sanne.id, school.klas.id, INSULT)
    world.create_message(school.daan.id, school.klas.id, INSULT)
    await running.wait_for(lambda: settled(running, 2), timeout=15)
    sanne, daan = NOTICE_PLAN_KEY + str(school.sanne.id), NOTICE_PLAN_KEY + str(school.daan.id)
    assert core.state.get(sanne) and core.state.get(daan)  # what each was told of, kept against a crash
    hooks = personal_data_hooks()
    exported = export_person(core.sessions, "sanne", datetime.now(UTC), actor="cli:test", hooks=hooks)
    assert exported["platform_state"] == [{"key": sanne, "value": core.state.get(sanne)}]
    plan = erase_person(core.sessions, "sanne", datetime.now(UTC), dry_run=False, actor="cli:test", hooks=hooks)
    assert plan.platform_state_removed == 1
    assert core.state.get(sanne) is None
    assert core.state.get(daan)  # someone else's stays
