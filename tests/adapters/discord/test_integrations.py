"""Posts that no person wrote: a followed announcement channel's published posts and an integration's webhook posts.
They come with the webhook as author and no member; in an announcement channel they are kept, and nobody is ever
sent a notice at a webhook's id."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import Running
from tests.support.fake_discord import DiscordError
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.model import GUILD_NEWS, IS_CROSSPOST


def lookups_of(running: Running, account: int) -> list[str]:
    return [q.path for q in running.fake.rest.requests if q.path.endswith(f"/users/{account}")]


async def test_a_followed_school_wide_announcement_is_kept(running: Running) -> None:
    school, world = running.school, running.world
    news = world.add_channel("schoolnieuws", type=GUILD_NEWS)
    hook = world.follow(school.owner.id, news.id, school.announcements.id)
    post = world.create_message(school.owner.id, news.id, "Vrijdag is de school om 12:00 uit.")
    [copy] = world.crosspost(school.owner.id, news.id, post.id)
    assert copy.webhook_id == hook.id and copy.flags & IS_CROSSPOST and copy.channel_id == school.announcements.id
    marker = world.create_message(school.teacher.id, school.klas.id, "klootzak")  # handled after the copy
    await running.wait_for(lambda: running.settled_incident(marker.id))
    assert copy.id in world.messages
    assert running.settled_incident(copy.id) is None
    assert not lookups_of(running, hook.id)  # no notice to a webhook id


async def test_an_integrations_abusive_post_is_removed_without_a_notice(running: Running) -> None:
    school, world = running.school, running.world
    hook = world.create_webhook(school.owner.id, school.klas.id, "Roosterbot")
    posted = world.execute_webhook(hook.id, "jullie zijn allemaal sukkels")
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.action_status == "done" and posted.id in world.deleted
    assert incident.author_account == str(hook.id) and incident.author_person_id is None
    assert not lookups_of(running, hook.id)


async def test_a_student_still_cannot_post_and_following_needs_manage_webhooks(running: Running) -> None:
    school, world = running.school, running.world
    news = world.add_channel("schoolnieuws", type=GUILD_NEWS)
    with pytest.raises(DiscordError, match="Missing Permissions"):
        world.follow(school.sanne.id, news.id, school.announcements.id)
    with pytest.raises(DiscordError, match="Missing Permissions"):
        world.create_webhook(school.sanne.id, school.klas.id, "mijn bot")
    assert world.permissions_in(school.owner.id, school.klas.id) & p.MANAGE_WEBHOOKS
    slipped = world.slip_message(school.sanne.id, school.announcements.id, "ik doe ook mee")
    await running.wait_for(lambda: slipped.id in world.deleted)  # a person's post is still R10's
