"""Incident cards as Matrix message contents. Pure.

`card_content`: the overview room's card (short lines that read well on a phone: who, where, when, the protocol
rule, the category, an excerpt, why, and who reviews it; never the reporter). `review_card_content`: a reviewer's
own card in their direct room, rendered by the core for that viewer (the reporter for school leadership only).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from moderation.incidents.cards import Card, render_html, render_text, shown
from moderation.model import PersonId
from moderation.ports import IncidentRef

EXCERPT_CHARS = 280


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(shown(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def card_lines(incident: IncidentRef, person_name: Callable[[PersonId], str]) -> list[tuple[str, str]]:
    draft = incident.draft
    message, verdict = draft.message, draft.verdict
    who = draft.author.name if draft.author else (message.author_name or message.author)
    if draft.author:
        who = f"{who} ({message.author})"
    reviewers = ", ".join(f"{person_name(r.person_id)} ({r.reason})" for r in draft.reviewers) or "school leadership"
    marks = (" [media]" if message.has_media else "") + (" [edit]" if message.is_edit else "")
    lines = [
        ("Incident", f"#{incident.id}"),
        ("Who", who),
        ("Where", draft.room_name or message.room_id),
        ("When", message.sent_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Rule", f"{verdict.rule_id} · {verdict.category.value} · severity {verdict.severity.name.lower()}"),
        ("Message", excerpt(message.text) + marks),
        ("Why", verdict.explanation),
        ("Reviewers", reviewers),
    ]
    if verdict.criminal:
        lines.append(("Note", "possible criminal offence: school leadership decides about the police"))
    if message.link:
        lines.append(("Link", message.link))
    return [(label, shown(value)) for label, value in lines]


def card_content(incident: IncidentRef, person_name: Callable[[PersonId], str]) -> dict[str, str]:
    """An `m.notice` content with a plain body and an HTML rendering."""
    lines = card_lines(incident, person_name)
    body = "\n".join(f"{label}: {value}" for label, value in lines)
    html = "<br>".join(f"<b>{escape(label)}:</b> {escape(value)}" for label, value in lines)
    return {"msgtype": "m.notice", "body": body, "format": "org.matrix.custom.html", "formatted_body": html}


def review_card_content(card: Card) -> dict[str, str]:
    """One reviewer's own card (rendered by the core for that viewer, with the review commands), as `m.notice`."""
    return {
        "msgtype": "m.notice",
        "body": render_text(card),
        "format": "org.matrix.custom.html",
        "formatted_body": render_html(card),
    }


def replacement(event_id: str, content: dict[str, str]) -> dict[str, Any]:
    """An edit (`m.replace`) of message `event_id` to `content`; clients show the new content in its place."""
    fallback = {key: value for key, value in content.items() if key != "formatted_body"}
    fallback["body"] = "* " + content["body"]
    fallback.pop("format", None)
    return {**fallback, "m.new_content": content, "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}}
