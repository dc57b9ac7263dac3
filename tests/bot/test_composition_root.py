"""The composition root builds one roster holder and one review service per process: a roster import is seen by
the moderator and by every review front end at once, with nothing pushed around."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.console import ConsoleAdapter
from bot.app import Core
from bot.platforms import console_adapter
from moderation.model import PersonId
from moderation.roster import parse_roster, store_roster
from tests.support.core import SAMPLE_PEOPLE, make_core, roster_csv

NEW_TEACHER = {"id": "kim", "name": "Mevr. De Vries", "role": "staff", "manager": "dir"}


async def test_a_roster_import_reaches_the_moderator_and_the_review_service_through_one_holder(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=[], with_classifier=False)
    out: list[str] = []
    console = console_adapter(core, lines=["@kim !ack 1"], out=_Writer(out))
    assert core.review.actor_by_id("kim") is None and core.moderator.person_name(PersonId("kim")) == "kim"
    store_roster(core.sessions, parse_roster(roster_csv([*SAMPLE_PEOPLE, NEW_TEACHER])), datetime.now(UTC))
    before = core.directory
    core.reload_directory()
    assert core.directory is not before
    assert core.review.actor_by_id("kim") is not None
    assert core.moderator.person_name(PersonId("kim")) == "Mevr. De Vries"
    await _run_console(core, console)  # her review command on the console: she is known there too
    assert "@kim !ack 1" in "".join(out) and "not on the school's roster" not in "".join(out)


async def _run_console(core: Core, console: ConsoleAdapter) -> None:
    await console.start(core.moderator)
    await console.wait_closed()
    await console.stop()


class _Writer:
    def __init__(self, lines: list[str]) -> None:
        self._lines = lines

    def write(self, text: str) -> int:
        self._lines.append(text)
        return len(text)
