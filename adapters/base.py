"""What every platform adapter offers the composition root."""

from __future__ import annotations

from typing import Protocol

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
