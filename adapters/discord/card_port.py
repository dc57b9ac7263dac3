"""Review cards going out on Discord: the card port (a reviewer's copy by DM, edited in place, withdrawn by clearing
it; a burst's cards for one viewer as one combined message) and the daily digest by DM.

Where the cards go, and why (AVG, R12): a card in a channel is read by everyone who can see that channel, while a
mentor may only see their own students' incidents. So every routed incident goes to each of its reviewers as a
direct message, as the ReviewService shows it to that reviewer. The review channel's overview card is posted by the
enforcer with the first announcement; the ledger keeps it up to date like every other copy. A reviewer whose DMs are
closed, or who has no Discord account, still finds their incidents in the daily digest and `schoolwacht incidents`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence

import discord
from discord.utils import MISSING

from adapters.discord.card import render_review_card, split_message
from adapters.discord.combined_card import combined_content
from adapters.discord.pacing import Pace
from adapters.discord.review_view import card_view, combined_view
from moderation.digest import Digest
from moderation.incidents.card_locations import LedgerKeys
from moderation.incidents.cards import Card
from moderation.model import Person, Platform
from moderation.ports import CardAddress, CardFailed
from moderation.texts import Texts

log = logging.getLogger(__name__)

KEYS = LedgerKeys(copies="discord:cards:", by_message="discord:card:", listing="discord:cards:index")
NO_MENTIONS = discord.AllowedMentions.none()
CANNOT_DM = 50007  # "Cannot send messages to this user": the reviewer closed their DMs
NO_MUTUAL_GUILDS = 50278  # the reviewer left the server: no DM reaches them
UNREACHABLE = frozenset({CANNOT_DM, NO_MUTUAL_GUILDS})


def discord_account(person: Person) -> int | None:
    for account in person.accounts:
        if account.platform is Platform.DISCORD and account.id.isascii() and account.id.isdigit():
            return int(account.id)
    return None


def nonce(key: str | None) -> str:
    """Discord's nonce for a send that must not happen twice (25 characters at most): discord.py sends it with
    `enforce_nonce`, so the same send again within a few minutes returns the first message instead of a second.
    Without a key, a random one (as discord.py's own)."""
    return hashlib.sha256(key.encode()).hexdigest()[:25] if key else secrets.token_hex(12)


class DiscordCards:
    def __init__(
        self, client: discord.Client, texts: Texts, overview_channel: int | None = None, pace: Pace | None = None
    ) -> None:
        self._client = client
        self._texts = texts
        self._overview = overview_channel  # school leadership's review channel (None: no overview)
        self._pace = pace or Pace(0, 1)  # below Discord's global limit: the deletions go first

    def reaches(self, person: Person) -> bool:
        return discord_account(person) is not None

    async def send(self, viewer: Person | None, card: Card, *, key: str | None = None) -> CardAddress | None:
        """A reviewer's copy by DM (None: the overview's, in the review channel). A closed DM or a server left is
        the reviewer's choice, logged only; any other failure (Discord still failing after discord.py's retries)
        raises."""
        content, view = render_review_card(card, self._texts), card_view(card, self._texts)
        return await self._send(viewer, content, [], view, key, f"incident #{card.id}")

    async def send_together(self, viewer: Person | None, cards: Sequence[Card], *, key: str) -> CardAddress | None:
        """A burst's cards for one viewer in one message: a section and a row of buttons per incident."""
        content, embeds = combined_content(cards, self._texts)
        view = combined_view(cards, self._texts)
        return await self._send(viewer, content, embeds, view, key, f"incidents {[c.id for c in cards]}")

    async def _send(
        self,
        viewer: Person | None,
        content: str,
        embeds: list[discord.Embed],
        view: discord.ui.View | None,
        key: str | None,
        what: str,
    ) -> CardAddress | None:
        account = discord_account(viewer) if viewer is not None else None
        if account is None and (viewer is not None or self._overview is None):
            return None
        try:
            channel: discord.abc.Messageable
            if account is None:
                channel = self._client.get_partial_messageable(self._overview or 0)
            else:
                channel = await self._dm_channel(account)
            await self._pace.take()
            sent = await channel.send(
                content,
                embeds=embeds or MISSING,
                view=view or MISSING,
                allowed_mentions=NO_MENTIONS,
                nonce=nonce(key),
            )
        except discord.HTTPException as exc:
            log.warning("%s: could not send the card to %s: %s", what, account or "the overview", exc)
            if account is not None and exc.code in UNREACHABLE:
                return None
            raise CardFailed(f"{exc.status} {exc.text or exc.code}") from exc
        return CardAddress(str(sent.channel.id), str(sent.id))

    async def edit(self, where: CardAddress, card: Card) -> CardAddress | None:
        content, view = render_review_card(card, self._texts), card_view(card, self._texts)
        return await self._edit(where, content, [], view)

    async def edit_together(self, where: CardAddress, cards: Sequence[Card]) -> CardAddress | None:
        content, embeds = combined_content(cards, self._texts)
        return await self._edit(where, content, embeds, combined_view(cards, self._texts))

    async def _edit(
        self, where: CardAddress, content: str, embeds: list[discord.Embed], view: discord.ui.View | None
    ) -> CardAddress | None:
        try:
            await self._pace.take()
            await self._message(where).edit(content=content, embeds=embeds, view=view)
        except discord.NotFound:
            return None
        except discord.HTTPException as exc:
            raise CardFailed(f"{exc.status} {exc.text or exc.code}") from exc
        return where

    async def withdraw(self, where: CardAddress, notice: str) -> None:
        """The copy keeps only `notice`, without sections or buttons (Discord keeps no visible edit history)."""
        try:
            await self._pace.take()
            await self._message(where).edit(content=notice, embeds=[], view=None)
        except discord.NotFound:
            pass  # deleted by hand: nothing left to clear
        except discord.HTTPException as exc:
            raise CardFailed(f"{exc.status} {exc.text or exc.code}") from exc

    async def send_digest(self, reviewer: Person, digest: Digest) -> bool:
        account = discord_account(reviewer)
        if account is None:
            return False
        try:
            channel = await self._dm_channel(account)
            for chunk in split_message(self._texts.digest(reviewer, digest)):
                await channel.send(chunk, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("discord: digest for %s not delivered: %s", reviewer.id, exc)
            return False
        return True

    async def _dm_channel(self, account: int) -> discord.DMChannel:
        user = self._client.get_user(account) or await self._client.fetch_user(account)
        return await user.create_dm()

    def _message(self, where: CardAddress) -> discord.PartialMessage:
        return self._client.get_partial_messageable(int(where.room)).get_partial_message(int(where.message))
