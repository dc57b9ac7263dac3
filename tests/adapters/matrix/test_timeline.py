"""Where the bot joined in a timeline: a fresh join counts, a profile change (join → join) does not."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from adapters.matrix.timeline import own_join

BOT = "@bot:school.test"


def member(user: str, membership: str, before: str | None = None) -> Any:
    unsigned = {"prev_content": {"membership": before}} if before else {}
    source = {"type": "m.room.member", "state_key": user, "content": {"membership": membership}, "unsigned": unsigned}
    return SimpleNamespace(source=source)


def text(body: str) -> Any:
    return SimpleNamespace(source={"type": "m.room.message", "content": {"msgtype": "m.text", "body": body}})


def test_a_fresh_join_is_found() -> None:
    events = [text("old history"), member(BOT, "join", before="invite"), text("new")]
    assert own_join(events, BOT) == 1


def test_a_profile_change_or_someone_elses_join_is_not_a_join() -> None:
    assert own_join([member(BOT, "join", before="join"), text("new")], BOT) is None
    assert own_join([member("@daan:school.test", "join", before="invite")], BOT) is None
    assert own_join([SimpleNamespace(), text("no source at all is no crash")], BOT) is None
