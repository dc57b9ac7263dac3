"""`!login` (Matrix, in the reviewer's own direct room with the bot) and `/login` (Discord, answered only to them):
the answer is a one-time link to the desk, for reviewers on the roster only. Platform-neutral; each adapter hooks
it in where its private commands arrive."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from moderation.model import AccountId, Platform
from moderation.texts import Phrase, Texts

# Who asks (platform, account) → their sign-in link, or None when they are no reviewer. It writes to the database:
# the adapters call it off the event loop.
LinkFor = Callable[[Platform, AccountId], str | None]
DirectCommand = Callable[[Platform, str, str, str], Awaitable[str | None]]

COMMAND = "!login"


def is_login(text: str) -> bool:
    return text.strip().casefold() == COMMAND


def login_answer(link: str | None, minutes: int, texts: Texts) -> str:
    if link is None:
        return texts.phrase(Phrase.LOGIN_REFUSED)
    return texts.phrase(Phrase.LOGIN_LINK).format(link=link, minutes=minutes)


def with_login(
    links: LinkFor,
    minutes: int,
    run: Callable[[Callable[[], str]], Awaitable[str]],
    then: DirectCommand | None,
    texts: Texts,
) -> DirectCommand:
    """A direct-room command handler that answers `!login` and hands every other text to `then`."""

    async def handle(platform: Platform, author: str, text: str, event_id: str) -> str | None:
        if is_login(text):
            return await run(lambda: login_answer(links(platform, AccountId(author)), minutes, texts))
        return await then(platform, author, text, event_id) if then is not None else None

    return handle
