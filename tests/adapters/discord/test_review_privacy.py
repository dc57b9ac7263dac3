"""AVG on the Discord review side: a warning when the overview channel is readable beyond school leadership, and
clearing every chat copy of a card when an incident is erased."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from adapters.discord.card_port import KEYS
from adapters.discord.client import DiscordAdapter
from adapters.discord.config import DiscordConfig
from adapters.discord.review import ReviewSetup
from moderation.incidents.card_locations import CardLocations
from moderation.ports import CardAddress
from tests.adapters.discord.classifier import make_classifier
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.review_school import review_school

INSULT = "daan je bent echt een klootzak"


async def test_start_warns_when_the_review_channel_is_readable_beyond_leadership(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="adapters.discord.client")
    async with review_school(tmp_path, make_classifier()):
        pass
    [warning] = [rec.getMessage() for rec in caplog.records if "review channel #incidenten" in rec.getMessage()]
    # The sample school's review channel is for all staff: both teachers can read every student's incidents there.
    assert "2 member(s)" in warning and "jansen (Meneer Jansen)" in warning and "visser (Mevr. Visser)" in warning
    assert "rector" not in warning  # school leadership may


async def test_no_warning_when_only_leadership_reads_the_review_channel(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="adapters.discord.client")
    async with review_school(tmp_path, make_classifier(), leadership_only_review=True) as r:
        channel = r.world.channels[r.school.review.id]
        assert channel.overwrites[(0, r.school.staff_role.id)].deny & p.VIEW_CHANNEL
    assert not [rec for rec in caplog.records if "review channel" in rec.getMessage()]


async def test_withdrawing_an_incident_clears_every_copy_of_its_card(tmp_path: Path) -> None:
    async with review_school(tmp_path, make_classifier()) as r:
        n = await r.flagged(r.school.sanne, INSULT)
        other = await r.flagged(r.school.daan, "sanne je bent een sukkel")
        copies = [await r.card_for(r.school.teacher, n), await r.card_for(r.abc, n)]
        overview = r.overview_card(n)
        assert overview is not None
        copies.append(overview)
        cleared = await r.adapter.withdraw_cards([n])
        assert cleared == 3 and CardLocations(r.core.state, KEYS).of(n) == {}
        for card in copies:
            assert card.content == f"Melding #{n} is gewist (privacy)." and card.components == []
        assert "sukkel" in (await r.card_for(r.school.teacher, other)).content  # other incidents untouched
        assert await r.adapter.withdraw_cards([n]) == 0  # twice: nothing left, no error


async def test_the_card_of_a_reviewer_who_left_the_school_is_cleared_not_updated(tmp_path: Path) -> None:
    async with review_school(tmp_path, make_classifier()) as r:
        n = await r.flagged(r.school.sanne, INSULT)
        card = await r.card_for(r.school.teacher, n)
        theirs = await r.card_for(r.abc, n)
        assert r.adapter.card_state is not None
        locations = CardLocations(r.adapter.card_state, KEYS)
        # The coordinator's card, as if it had been sent to someone who is no longer on the roster.
        locations.add(n, "left-in-july", CardAddress(str(theirs.channel_id), str(theirs.id)))
        await r.press(r.school.teacher, card, "ack", n)
        await r.fake.wait_for(lambda: theirs.content == f"Melding #{n} is niet meer aan jou toegewezen.")
        assert theirs.components == [] and "klootzak" not in theirs.content
        await r.fake.wait_for(lambda: "left-in-july" not in locations.of(n))  # forgotten once it is cleared


async def test_a_card_that_cannot_be_cleared_is_kept_and_the_withdrawal_raises(tmp_path: Path) -> None:
    """So that the queue of erased incidents keeps it and the scheduled job tries again (AVG: nothing left behind)."""
    async with review_school(tmp_path, make_classifier()) as r:
        n = await r.flagged(r.school.sanne, INSULT)
        card = await r.card_for(r.school.teacher, n)
        r.fake.rest.faults.add("PATCH", rf"/messages/{card.id}$", 403, code=50001, message="Missing Access")
        with pytest.raises(RuntimeError, match=rf"incident\(s\) \[{n}\] could not be cleared yet"):
            await r.adapter.withdraw_cards([n])
        assert [where.message for where in CardLocations(r.core.state, KEYS).of(n).values()] == [str(card.id)]
        assert "klootzak" in card.content
        assert await r.adapter.withdraw_cards([n]) == 1  # the next try clears it
        assert card.content == f"Melding #{n} is gewist (privacy)."


async def test_before_start_cards_known_from_the_state_table_are_not_forgotten() -> None:
    """The queue of erased incidents must not drop an incident because the adapter was not running yet."""

    class Memory(dict[str, str]):
        def set(self, key: str, value: str) -> None:
            self[key] = value

    state = Memory()
    CardLocations(state, KEYS).add(7, "jan", CardAddress("1", "2"))
    setup = ReviewSetup(service=None, directory=lambda: None, state=state)  # type: ignore[arg-type, return-value]
    idle = DiscordAdapter(DiscordConfig(guild_id=1, staff_role_id=2), "token", review=setup)
    with pytest.raises(RuntimeError, match="not running"):
        await idle.withdraw_cards([7])
    assert await idle.withdraw_cards([8]) == 0
