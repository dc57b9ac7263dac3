"""Enforcers that belong to the core: dry-run (records what it would have done) and a recorder for the console."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from moderation.model import Message
from moderation.ports import Enforcer, IncidentRef


@dataclass
class DryRunEnforcer:
    """Takes no action on the platform; remembers what it would have done. Reviewers still get the card, marked."""

    NOT_DONE: ClassVar[str] = "dry run: not done"  # what an incident's history says of a recorded consequence

    inner: Enforcer | None = None
    would_have: list[str] = field(default_factory=list)

    async def delete(self, message: Message, reason: str) -> None:
        self.would_have.append(f"delete {message.target_id} in {message.room_id}: {reason}")

    async def notify_sender(self, message: Message, text: str) -> None:
        self.would_have.append(f"notify {message.author}: {text}")

    async def announce(self, incident: IncidentRef) -> None:
        self.would_have.append(f"announce incident #{incident.id}")
        if self.inner is not None:
            await self.inner.announce(incident)
