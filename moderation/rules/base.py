"""What every rule gets and returns. Rules decide; they never act."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from moderation.model import Classification, Message, Person, Verdict
from moderation.policy import RoomPolicy


@dataclass(frozen=True, slots=True)
class RuleContext:
    policy: RoomPolicy
    author: Person | None  # None: the account is not in the roster
    may_post: bool  # the author may post in this room (always True outside announcement rooms)
    classification: Classification | None  # None: no classifier configured (the Judge warns at start), or no text


class Rule(Protocol):
    name: str

    def evaluate(self, message: Message, context: RuleContext) -> Verdict | None: ...
