"""Incident cards as Matrix message contents. Pure.

`card_content`: the overview room's card (short lines that read well on a phone: who, where, when, the protocol
rule, the category, an excerpt, why, and who reviews it; never the reporter). `review_card_content`: a reviewer's
own card in their direct room, rendered by the core for that viewer (the reporter for school leadership only).
`combined_card_content`: a burst's incidents in one message, each card whole, with its own number and commands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from moderation.incidents.cards import Card, render_html, render_text, shown
from moderation.model import PersonId
from moderation.ports import IncidentRef
from moderation.texts import Phrase, Texts

EXCERPT_CHARS = 280


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(shown(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def card_lines(incident: IncidentRef, person_name: Callable[[PersonId], str], texts: Texts) -> list[tuple[str, str]]:
    draft = incident.draft
    message, verdict = draft.message, draft.verdict
    word = texts.phrase
    who = (
        draft.author.name if draft.author else f"{message.author_name or message.author} ({word(Phrase.NOT_ON_ROSTER)})"
    )
    if draft.author:
        who = f"{who} ({message.author})"
    reviewers = ", ".join(f"{person_name(r.person_id)} ({texts.reason(r.reason)})" for r in draft.reviewers)
    marks = (f" [{word(Phrase.WITH_MEDIA)}]" if message.has_media else "") + (
        f" [{word(Phrase.EDITED)}]" if message.is_edit else ""
    )
    why = texts.why(verdict.category.value, verdict.explanation, None)
    lines = [
        (word(Phrase.LABEL_INCIDENT), f"#{incident.id}"),
        (word(Phrase.LABEL_WHAT), f"{texts.category(verdict.category.value)} · {texts.severity(verdict.severity)}"),
        (word(Phrase.LABEL_WHO), who),
        (word(Phrase.LABEL_WHERE), draft.room_name or message.room_id),
        (word(Phrase.LABEL_WHEN), message.sent_at.astimezone(texts.zone).strftime("%d-%m-%Y %H:%M")),
        (word(Phrase.LABEL_MESSAGE), excerpt(message.text) + marks),
        (word(Phrase.LABEL_WHY), f"{why} ({word(Phrase.SCHOOL_RULE).format(rule=verdict.rule_id)})"),
        (word(Phrase.LABEL_REVIEWERS), reviewers or word(Phrase.NOBODY_ROUTED)),
    ]
    if verdict.criminal:
        lines.append((word(Phrase.LABEL_ATTENTION), word(Phrase.CRIMINAL)))
    if message.link:
        lines.append((word(Phrase.LABEL_LINK), message.link))
    if (desk := texts.desk_link(incident.id)) is not None:
        lines.append((word(Phrase.LABEL_DESK), desk))
    return [(label, shown(value)) for label, value in lines]


def card_content(incident: IncidentRef, person_name: Callable[[PersonId], str], texts: Texts) -> dict[str, str]:
    """An `m.notice` content with a plain body and an HTML rendering."""
    lines = card_lines(incident, person_name, texts)
    body = "\n".join(f"{label}: {value}" for label, value in lines)
    desk = texts.desk_link(incident.id)
    html = "<br>".join(
        f"<b>{escape(label)}:</b> "
        + (f'<a href="{escape(value, quote=True)}">{escape(value)}</a>' if value == desk else escape(value))
        for label, value in lines
    )
    return {"msgtype": "m.notice", "body": body, "format": "org.matrix.custom.html", "formatted_body": html}


def review_card_content(card: Card, texts: Texts) -> dict[str, str]:
    """One reviewer's own card (rendered by the core for that viewer, with the review commands), as `m.notice`."""
    return {
        "msgtype": "m.notice",
        "body": render_text(card, texts),
        "format": "org.matrix.custom.html",
        "formatted_body": render_html(card, texts),
    }


def combined_card_content(cards: Sequence[Card], texts: Texts) -> dict[str, str]:
    """Several incidents' cards in one `m.notice`: a title, how reactions work on it, then each card whole."""
    title = texts.phrase(Phrase.COMBINED_TITLE).format(n=len(cards))
    hint = texts.phrase(Phrase.COMBINED_REACTIONS)
    body = "\n\n".join([f"{title}\n{hint}", *(render_text(card, texts) for card in cards)])
    html = f"<p><b>{escape(title)}</b><br>{escape(hint)}</p>" + "<hr>".join(render_html(c, texts) for c in cards)
    return {"msgtype": "m.notice", "body": body, "format": "org.matrix.custom.html", "formatted_body": html}


def replacement(event_id: str, content: dict[str, str]) -> dict[str, Any]:
    """An edit (`m.replace`) of message `event_id` to `content`; clients show the new content in its place."""
    fallback = {key: value for key, value in content.items() if key != "formatted_body"}
    fallback["body"] = "* " + content["body"]
    fallback.pop("format", None)
    return {**fallback, "m.new_content": content, "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}}
