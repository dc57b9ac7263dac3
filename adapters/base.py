"""What every platform adapter offers the composition root."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from moderation.incidents.review import ReviewResult
from moderation.model import Platform
from moderation.pipeline import Moderator


class AdapterConfigError(ValueError):
    """A setting or secret an adapter needs is missing or wrong; the message is for the admin who fixes it."""


class AdapterStartError(RuntimeError):
    """The platform would not let the adapter start (a refused login, missing permissions); worded for the admin."""


class Adapter(Protocol):
    platform: Platform

    async def start(self, moderator: Moderator) -> None:
        """Connect and start the background loops; return once running."""
        ...

    async def reconcile(self) -> None:
        """Re-check the announcement rooms' settings and restore any drift (R10). Also scheduled by the app."""
        ...

    async def wait_closed(self) -> None:
        """Return when the adapter has stopped on its own (end of input, fatal error) or was stopped."""
        ...

    async def stop(self) -> None: ...


@runtime_checkable
class Connection(Protocol):
    """How a platform stands with its server, from the adapter's own state (for /healthz and /metrics)."""

    def connected(self) -> bool:
        """Running, and the last exchange with the server went well."""
        ...

    def sync_lag(self) -> float | None:
        """Seconds the bot may be behind its server now; None while unknown (not started)."""
        ...


@runtime_checkable
class CardFollower(Protocol):
    """A platform whose chat cards follow a review change made on another front end (the desk)."""

    async def follow_review(self, result: ReviewResult) -> list[str]:
        """Every copy of the card shows the change; reviewers it added get theirs. What failed (empty: all went)."""
        ...
