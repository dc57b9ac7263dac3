"""The Matrix adapter: matrix-nio against a homeserver, with end-to-end encryption (vodozemac)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.matrix.client import MatrixAdapter
    from bot.app import Core


def build_adapter(core: Core) -> MatrixAdapter:
    """The adapter from the `[matrix]` settings, the login secret from the environment, the state table."""
    from adapters.matrix.client import MatrixAdapter
    from adapters.matrix.config import MatrixConfig, MatrixConfigError, read_secrets
    from moderation.incidents.review import ReviewService

    settings = core.settings.matrix
    if settings is None:
        raise MatrixConfigError("platform 'matrix' is enabled but the [matrix] settings are missing")
    config = MatrixConfig(
        homeserver=settings.homeserver,
        user_id=settings.user_id,
        device_name=settings.device_name,
        store_dir=core.settings.resolve_path(settings.store_dir),  # relative: next to the settings file
        review_room_id=settings.review_room,
        sync_timeout_ms=settings.sync_timeout_ms,
        one_to_one_check=settings.one_to_one_check,
    )
    review = ReviewService(core.sessions, lambda: core.directory, core.clock)
    return MatrixAdapter(
        config, read_secrets(os.environ), core.state, review_service=review, directory=lambda: core.directory
    )
