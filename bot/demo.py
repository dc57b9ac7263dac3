"""`schoolwacht demo`: a short school day on the console platform, then each reviewer's incident list.

Needs no config and no network: a bundled roster and settings, a fresh SQLite database in a temporary folder, and the
classifier's text tier plus the embedded e5 tier (text tier alone where the e5 engine cannot run).
"""

from __future__ import annotations

import asyncio
import tempfile
import tomllib
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.app import Core, build_core, run
from bot.database import upgrade
from bot.platforms import console_adapter
from bot.settings import settings_from_dict
from moderation.incidents.access import Actor
from moderation.model import Role
from moderation.roster import parse_roster, store_roster
from moderation.storage.engine import make_engine, make_session_factory

_DATA = resources.files("bot.demo_data")


def run_demo(out: Console) -> None:
    with tempfile.TemporaryDirectory(prefix="schoolwacht-demo-") as folder:
        core = _demo_core(Path(folder))
        try:
            out.rule("schoolwacht demo: a school day in class 2B")
            tiers = getattr(core.classifier, "name", "none")
            out.print(f"detection tiers active: {tiers}", markup=False)
            lines = _DATA.joinpath("scenario.txt").read_text(encoding="utf-8").splitlines()
            adapter = console_adapter(core, lines=lines, out=_PlainWriter(out))
            asyncio.run(run(core, [adapter]))
            out.rule("what each reviewer sees")
            print_reviewer_lists(core, out)
        finally:
            core.close()


def _demo_core(folder: Path) -> Core:
    data = tomllib.loads(_DATA.joinpath("schoolwacht.toml").read_text(encoding="utf-8"))
    data["database"] = {"url": f"sqlite:///{folder / 'demo.sqlite3'}"}
    settings = settings_from_dict(data, source=folder / "schoolwacht.toml")
    engine = make_engine(settings.database_url())
    upgrade(engine)
    roster = parse_roster(_DATA.joinpath("roster.csv").read_text(encoding="utf-8"), source="demo roster")
    store_roster(make_session_factory(engine), roster, datetime.now(UTC))
    engine.dispose()
    return build_core(settings)


def print_reviewer_lists(core: Core, out: Console) -> None:
    """Each staff member's list with exactly their rights: the same as `schoolwacht incidents list --as ID`."""
    review = core.review
    reviewers = [p for p in core.directory.people() if p.role is Role.STAFF]
    for reviewer in sorted(reviewers, key=lambda p: p.name):
        cards = review.list_for(Actor.of(reviewer))
        if not cards:
            continue
        title = f"{reviewer.name} (incidents list --as {reviewer.id})"
        table = Table("#", "rule", "category", "room", "author", "excerpt", "status", title=title)
        for card in cards:
            excerpt = (card.excerpt or "")[:60]
            table.add_row(str(card.id), card.rule_id, card.category, f"#{card.room}", card.author, excerpt, card.status)
        out.print(table)


class _PlainWriter:
    """The console adapter writes plain lines; Rich prints them without interpreting [brackets] as markup."""

    def __init__(self, out: Console) -> None:
        self._out = out

    def write(self, text: str) -> int:
        self._out.print(text, end="", markup=False, highlight=False)
        return len(text)

    def flush(self) -> None:
        return None
