"""The review card: everything a reviewer needs to judge an incident, as plain text and as simple HTML (Matrix).

Built from a stored incident and what the viewer may see (the reporter only for leadership). Platform adapters
reuse `render_text` / `render_html`; the commands shown are the console/Matrix ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape
from zoneinfo import ZoneInfo

from moderation.incidents.model import Incident
from moderation.model import CLOSED_STATUSES, PersonId

SCHOOL_TZ = ZoneInfo("Europe/Amsterdam")
# C0 and C1 control characters (line breaks and tabs aside) and the bidi overrides that reorder text on screen:
# a reviewer must read what was written, not what a terminal or chat client makes of it.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

ESCALATION_TEXT = {
    "coordinator": "escalated to the anti-bullying coordinator",
    "leadership": "escalated to school leadership",
    "police": "possible criminal offence: school leadership decides about the police",
}


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    status: str
    platform: str
    room: str
    when: datetime
    author: str  # "Sanne Bakker (sanne)" or the platform account when the author is not on the roster
    rule_id: str
    category: str
    severity: int
    score: float
    scores: tuple[tuple[str, float], ...]
    explanation: str
    excerpt: str | None
    link: str | None
    criminal: bool
    escalation: str | None
    reviewers: tuple[str, ...]  # "Meneer Jansen (mentor)"
    target: str | None = None
    case_id: int | None = None
    outcome: str | None = None  # for closed incidents: note, measure, parents informed
    reporter: str | None = None  # only filled in for leadership
    erased: bool = False


def card_from_row(row: Incident, name_of: Callable[[PersonId], str], *, show_reporter: bool) -> Card:
    def person(pid: str | None, account: str | None) -> str:
        if pid:
            name = name_of(PersonId(pid))
            return f"{name} ({pid})" if name != pid else pid
        return f"{account} (not on the roster)" if account else "unknown"

    return Card(
        id=row.id,
        status=row.status,
        platform=row.platform,
        room=row.room_name,
        when=row.created_at,
        author=person(row.author_person_id, row.author_account),
        rule_id=row.rule_id,
        category=row.category,
        severity=row.severity,
        score=row.score,
        scores=tuple(sorted((row.scores or {}).items(), key=lambda kv: -kv[1])),
        explanation=row.explanation,
        excerpt=row.excerpt,
        link=row.message_link,
        criminal=row.criminal,
        escalation=row.escalation,
        reviewers=tuple(f"{name_of(PersonId(r.person_id))} ({r.reason})" for r in row.reviewers),
        target=person(row.target_person_id, row.target_account) if row.target_person_id or row.target_account else None,
        case_id=row.case_id,
        outcome=_outcome(row),
        reporter=(row.reported_by or None) if show_reporter else None,
        erased=row.erased_at is not None,
    )


def shown(text: str) -> str:
    """User-written text as it may be shown: every control character replaced by U+FFFD."""
    return _UNSHOWABLE.sub("\ufffd", text)


def _outcome(row: Incident) -> str | None:
    if row.status not in CLOSED_STATUSES:
        return None
    parts: list[str] = [row.status]
    if row.resolution_note:
        parts.append(f"note: {row.resolution_note}")
    if row.measure:
        parts.append(f"measure: {row.measure}")
    if row.parents_informed is not None:
        parts.append("parents informed: " + ("yes" if row.parents_informed else "no"))
    return "; ".join(parts)


def _when(card: Card, zone: tzinfo) -> str:
    return card.when.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _lines(card: Card, zone: tzinfo = SCHOOL_TZ) -> list[tuple[str, str]]:
    """(label, value) pairs shared by both renderings, in reading order."""
    rows = [
        ("Who", card.author),
        ("Where", f"{card.room} ({card.platform})"),
        ("When", _when(card, zone)),
    ]
    if card.target:
        rows.append(("Aimed at", card.target))
    if card.erased:
        rows.append(("Message", "(erased after the retention period)"))
    elif card.excerpt is not None:
        rows.append(("Message", f"“{card.excerpt}”"))
    if card.scores:
        rows.append(("Scores", ", ".join(f"{name} {value:.2f}" for name, value in card.scores)))
    rows.append(("Why", card.explanation))
    if card.link:
        rows.append(("Link", card.link))
    if card.criminal:
        rows.append(("Attention", "possible criminal offence: school leadership decides about the police"))
    if card.escalation:
        rows.append(("Escalation", ESCALATION_TEXT.get(card.escalation, card.escalation)))
    if card.case_id is not None and card.case_id != card.id:
        rows.append(("Case", f"part of repeated-targeting case #{card.case_id}"))
    if card.reporter:
        rows.append(("Reported by", f"{card.reporter} (visible to school leadership only)"))
    rows.append(("Reviewers", ", ".join(card.reviewers) or "nobody (unrouted: school leadership)"))
    if card.outcome:
        rows.append(("Outcome", card.outcome))
    return [(label, shown(value)) for label, value in rows]


def title(card: Card) -> str:
    return f"Incident #{card.id} · {card.rule_id} {card.category} · severity {card.severity} · {card.status}"


def commands_hint(card: Card) -> str:
    if card.status in CLOSED_STATUSES:
        return ""
    n = card.id
    return (
        f"!ack {n} · !resolve {n} <note> [measure: …] [parents: yes|no] · !dismiss {n} [note] · "
        f"!escalate {n} coordinator|leadership|police"
    )


def render_text(card: Card, *, with_commands: bool = True, zone: tzinfo = SCHOOL_TZ) -> str:
    """The card as plain text; times in `zone` (the `[bot] timezone`)."""
    lines = _lines(card, zone)
    width = max(len(label) for label, _ in lines)
    body = [f"⚑ {title(card)}"] + [f"  {label + ':':<{width + 1}} {value}" for label, value in lines]
    hint = commands_hint(card) if with_commands else ""
    if hint:
        body.append(f"  {hint}")
    return "\n".join(body)


def render_html(card: Card, *, with_commands: bool = True, zone: tzinfo = SCHOOL_TZ) -> str:
    items = []
    for label, value in _lines(card, zone):
        shown = escape(value)
        if label == "Link" and value.startswith(("https://", "http://")):
            shown = f'<a href="{escape(value, quote=True)}">{escape(value)}</a>'
        items.append(f"<li><b>{escape(label)}:</b> {shown}</li>")
    hint = commands_hint(card) if with_commands else ""
    tail = f"<p><code>{escape(hint)}</code></p>" if hint else ""
    return f"<p><b>⚑ {escape(title(card))}</b></p><ul>{''.join(items)}</ul>{tail}"
