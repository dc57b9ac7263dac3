"""Builds each platform's adapter from the settings: maps the TOML settings to the adapter's own config, reads its
secrets from the environment, and hands it the process's one review service, roster holder and state store.

Platform SDKs are imported only for the platforms that are enabled (a console-only install has neither)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from adapters.base import Adapter
from adapters.console import ConsoleAdapter, Writer
from adapters.console_review import ConsoleReview
from bot.secrets import SecretError, read_secret
from moderation.model import Platform
from moderation.ports import PersonalDataHook

if TYPE_CHECKING:
    from adapters.discord.client import DiscordAdapter
    from adapters.matrix.client import MatrixAdapter
    from adapters.matrix.config import MatrixSecrets
    from bot.app import Core


def personal_data_hooks() -> list[PersonalDataHook]:
    """Every adapter's own export and erasure of what it keeps about a person (for `schoolwacht privacy`), whether
    or not the platform is enabled now: data kept while it was still counts. Neither imports its platform's SDK."""
    from adapters.discord.person_data import discord_personal_data
    from adapters.matrix.person_data import matrix_personal_data

    return [matrix_personal_data(), discord_personal_data()]


def build_adapters(core: Core) -> list[Adapter]:
    adapters: list[Adapter] = []
    for name in core.settings.bot.platforms:
        if name == "console":
            adapters.append(console_adapter(core))
        elif name == "matrix":
            adapters.append(matrix_adapter(core))
        elif name == "discord":
            adapters.append(discord_adapter(core))
    return adapters


def console_adapter(core: Core, lines: Iterable[str] | None = None, out: Writer | None = None) -> ConsoleAdapter:
    """The console platform, with the review commands (`@jansen !resolve 2 …`) of the same roster."""
    writer = out or sys.stdout
    review = ConsoleReview(core.review, core.moderator.texts, writer.write)
    return ConsoleAdapter(lines=lines, out=writer, review=review)


def discord_adapter(core: Core, environ: Mapping[str, str] = os.environ) -> DiscordAdapter:
    """The adapter from the `[discord]` settings and the token from SCHOOLWACHT_DISCORD_TOKEN(_FILE), with the review
    side (reviewers' cards with buttons by DM, the digest) on the core's review service."""
    from adapters.discord.client import DiscordAdapter
    from adapters.discord.config import DiscordConfig, DiscordConfigError
    from adapters.discord.review import ReviewSetup

    settings = core.settings.discord
    if settings is None:
        raise DiscordConfigError("platform 'discord' is enabled but the [discord] settings are missing")
    config = DiscordConfig(
        guild_id=settings.guild_id,
        staff_role_id=settings.staff_role_id,
        review_channel_id=settings.review_channel_id,
        bot_posts_announcements=core.settings.zermelo is not None,
    )
    review = ReviewSetup(core.review, core.roster.current, core.state)
    return DiscordAdapter(config, discord_token(environ), review=review, state=core.state)


def discord_token(environ: Mapping[str, str]) -> str:
    """The bot token from SCHOOLWACHT_DISCORD_TOKEN or from the file named by SCHOOLWACHT_DISCORD_TOKEN_FILE."""
    from adapters.discord.config import TOKEN_ENV, TOKEN_FILE_ENV, TokenError

    try:
        token = read_secret(TOKEN_ENV, environ)
    except SecretError as exc:
        raise TokenError(f"Discord token: {exc}") from None
    if token is None:
        raise TokenError(f"no Discord token: set {TOKEN_ENV} or {TOKEN_FILE_ENV}")
    return token


def matrix_adapter(core: Core, environ: Mapping[str, str] = os.environ) -> MatrixAdapter:
    """The adapter from the `[matrix]` settings, the login secret from the environment, the state table."""
    from adapters.matrix.client import MatrixAdapter
    from adapters.matrix.config import MatrixConfig, MatrixConfigError

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
        read_reactions=settings.read_reactions,
    )
    back_off = core.back_offs.get(Platform.MATRIX)
    return MatrixAdapter(
        config,
        matrix_secrets(environ),
        core.state,
        review_service=core.review,
        directory=core.roster.current,
        rate_limited=(lambda seconds: back_off.limited(seconds, time.monotonic())) if back_off else None,
    )


def matrix_secrets(environ: Mapping[str, str]) -> MatrixSecrets:
    """The bot's login secret: an access token (preferred) or a password; and the optional admin token."""
    from adapters.matrix.config import ADMIN_TOKEN_ENV, PASSWORD_ENV, TOKEN_ENV, MatrixConfigError, MatrixSecrets

    try:
        secrets = MatrixSecrets(
            access_token=read_secret(TOKEN_ENV, environ),
            password=read_secret(PASSWORD_ENV, environ),
            admin_token=read_secret(ADMIN_TOKEN_ENV, environ),
        )
    except SecretError as exc:
        raise MatrixConfigError(f"Matrix login secret: {exc}") from None
    if not secrets.access_token and not secrets.password:
        raise MatrixConfigError(
            f"no Matrix login secret: set {TOKEN_ENV} (or {TOKEN_ENV}_FILE), or {PASSWORD_ENV} (or {PASSWORD_ENV}_FILE)"
        )
    return secrets
