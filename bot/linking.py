"""Self-service account linking, built from `[smtp]` and attached to the adapters that take it: `!koppel` in a
Matrix direct room with the bot, `/koppel` on Discord."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from adapters.base import Adapter
from adapters.smtp import SmtpMailer
from moderation.model import Platform
from moderation.roster.linking import AccountLinking

if TYPE_CHECKING:
    from bot.app import Core

Commands = Callable[[Platform, str, str, str], Awaitable[str | None]]


@runtime_checkable
class TakesDirectCommands(Protocol):
    """The Matrix adapter: commands typed in a person's direct room with the bot."""

    direct_commands: Commands | None


@runtime_checkable
class TakesLinkCommands(Protocol):
    """The Discord adapter: the /koppel and /ontkoppel slash commands."""

    link_commands: Commands | None


def build_linking(core: Core) -> AccountLinking | None:
    """None without `[smtp]`: codes cannot be sent, so nobody can link themselves."""
    smtp = core.settings.smtp
    if smtp is None:
        return None
    mailer = SmtpMailer(
        smtp.host,
        smtp.port,
        smtp.sender,
        starttls=smtp.starttls,
        user=smtp.user,
        password=smtp.password(),
        timeout_s=smtp.timeout_s,
    )
    return AccountLinking(
        core.sessions, core.clock, mailer, on_change=core.reload_directory, texts=core.moderator.texts.linking
    )


def first_answer(*handlers: Commands) -> Commands:
    """Several command handlers of one private chat as one: the first that knows the command answers it."""

    async def handle(platform: Platform, account: str, text: str, command_id: str = "") -> str | None:
        for handler in handlers:
            reply = await handler(platform, account, text, command_id)
            if reply is not None:
                return reply
        return None

    return handle


def attach_link_commands(core: Core, adapters: Sequence[Adapter]) -> AccountLinking | None:
    """Before the adapters start (and after the other direct-room commands are attached)."""
    linking = build_linking(core)
    if linking is None:
        return None
    for adapter in adapters:
        if isinstance(adapter, TakesLinkCommands):  # Discord: `/koppel`, answered to the asker alone
            adapter.link_commands = linking.handle
        if isinstance(adapter, TakesDirectCommands):  # `!koppel` in a direct room (or DM) with the bot
            earlier = adapter.direct_commands
            adapter.direct_commands = linking.handle if earlier is None else first_answer(linking.handle, earlier)
    return linking
