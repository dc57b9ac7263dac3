"""Listed posters without the staff role get their own overwrite, so they can post in the announcement channel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.discord.conftest import Running
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.school import School, build_school


@pytest.fixture
def school() -> School:
    built = build_school()
    # Mevr. Visser: staff in the roster, but nobody gave her the Discord staff role; Noor: a listed student poster.
    built.accounts["eva"] = built.world.add_user("visser")
    built.accounts["noor"] = built.world.add_user("noor")
    return built


@pytest.fixture
def rooms(school: School) -> list[dict[str, Any]]:
    configured = school.rooms()
    configured[0]["posters"] = ["staff", "noor"]  # and one student who may post there (e.g. the class rep)
    return configured


async def test_listed_posters_get_a_member_overwrite(running: Running) -> None:
    school, world = running.school, running.world
    by_name = {u.username: u for u in world.users.values()}
    channel = school.announcements.id
    overwrites = world.channels[channel].overwrites
    assert overwrites[(1, by_name["visser"].id)].allow == p.SEND_MESSAGES
    assert overwrites[(1, by_name["noor"].id)].allow == p.SEND_MESSAGES
    assert (1, school.owner.id) not in overwrites  # the owner can post anyway
    world.create_message(by_name["noor"].id, channel, "De klassenvertegenwoordiger: vrijdag geen les!")
    with pytest.raises(Exception, match="Missing Permissions"):
        world.create_message(school.sanne.id, channel, "en ik dan?")
