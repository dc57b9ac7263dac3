"""A kill in the middle of a burst on Discord, then a restart (discord.py's real client, the fake server, the real
pipeline on SQLite): nothing is sent twice and nothing is lost.

The kill is the pipeline's checkpoint, as in the Matrix fault suite; here the bot runs in the test's process (the
fake server lives there), so a kill is made to act like one: from the checkpoint on, that bot's requests to Discord
and its database statements fail at once, and it is abandoned without any clean-up. Whatever it had sent before
stays on the fake server, as it stays on Discord; the restarted bot finds the rest owed in the outbox.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from adapters.discord.card_port import KEYS
from adapters.discord.client import DiscordAdapter
from adapters.discord.person_data import NOTICE_PLAN_KEY
from adapters.discord.review import ReviewSetup
from bot.app import Core
from moderation.incidents.card_locations import CardLocations
from moderation.model import AccountId, Platform
from moderation.notice_plans import NoticeRecord
from moderation.ports import OVERVIEW
from moderation.storage.incidents import IncidentRow, OutboxRow
from tests.adapters.discord.classifier import make_classifier
from tests.adapters.discord.test_notices import told_of
from tests.support.core import make_core
from tests.support.fake_discord.model import DM, StoredMessage, User
from tests.support.fake_discord.review_school import wire_school
from tests.support.fake_discord.school import BOT_TOKEN, School, build_school
from tests.support.fake_discord.server import FakeDiscord

INSULT = "daan je bent echt een klootzak"
NUMBER = re.compile(r"Melding #(\d+)\b")
DELETE = re.compile(r"^/api/v10/channels/\d+/messages/(\d+)$")


class Killed(Exception):
    """The process ended here: nothing after this point of the killed bot happens (whoever catches this finds
    Discord and the database closed to it as well)."""


@dataclass
class Kill:
    """The checkpoint that ends a bot at `step` (and everything it does after)."""

    step: str
    dead: bool = False
    adapters: list[DiscordAdapter] = field(default_factory=list)

    def checkpoint(self, reached: str) -> None:
        if reached == self.step and not self.dead:
            self.now()
        if self.dead:
            raise Killed(reached)

    def now(self) -> None:
        """The end, from outside the bot: whatever it does next finds Discord and the database closed to it."""
        self.dead = True
        for adapter in self.adapters:
            adapter.client.http.request = self._refused  # type: ignore[method-assign]

    async def _refused(self, *_args: Any, **_kwargs: Any) -> Any:
        raise Killed("a request after the kill")

    def refuse_statements(self, core: Core) -> None:
        def statement(*_args: Any) -> None:
            if self.dead:
                raise Killed("a database statement after the kill")

        event.listen(core.engine, "before_cursor_execute", statement)


@dataclass
class Bot:
    school: School
    fake: FakeDiscord
    core: Core
    adapter: DiscordAdapter


def new_core(school: School, tmp_path: Path, *, notice_burst: float | None = None) -> Core:
    return make_core(
        tmp_path,
        rooms=school.rooms(),
        people=school.people(),
        classifier=make_classifier(),
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
        # The notices' window well longer than it takes to judge a burst (on a busy machine too).
        extra_settings={"bot": {"notice_burst_s": notice_burst}} if notice_burst is not None else None,
    )


async def start_bot(school: School, fake: FakeDiscord, core: Core) -> Bot:
    # The fake, like Discord, sends the member list once per 30 s: the restarted bot does not wait for it.
    config = replace(school.config(), member_list_wait=0.2)
    adapter = DiscordAdapter(config, BOT_TOKEN, review=ReviewSetup(core.review, core.roster.current, core.state))
    await adapter.start(core.moderator)
    return Bot(school, fake, core, adapter)


async def abandon(bot: Bot) -> None:
    """What a kill leaves: the gateway connection gone, the workers gone, nothing cleaned up or written."""
    with suppress(BaseException):
        await asyncio.wait_for(bot.adapter.client.close(), 10)
    with suppress(BaseException):
        await asyncio.wait_for(bot.core.moderator.stop_taking(0.1), 10)


def bot_posts(bot: Bot, where: set[int]) -> list[StoredMessage]:
    return [m for m in bot.school.world.messages.values() if m.channel_id in where and m.author_id == bot.school.bot.id]


def numbers_on(message: StoredMessage) -> list[int]:
    if message.embeds:
        return [int(m.group(1)) for e in message.embeds if (m := NUMBER.search(str(e.get("title") or "")))]
    found = NUMBER.search(message.content)
    return [int(found.group(1))] if found else []


def dm_of(school: School, user: User) -> set[int]:
    return {c.id for c in school.world.channels.values() if c.type == DM and user.id in c.recipients}


def owed(core: Core) -> list[tuple[int, str, str, str]]:
    with core.sessions() as session:
        query = select(OutboxRow.incident_id, OutboxRow.kind, OutboxRow.target, OutboxRow.status)
        return [tuple(row) for row in session.execute(query.order_by(OutboxRow.id))]  # type: ignore[misc]


def incidents(core: Core) -> list[IncidentRow]:
    with core.sessions() as session:
        rows = list(session.scalars(select(IncidentRow).order_by(IncidentRow.id)))
        session.expunge_all()
        return rows


def told(bot: Bot, user: User) -> list[str]:
    """The notices `user` got by DM, after checking that the bot's record says each message was told of once and
    nothing is left planned."""
    record = NoticeRecord.parse(bot.core.state.get(NOTICE_PLAN_KEY + str(user.id)))
    assert record.plan == [] and len(record.told) == len(set(record.told)), record
    return [m.content for m in bot_posts(bot, dm_of(bot.school, user))]


@pytest.mark.parametrize("step", ["cards-together", "card:abc", "notify-sender", "notices-together"])
async def test_killed_in_a_burst_every_card_and_notice_once_after_the_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    school = build_school()
    _eva, abc = wire_school(school)
    jan, sanne = school.teacher, school.sanne
    kill = Kill(step)
    deleted: Counter[int] = Counter()  # what the fake server really deleted, by message id
    school.world.listeners.append(lambda name, data: deleted.update([data["id"]] if name == "MESSAGE_DELETE" else []))
    fake = FakeDiscord(school.world)
    async with fake.running():
        monkeypatch.setattr("bot.app.die_at", lambda _step: kill.checkpoint)
        burst = 8.0 if step == "notices-together" else None
        first = await start_bot(school, fake, new_core(school, tmp_path, notice_burst=burst))
        monkeypatch.undo()
        kill.adapters.append(first.adapter)
        kill.refuse_statements(first.core)
        try:
            sent = [school.world.create_message(sanne.id, school.klas.id, f"{INSULT} (eerste)")]
            if step == "cards-together":  # the burst within the window the first card opened
                await fake.wait_for(lambda: any(numbers_on(m) for m in bot_posts(first, dm_of(school, abc))))
            if step == "notices-together":  # the first notice alone, the rest within the window it opened
                await fake.wait_for(lambda: bot_posts(first, dm_of(school, sanne)), timeout=15)
            if step == "card:abc":
                # A lone card, so the rest of the burst comes after the kill: sent at once, they could all join the
                # first card's batch on a busy machine, and the lone card would never be sent.
                await fake.wait_for(lambda: kill.dead, timeout=15)
            sent += [school.world.create_message(sanne.id, school.klas.id, f"{INSULT} ({n})") for n in range(3)]
            await fake.wait_for(lambda: kill.dead, timeout=15)
        finally:
            await abandon(first)
        core = new_core(school, tmp_path, notice_burst=burst)
        assert any(status == "pending" for _n, _k, _t, status in owed(core))  # the kill left something undone
        second = await start_bot(school, fake, core)
        try:

            def ours() -> list[IncidentRow]:
                return [i for i in incidents(second.core) if i.message_id in {str(m.id) for m in sent}]

            # Recorded before the kill, or caught up at the restart (judged as the events of a room are: in turn).
            await fake.wait_for(lambda: len(ours()) >= len(sent), timeout=20)
            assert len(ours()) == len(sent)
            numbers = sorted(i.id for i in ours())

            def settled() -> bool:
                statuses = [s for n, _k, _t, s in owed(second.core) if n in numbers]
                return bool(statuses) and all(s != "pending" for s in statuses)

            await fake.wait_for(settled, timeout=20)
            await second.core.moderator.drained()
            assert all(s == "done" for n, _k, _t, s in owed(second.core) if n in numbers)
            assert all(i.action_status == "done" for i in incidents(second.core) if i.id in numbers)

            # Each abusive message deleted exactly once (a delete redone after the kill finds it gone: 404, nothing
            # happens), the student told once about each.
            assert {m.id: deleted[m.id] for m in sent} == {m.id: 1 for m in sent}
            requests = Counter(
                int(m.group(1)) for q in fake.rest.requests if q.method == "DELETE" and (m := DELETE.match(q.path))
            )
            assert all(1 <= requests[m.id] <= 2 for m in sent)
            notices = told(second, sanne)
            assert sum(told_of(n) for n in notices) == len(sent), [n[:60] for n in notices]
            if step == "notices-together":
                assert len(notices) == 2, notices  # the first alone, the other three on one (not sent again)

            # Every incident on exactly one card per viewer (combined or its own), each card known to the ledger.
            locations = CardLocations(second.core.state, KEYS)
            viewers = {"jan": dm_of(school, jan), "abc": dm_of(school, abc), OVERVIEW: {school.review.id}}
            combined = 0
            for viewer, where in viewers.items():
                shown = [numbers_on(m) for m in bot_posts(second, where)]
                shown = [card for card in shown if set(card) & set(numbers)]
                assert sorted(n for card in shown for n in card) == numbers, (viewer, shown)
                held = {n: locations.of(n)[viewer].message for n in numbers}
                messages = {str(m.id) for m in bot_posts(second, where) if set(numbers_on(m)) & set(numbers)}
                assert set(held.values()) == messages, viewer  # no card the bot does not know of
                combined += sum(len(card) > 1 for card in shown)
            if step == "cards-together":
                assert combined >= 1  # the kill did come after a combined card
        finally:
            await second.adapter.stop()
            second.core.close()
            first.core.close()


@pytest.mark.parametrize(("which", "nonce"), [("alone", "kept"), ("alone", "forgotten"), ("together", "forgotten")])
async def test_killed_with_a_notice_sent_but_not_marked_it_is_not_sent_again(
    tmp_path: Path, which: str, nonce: str
) -> None:
    # Killed the moment Discord has the notice's DM, before the bot marked it sent. Restarted within Discord's few
    # minutes, its nonce still holds; later ("forgotten"), only the bot's own look into the DM keeps it single.
    school = build_school()
    wire_school(school)
    sanne = school.sanne
    kill = Kill("a notice DM")

    def at_the_notice(name: str, data: dict[str, Any]) -> None:
        message = data.get("message")
        if name != "MESSAGE_CREATE" or not isinstance(message, StoredMessage) or kill.dead:
            return
        ours = message.author_id == school.bot.id and message.channel_id in dm_of(school, sanne)
        if ours and (which == "alone" or message.content.startswith("Dit gaat over")):
            kill.now()

    school.world.listeners.append(at_the_notice)
    fake = FakeDiscord(school.world)
    async with fake.running():
        first = await start_bot(school, fake, new_core(school, tmp_path, notice_burst=8.0))
        kill.adapters.append(first.adapter)
        kill.refuse_statements(first.core)
        try:
            sent = [school.world.create_message(sanne.id, school.klas.id, f"{INSULT} (eerste)")]
            await fake.wait_for(lambda: bot_posts(first, dm_of(school, sanne)), timeout=15)
            sent += [school.world.create_message(sanne.id, school.klas.id, f"{INSULT} ({n})") for n in range(3)]
            await fake.wait_for(lambda: kill.dead, timeout=20)
        finally:
            await abandon(first)
        if nonce == "forgotten":
            school.world.nonces.clear()
        second = await start_bot(school, fake, new_core(school, tmp_path, notice_burst=8.0))
        try:

            def settled() -> bool:
                ours = [i for i in incidents(second.core) if i.message_id in {str(m.id) for m in sent}]
                return len(ours) == len(sent) and all(i.action_status == "done" for i in ours)

            await fake.wait_for(settled, timeout=30)
            await second.core.moderator.drained()
            notices = told(second, sanne)
            assert sum(told_of(n) for n in notices) == len(sent), notices
            assert len(notices) == 2, notices  # the first alone, the other three on one
        finally:
            await second.adapter.stop()
            second.core.close()
            first.core.close()
