"""The Matrix adapter's settings and secrets (the composition root maps `[matrix]` onto them and reads the secrets
from the environment or from `*_FILE` paths)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from adapters.base import AdapterConfigError

TOKEN_ENV = "SCHOOLWACHT_MATRIX_TOKEN"
ADMIN_TOKEN_ENV = "SCHOOLWACHT_MATRIX_ADMIN_TOKEN"  # optional: R9's one-to-one check through the admin API
PASSWORD_ENV = "SCHOOLWACHT_MATRIX_PASSWORD"


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str  # "https://matrix.school.nl"
    user_id: str  # the bot's account: "@schoolwacht:school.nl"
    store_dir: Path  # the device id and the end-to-end key store live here
    device_name: str = "schoolwacht"
    review_room_id: str | None = None  # leadership's overview: every incident card (reviewers get theirs by DM)
    sync_timeout_ms: int = 30_000  # long-poll: the server answers as soon as something happens
    staff_level: int = 50  # the power level that may post in announcement rooms
    bot_level: int = 100  # the bot's own level: enough to redact and to keep the levels
    max_backoff_s: float = 30.0  # reconnect backoff ceiling while the homeserver is down
    action_attempts: int = 4  # tries for a redaction/notice on transport errors and 5xx answers
    rate_limit_retries: int = 20  # M_LIMIT_EXCEEDED answers retried (after retry_after_ms) before giving up
    undecryptable_batches: int = 20  # sync batches to wait for a missing room key before giving up on an event
    auto_join: frozenset[str] = field(default_factory=frozenset)  # rooms to accept invites for (besides configured)
    encrypt_direct_rooms: bool = True  # new direct rooms (notices, reviewers' cards) are end-to-end encrypted
    one_to_one_check: bool = False  # R9: staff-student pair rooms reported to leadership (needs an admin token)
    read_reactions: bool = True  # announcement rooms take reactions, for "Gelezen ✓" (✅ on a teacher's post)


class MatrixConfigError(AdapterConfigError):
    pass


@dataclass(frozen=True)
class MatrixSecrets:
    access_token: str | None = None
    password: str | None = None
    admin_token: str | None = None  # a server admin's token, only for R9's one-to-one check

    def __repr__(self) -> str:  # never print a secret into a log
        token = "***" if self.access_token else None
        password = "***" if self.password else None
        admin = "***" if self.admin_token else None
        return f"MatrixSecrets(access_token={token}, password={password}, admin_token={admin})"
