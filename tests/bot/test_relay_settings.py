"""The [zermelo] settings and the relay's wiring: the token only from the environment, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.relay import announcer_for, build_relay, start_relay
from bot.settings import SettingsError, settings_from_dict
from tests.support.core import make_core

ROOMS = [{"platform": "console", "id": "ann-2b", "name": "Mededelingen 2B", "kind": "announcement"}]


def test_a_token_in_the_settings_file_is_refused_with_the_variable_to_use() -> None:
    with pytest.raises(SettingsError, match="set SCHOOLWACHT_ZERMELO_TOKEN"):
        settings_from_dict({"zermelo": {"portal": "school", "token": "abc"}})


@pytest.mark.parametrize(
    ("zermelo", "named"),
    [
        ({"portal": "school", "quiet_hours": "nacht"}, "HH:MM-HH:MM"),
        ({"portal": "de school!"}, "is not a portal"),
        ({"portal": "school", "days_ahead": 60}, "zermelo.days_ahead"),
        ({"portal": "school", "groups": {"lo": "2B"}}, "zermelo.groups.lo"),
        ({"portal": "school", "roster": 1}, "unknown key 'zermelo.roster'"),
        ({}, "missing key 'zermelo.portal'"),
    ],
)
def test_bad_settings_name_the_key(zermelo: dict[str, object], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        settings_from_dict({"zermelo": zermelo})


def test_the_token_comes_from_the_environment_or_a_file(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=ROOMS, with_classifier=False, extra_settings={"zermelo": {"portal": "school"}})
    with pytest.raises(SettingsError, match="SCHOOLWACHT_ZERMELO_TOKEN"):
        build_relay(core, [], environ={})
    secret = tmp_path / "token"
    secret.write_text("geheim\n")
    assert build_relay(core, [], environ={"SCHOOLWACHT_ZERMELO_TOKEN_FILE": str(secret)}) is not None
    assert build_relay(core, [], environ={"SCHOOLWACHT_ZERMELO_TOKEN": "geheim"}) is not None


async def test_without_zermelo_settings_there_is_no_relay(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=ROOMS, with_classifier=False)
    assert build_relay(core, [], environ={}) is None
    assert start_relay(core, []) is None


def test_the_console_has_no_announcer(tmp_path: Path) -> None:
    from bot.platforms import console_adapter

    core = make_core(tmp_path, rooms=ROOMS, with_classifier=False)
    assert announcer_for(console_adapter(core, lines=[]), core.moderator.texts) is None


async def test_run_starts_and_stops_the_relay_with_the_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from bot.app import run
    from bot.platforms import console_adapter
    from tests.support.fake_zermelo import FakeZermelo
    from tests.support.fake_zermelo.week import TOKEN, SchoolWeek

    week = SchoolWeek().plan_week()
    monkeypatch.setenv("SCHOOLWACHT_ZERMELO_TOKEN", TOKEN)
    caplog.set_level(logging.INFO, logger="bot.relay")
    async with FakeZermelo(week.portal).running() as fake:
        core = make_core(tmp_path, rooms=ROOMS, with_classifier=False, extra_settings={"zermelo": {"portal": fake.url}})
        await run(core, [console_adapter(core, lines=["hallo"])], grace=1.0)
    assert "timetable relay started" in caplog.text
