"""A burst's combined card on Discord: several incidents for one viewer in one message. Pure.

The message says what it is in its text; each incident is a section of its own, an embed with the incident's title
and its card in a code block (the columns line up, the excerpt can only be read), its links clickable after it. The
buttons are review_view.combined_view's, one row per incident. Discord's limits (docs/resources/Message.md): at most
10 embeds, a title of 256 characters, a description of 4096, and 6000 characters over every embed of a message;
five action rows. So a combined message holds at most MOST incidents, each section cut to its share of the 6000.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from adapters.discord.card import CARD_LIMIT, neutralise
from adapters.discord.review_view import MAX_ROWS
from moderation.incidents.cards import Card, render_text
from moderation.shortening import cut
from moderation.texts import Phrase, Texts

MOST = MAX_ROWS  # incidents on one combined message: one row of buttons each
EMBED_TOTAL, TITLE_LIMIT, DESCRIPTION_LIMIT = 6000, 256, 4096
FENCE = "```"


def groups(numbers: Sequence[int], most: int = MOST) -> list[list[int]]:
    """Incidents in the order given, in messages of at most `most`."""
    return [list(numbers[i : i + most]) for i in range(0, len(numbers), most)]


def combined_content(cards: Sequence[Card], texts: Texts) -> tuple[str, list[discord.Embed]]:
    """The message's text (what it is, how its buttons work) and one embed per incident."""
    if not 1 <= len(cards) <= MOST:
        raise ValueError(f"a combined card holds 1 to {MOST} incidents, not {len(cards)}")
    heading = f"**{texts.phrase(Phrase.COMBINED_TITLE).format(n=len(cards))}**\n{texts.phrase(Phrase.COMBINED_BUTTONS)}"
    titles = [cut(f"⚑ {texts.card_title(card)}", TITLE_LIMIT) for card in cards]
    share = min(DESCRIPTION_LIMIT, (EMBED_TOTAL - sum(map(len, titles))) // len(cards))
    embeds = [
        discord.Embed(title=title, description=_section(card, texts, share))
        for title, card in zip(titles, cards, strict=True)
    ]
    return heading[:CARD_LIMIT], embeds


def _section(card: Card, texts: Texts, limit: int) -> str:
    """One incident's card without its title line (the embed's title), in a code block, then its links."""
    lines = render_text(card, texts, with_commands=False).splitlines()[1:]
    body = neutralise("\n".join(line.removeprefix("  ") for line in lines))
    links = [link for link in (card.link, texts.desk_link(card.id)) if link]
    tail = "".join(f"\n{link}" for link in links)
    room = limit - len(tail) - len(f"{FENCE}\n\n{FENCE}")
    if room < 40:  # no room for the links: the card itself matters more
        tail, room = "", limit - len(f"{FENCE}\n\n{FENCE}")
    return f"{FENCE}\n{cut(body, room)}\n{FENCE}{tail}"
