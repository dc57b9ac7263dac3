"""The incident card for the review channel: what, who, where, when, the message, why, link, reviewers.

Pure text. `render_card` (the first card in the review channel) never names the reporter of a reported message; the
reporter's identity is for school leadership only. `render_review_card` shows a stored incident as `ReviewService`
rendered it for one viewer (the reporter included only when that viewer is leadership).
"""

from __future__ import annotations

from collections.abc import Callable

from moderation.incidents.cards import Card, render_text
from moderation.model import Category, PersonId
from moderation.ports import IncidentRef
from moderation.shortening import cut
from moderation.texts import Phrase, Texts

CARD_LIMIT = 2000  # Discord's message length limit for bots
EXCERPT_LIMIT = 500


def _quote(text: str, limit: int) -> str:
    shown = cut(text, limit)
    # Break code fences and mass mentions so the excerpt can only be read, never act (mentions are off anyway).
    shown = shown.replace("```", "`\u200b``").replace("@everyone", "@\u200beveryone").replace("@here", "@\u200bhere")
    return "\n".join(f"> {line}" for line in shown.splitlines() or [""])


def render_card(incident: IncidentRef, person_name: Callable[[PersonId], str], texts: Texts) -> str:
    """The overview's first card, from what the pipeline knows (no reporter: leadership's own DMs show that)."""
    draft = incident.draft
    message, verdict = draft.message, draft.verdict
    word = texts.phrase
    if draft.author is not None:
        who = draft.author.name
    else:
        who = f"{message.author_name or message.author or '-'} ({word(Phrase.NOT_ON_ROSTER)})"
    reviewers = ", ".join(f"{person_name(r.person_id)} ({texts.reason(r.reason)})" for r in draft.reviewers)
    edited = f" ({word(Phrase.EDITED)})" if message.is_edit else ""
    lines = [
        f"**{word(Phrase.INCIDENT).format(n=incident.id)}**: {texts.category(verdict.category.value)} · "
        + texts.severity(verdict.severity),
        f"**{word(Phrase.LABEL_WHO)}:** {who}",
        f"**{word(Phrase.LABEL_WHERE)}:** #{draft.room_name}",
        f"**{word(Phrase.LABEL_WHEN)}:** <t:{int(message.sent_at.timestamp())}:f>{edited}",
    ]
    if verdict.category is not Category.PERMISSION_DRIFT:
        forwarded = f" ({word(Phrase.FORWARDED)})" if message.is_forward else ""
        lines.append(f"**{word(Phrase.LABEL_MESSAGE)}:**{forwarded}")
        lines.append(_quote(message.text, EXCERPT_LIMIT) if message.text else f"> {word(Phrase.NO_TEXT)}")
        if message.has_media:
            lines.append(f"({word(Phrase.WITH_MEDIA)})")
    why = texts.why(verdict.category.value, verdict.explanation, None)
    lines.append(f"**{word(Phrase.LABEL_WHY)}:** {why} ({word(Phrase.SCHOOL_RULE).format(rule=verdict.rule_id)})")
    if verdict.criminal:
        lines.append(f"**{word(Phrase.LABEL_ATTENTION)}:** {word(Phrase.CRIMINAL)}")
    if message.link:
        lines.append(f"**{word(Phrase.LABEL_LINK)}:** {message.link}")
    if (desk := texts.desk_link(incident.id)) is not None:
        lines.append(f"**{word(Phrase.LABEL_DESK)}:** {desk}")
    lines.append(f"**{word(Phrase.LABEL_REVIEWERS)}:** {reviewers or word(Phrase.NOBODY_ROUTED)}")
    card = "\n".join(lines)
    return cut(card, CARD_LIMIT)


def neutralise(text: str) -> str:
    """Code fences and mass mentions broken up, so that a quoted message can only be read."""
    return text.replace("```", "`\u200b``").replace("@everyone", "@\u200beveryone").replace("@here", "@\u200bhere")


def render_review_card(card: Card, texts: Texts) -> str:
    """A stored incident as a reviewer sees it (`cards.render_text`: the reporter only when `card` carries one, i.e.
    for school leadership), in a code block so the columns line up; the jump link after it, clickable."""
    body = neutralise(render_text(card, texts, with_commands=False))
    links = [link for link in (card.link, texts.desk_link(card.id)) if link]  # outside the block: clickable
    tail = "".join(f"\n{link}" for link in links)
    room = CARD_LIMIT - len(tail) - len("```\n\n```")
    return f"```\n{cut(body, room)}\n```{tail}"


def split_message(text: str, limit: int = CARD_LIMIT) -> list[str]:
    """Split at line ends into messages of at most `limit` characters (an over-long line is cut)."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        line = cut(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
