"""The incident card for the review channel: who, where, when, rule, category, excerpt, why, link, reviewers.

Pure text. Never names the reporter of a reported message: the card is read by staff, and the reporter's identity is
for school leadership only (it stays in the incident record).
"""

from __future__ import annotations

from collections.abc import Callable

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
