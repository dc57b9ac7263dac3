"""Withdrawing erased incidents' cards: a copy that cannot be redacted is kept and the call raises, so the queue of
erased incidents keeps it and the scheduled job tries again (pure: no homeserver needed)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from adapters.matrix.calls import MatrixCallFailed
from adapters.matrix.client import MatrixAdapter
from adapters.matrix.config import MatrixConfig, MatrixSecrets
from adapters.matrix.reviewers import ReviewerCards
from bot.texts.nl import DUTCH
from moderation.ports import CardAddress


class Memory(dict[str, str]):
    def set(self, key: str, value: str) -> None:
        self[key] = value


class Redactions:
    def __init__(self) -> None:
        self.broken_rooms: set[str] = set()
        self.done: list[str] = []

    async def __call__(self, room_id: str, event_id: str, reason: str) -> None:
        if room_id in self.broken_rooms:
            raise MatrixCallFailed(f"redact {event_id}", "403: M_FORBIDDEN")
        self.done.append(event_id)


async def _unused(*_: Any) -> str:
    raise AssertionError("withdrawing sends nothing")


async def test_a_copy_left_in_chat_raises_and_is_tried_again(tmp_path: Path) -> None:
    state, redact = Memory(), Redactions()
    cards = ReviewerCards(None, state, _unused, _unused, redact, DUTCH)  # type: ignore[arg-type]
    cards.remember(7, "jan", CardAddress("!dm-jan", "$card-jan"))
    cards.remember(7, "overview", CardAddress("!overview", "$card-overview"))
    adapter = MatrixAdapter(MatrixConfig("http://127.0.0.1:9", "@bot:test", tmp_path), MatrixSecrets("t"), state)
    adapter.enforcer = SimpleNamespace(reviewer_cards=cards)  # type: ignore[assignment]
    redact.broken_rooms.add("!dm-jan")
    with pytest.raises(MatrixCallFailed, match=r"copies of incident\(s\) \[7\] are still in chat"):
        await adapter.withdraw_cards([7])
    assert redact.done == ["$card-overview"] and list(cards.copies(7)) == ["jan"]
    redact.broken_rooms.clear()
    assert await adapter.withdraw_cards([7]) == 1
    assert redact.done == ["$card-overview", "$card-jan"] and cards.copies(7) == {}


async def test_before_start_copies_known_from_the_state_table_are_not_forgotten(tmp_path: Path) -> None:
    state = Memory()
    ReviewerCards(None, state, _unused, _unused, Redactions(), DUTCH).remember(
        7, "jan", CardAddress("!dm-jan", "$card")
    )  # type: ignore[arg-type]
    config = MatrixConfig("http://127.0.0.1:9", "@bot:test", tmp_path)
    idle = MatrixAdapter(config, MatrixSecrets("t"), state, review_service=object())  # type: ignore[arg-type]
    with pytest.raises(MatrixCallFailed, match="not running"):
        await idle.withdraw_cards([7])
    assert await idle.withdraw_cards([8]) == 0  # nothing known about incident 8: nothing to do
