"""The review card: everything a reviewer needs to judge an incident, as plain text and as simple HTML (Matrix).

Built from a stored incident and what the viewer may see (the reporter only for leadership). The words are the
texts port's (one language module); here is only the layout, shared by every platform.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from moderation.incidents.model import Incident
from moderation.model import CLOSED_STATUSES, PersonId
from moderation.texts import Texts

SCHOOL_TZ = ZoneInfo("Europe/Amsterdam")
# C0 and C1 control characters (line breaks and tabs aside) and the bidi overrides that reorder text on screen:
# a reviewer must read what was written, not what a terminal or chat client makes of it.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    status: str
    platform: str
    room: str
    when: datetime
    author: str  # "Sanne Bakker (sanne)", the platform account when the author is not on the roster, or ""
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
    reviewers: tuple[tuple[str, str], ...]  # (name, reason): ("Meneer Jansen", "mentor")
    target: str | None = None
    case_id: int | None = None
    reporter: str | None = None  # only filled in for leadership
    erased: bool = False
    author_on_roster: bool = True
    target_on_roster: bool = True
    actions: tuple[str, ...] = ()  # what the bot did (ActionKind values), as far as `action_status` says
    action_status: str = "done"  # pending / done / failed / dry-run / none
    note: str | None = None  # for closed incidents: what was done (or why it was dismissed)
    measure: str | None = None
    parents_informed: bool | None = None


def card_from_row(row: Incident, name_of: Callable[[PersonId], str], *, show_reporter: bool) -> Card:
    closed = row.status in CLOSED_STATUSES

    def person(pid: str | None, account: str | None) -> str:
        if pid:
            name = name_of(PersonId(pid))
            return f"{name} ({pid})" if name != pid else pid
        return account or ""

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
        reviewers=tuple((name_of(PersonId(r.person_id)), r.reason) for r in row.reviewers),
        target=person(row.target_person_id, row.target_account) if row.target_person_id or row.target_account else None,
        case_id=row.case_id,
        reporter=(row.reported_by or None) if show_reporter else None,
        erased=row.erased_at is not None,
        author_on_roster=row.author_person_id is not None,
        target_on_roster=row.target_person_id is not None,
        actions=tuple(a.strip() for a in (row.action_taken or "").split(",") if a.strip()),
        action_status=row.action_status,
        note=row.resolution_note if closed else None,
        measure=row.measure if closed else None,
        parents_informed=row.parents_informed if closed else None,
    )


def shown(text: str) -> str:
    """User-written text as it may be shown: every control character replaced by U+FFFD."""
    return _UNSHOWABLE.sub("\ufffd", text)


def render_text(card: Card, texts: Texts, *, with_commands: bool = True, technical: bool = False) -> str:
    rows = [(label, shown(value)) for label, value in texts.card_rows(card, technical=technical)]
    width = max(len(label) for label, _ in rows)
    body = [f"⚑ {texts.card_title(card)}"] + [f"  {label + ':':<{width + 1}} {value}" for label, value in rows]
    hint = texts.card_commands(card) if with_commands else ""
    if hint:
        body.append(f"  {hint}")
    return "\n".join(body)


def render_html(card: Card, texts: Texts, *, with_commands: bool = True) -> str:
    items = []
    for label, value in texts.card_rows(card):
        text = escape(shown(value))
        if value in (card.link, texts.desk_link(card.id)) and value.startswith(("https://", "http://")):
            text = f'<a href="{escape(value, quote=True)}">{text}</a>'
        items.append(f"<li><b>{escape(label)}:</b> {text}</li>")
    hint = texts.card_commands(card) if with_commands else ""
    tail = f"<p><code>{escape(hint)}</code></p>" if hint else ""
    return f"<p><b>⚑ {escape(texts.card_title(card))}</b></p><ul>{''.join(items)}</ul>{tail}"
