"""The incident card for the review channel: who, where, when, rule, category, excerpt, why, link, reviewers.

Pure text. `render_card` (the first card in the review channel) never names the reporter of a reported message; the
reporter's identity is for school leadership only. `render_review_card` shows a stored incident as `ReviewService`
rendered it for one viewer (the reporter included only when that viewer is leadership).
"""

from __future__ import annotations

from collections.abc import Callable

from moderation.incidents.cards import Card, render_text
from moderation.model import Category, PersonId
from moderation.ports import IncidentRef

CARD_LIMIT = 2000  # Discord's message length limit for bots
EXCERPT_LIMIT = 500


def _quote(text: str, limit: int) -> str:
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    # Break code fences and mass mentions so the excerpt can only be read, never act (mentions are off anyway).
    cut = cut.replace("```", "`\u200b``").replace("@everyone", "@\u200beveryone").replace("@here", "@\u200bhere")
    return "\n".join(f"> {line}" for line in cut.splitlines() or [""])


def render_card(incident: IncidentRef, person_name: Callable[[PersonId], str]) -> str:
    draft = incident.draft
    message, verdict = draft.message, draft.verdict
    if draft.author is not None:
        who = f"{draft.author.name} ({draft.author.role.value})"
    else:
        who = f"{message.author_name or 'unknown account'} (Discord {message.author or '-'}, not in the roster)"
    reviewers = ", ".join(f"{person_name(r.person_id)} ({r.reason})" for r in draft.reviewers) or "nobody (unrouted)"
    lines = [
        f"**Incident R-{incident.id}** · {verdict.rule_id} · {verdict.category.value} · "
        f"severity {verdict.severity.name.lower()}" + (" · possible criminal offence" if verdict.criminal else ""),
        f"**Who:** {who}",
        f"**Where:** #{draft.room_name}",
        f"**When:** <t:{int(message.sent_at.timestamp())}:f>" + (" (edited)" if message.is_edit else ""),
    ]
    if verdict.category is not Category.PERMISSION_DRIFT:
        lines.append("**Excerpt:**" + (" (forwarded)" if message.is_forward else ""))
        lines.append(_quote(message.text, EXCERPT_LIMIT) if message.text else "> (no text)")
        if message.has_media:
            lines.append("(with attachments)")
    lines.append(f"**Why:** {verdict.explanation}")
    if message.link:
        lines.append(f"**Link:** {message.link}")
    lines.append(f"**Reviewers:** {reviewers}")
    card = "\n".join(lines)
    return card if len(card) <= CARD_LIMIT else card[: CARD_LIMIT - 1] + "…"


def _neutralise(text: str) -> str:
    return text.replace("```", "`\u200b``").replace("@everyone", "@\u200beveryone").replace("@here", "@\u200bhere")


def render_review_card(card: Card) -> str:
    """A stored incident as a reviewer sees it (`cards.render_text`: the reporter only when `card` carries one, i.e.
    for school leadership), in a code block so the columns line up; the jump link after it, clickable."""
    body = _neutralise(render_text(card, with_commands=False))
    tail = f"\n{card.link}" if card.link else ""
    room = CARD_LIMIT - len(tail) - len("```\n\n```")
    if len(body) > room:
        body = body[: room - 1] + "…"
    return f"```\n{body}\n```{tail}"


def split_message(text: str, limit: int = CARD_LIMIT) -> list[str]:
    """Split at line ends into messages of at most `limit` characters (an over-long line is cut)."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
