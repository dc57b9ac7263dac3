"""discord_adapter(core): the root's way in, from the [discord] settings and the token in the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.discord.config import DiscordConfigError, TokenError
from bot.platforms import build_adapters, discord_adapter
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, build_school


async def test_the_app_builds_and_starts_the_discord_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    school = build_school()
    discord_settings = {
        "guild_id": school.world.guild_id,
        "staff_role_id": school.staff_role.id,
        "review_channel_id": school.review.id,
    }
    core = make_core(
        tmp_path,
        rooms=school.rooms(),
        people=school.people(),
        with_classifier=False,
        extra_settings={"bot": {"platforms": ["discord"]}, "discord": discord_settings},
    )
    monkeypatch.setenv("SCHOOLWACHT_DISCORD_TOKEN", BOT_TOKEN)
    try:
        (adapter,) = build_adapters(core)
        async with FakeDiscord(school.world).running():
            await adapter.start(core.moderator)
            try:
                assert (0, school.world.guild_id) in school.world.channels[school.announcements.id].overwrites
            finally:
                await adapter.stop()
    finally:
        core.close()


def test_missing_settings_or_token_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHOOLWACHT_DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("SCHOOLWACHT_DISCORD_TOKEN_FILE", raising=False)
    core = make_core(tmp_path, rooms=[], with_classifier=False)
    try:
        with pytest.raises(DiscordConfigError, match=r"\[discord\] settings are missing"):
            discord_adapter(core)
    finally:
        core.close()
    other = tmp_path / "other"
    other.mkdir()
    core = make_core(
        other, rooms=[], with_classifier=False, extra_settings={"discord": {"guild_id": 1, "staff_role_id": 2}}
    )
    try:
        with pytest.raises(TokenError, match="SCHOOLWACHT_DISCORD_TOKEN"):
            discord_adapter(core)
    finally:
        core.close()
