"""Review cards going out on Discord: the card port (a reviewer's copy by DM, edited in place, withdrawn by clearing
it) and the daily digest by DM.

Where the cards go, and why (AVG, R12): a card in a channel is read by everyone who can see that channel, while a
mentor may only see their own students' incidents. So every routed incident goes to each of its reviewers as a
direct message, as the ReviewService shows it to that reviewer. The review channel's overview card is posted by the
enforcer with the first announcement; the ledger keeps it up to date like every other copy. A reviewer whose DMs are
closed, or who has no Discord account, still finds their incidents in the daily digest and `schoolwacht incidents`.
"""

from __future__ import annotations

import logging

import discord
from discord.utils import MISSING

from adapters.discord.card import render_review_card, split_message
from adapters.discord.review_view import card_view
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


class DiscordCards:
    def __init__(self, client: discord.Client, texts: Texts) -> None:
        self._client = client
        self._texts = texts

    def reaches(self, person: Person) -> bool:
        return discord_account(person) is not None

    async def send(self, viewer: Person | None, card: Card, *, key: str | None = None) -> CardAddress | None:
        """A reviewer's copy by DM. A closed DM or a server left is the reviewer's choice, logged only; any other
        failure (Discord still failing after discord.py's retries) raises. The overview is the enforcer's."""
        account = discord_account(viewer) if viewer is not None else None
        if account is None:
            return None
        try:
            channel = await self._dm_channel(account)
            sent = await channel.send(
                render_review_card(card, self._texts),
                view=card_view(card, self._texts) or MISSING,
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as exc:
            log.warning("incident #%s: could not DM the card to %s: %s", card.id, account, exc)
            if exc.code in UNREACHABLE:
                return None
            raise CardFailed(f"{exc.status} {exc.text or exc.code}") from exc
        return CardAddress(str(channel.id), str(sent.id))

    async def edit(self, where: CardAddress, card: Card) -> CardAddress | None:
        message = self._message(where)
        try:
            await message.edit(content=render_review_card(card, self._texts), view=card_view(card, self._texts))
        except discord.NotFound:
            return None
        except discord.HTTPException as exc:
            raise CardFailed(f"{exc.status} {exc.text or exc.code}") from exc
        return where

    async def withdraw(self, where: CardAddress, notice: str) -> None:
        """The copy keeps only `notice`, without buttons (Discord keeps no visible edit history)."""
        try:
            await self._message(where).edit(content=notice, view=None)
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
