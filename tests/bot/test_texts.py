"""The Dutch texts say everything the core and the adapters ask for: every fixed phrase, every category, severity,
status and reason, and why a card was withdrawn (a new one without Dutch words fails here, not in a chat)."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import get_type_hints
from zoneinfo import ZoneInfo

import adapters.web
import moderation
from bot.texts.nl import CATEGORIES, DUTCH, REASONS, SEVERITIES, STATUSES, WITHDRAWN, Dutch
from bot.texts.nl_notices import LOOKED
from bot.texts.nl_phrases import PHRASES
from moderation.classify.context import DISCLOSURE_REASON
from moderation.incidents.cards import Card, render_html
from moderation.incidents.routing import COORDINATOR, LEADERSHIP
from moderation.model import ABUSE_CATEGORIES, Category, Severity
from moderation.texts import DeskTexts, DeskWords, Phrase, Texts, Withdrawal


def test_every_phrase_category_and_level_has_dutch_words() -> None:
    assert set(PHRASES) == set(Phrase)
    assert set(CATEGORIES) == {c.value for c in Category}
    assert set(SEVERITIES) == {int(s) for s in Severity}
    assert set(STATUSES) == {"open", "in-review", "resolved", "dismissed"}
    assert {"mentor", COORDINATOR, LEADERSHIP} <= set(REASONS)
    assert set(WITHDRAWN) == set(Withdrawal)
    assert DUTCH.withdrawn(7, Withdrawal.ERASED) == "Melding #7 is gewist (privacy)."


def test_every_abusive_category_but_self_harm_has_its_own_word_in_a_notice() -> None:
    assert set(LOOKED) == set(ABUSE_CATEGORIES) - {Category.SELF_HARM}  # that notice is care, and names nothing
    said = DUTCH.notices.abusive(Category.INSULT, "klas-2b", staff=False, deleted=True)
    assert said.startswith("Je bericht in #klas-2b lijkt beledigend en is verwijderd")


def test_why_is_said_in_words_with_the_evidence_word() -> None:
    why = DUTCH.why("insult", "insult compound 'kankerlijer' aimed at 'jou'", None)
    assert why == "een scheldwoord of belediging, gericht aan iemand in de chat (de bot zag: ‘kankerlijer’)"
    assert "compound" not in why and "aimed" not in why
    aimed = DUTCH.why("threat", "threat pattern 'ik maak je af'", "Daan Smit (daan)")
    assert aimed == "een bedreiging, gericht aan Daan Smit (daan) (de bot zag: ‘ik maak je af’)"
    assert DUTCH.severity(int(Severity.HIGH)) == "ernstig"


def test_why_says_when_the_writer_tells_of_it_being_done_to_them() -> None:
    told = f"sexual word 'nudes' aimed at 'hij' in 'hij vroeg me om nudes' (softened: {DISCLOSURE_REASON})"
    why = DUTCH.why("sexual", told, "Daan Smit (daan)")
    assert why == (
        "seksueel getinte taal; de schrijver vertelt dat iemand anders dit tegen hem of haar deed: zorg, geen straf"
        " (de bot zag: ‘nudes’)"
    )


def _card() -> Card:
    return Card(
        id=12,
        status="open",
        platform="matrix",
        room="klas-2b",
        when=datetime(2026, 12, 1, 7, 30, tzinfo=UTC),
        author="Sanne Bakker (sanne)",
        rule_id="R2",
        category="insult",
        severity=2,
        score=0.9,
        scores=(),
        explanation="insult 'sukkel' aimed at 'jou'",
        excerpt="jij sukkel",
        link="https://matrix.to/#/!kamer/$bericht",
        criminal=False,
        escalation=None,
        reviewers=(("Meneer Jansen", "mentor"),),
    )


def test_with_a_desk_every_card_links_to_its_page_there_and_without_one_it_does_not() -> None:
    with_desk = Dutch(desk_url="https://desk.school.nl")
    assert ("Op de desk", "https://desk.school.nl/meldingen/12") in with_desk.card_rows(_card())
    assert '<a href="https://desk.school.nl/meldingen/12">' in render_html(_card(), with_desk)
    assert all(label != "Op de desk" for label, _ in DUTCH.card_rows(_card()))
    assert "desk" not in render_html(_card(), DUTCH)


def test_card_times_are_in_the_schools_time_zone() -> None:
    rows = dict(Dutch(ZoneInfo("America/New_York")).card_rows(_card()))
    assert rows["Wanneer"] == "01-12-2026 02:30" and dict(DUTCH.card_rows(_card()))["Wanneer"] == "01-12-2026 08:30"


def _methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(value)
        for name, value in vars(protocol).items()
        if callable(value) and not name.startswith("_")
    }


def _same_parameters(port: inspect.Signature, given: Callable[..., object]) -> bool:
    wanted = [(p.name, p.kind) for p in port.parameters.values() if p.name != "self"]
    return [(p.name, p.kind) for p in inspect.signature(given).parameters.values()] == wanted


def test_dutch_gives_every_phrase_group_of_the_texts_port_with_its_parameters() -> None:
    groups: dict[str, tuple[type, object]] = {}
    for name, member in vars(Texts).items():
        if isinstance(member, property) and member.fget is not None:
            groups[name] = (get_type_hints(member.fget)["return"], getattr(DUTCH, name))
    groups["timetable"] = (get_type_hints(Texts.timetable)["return"], DUTCH.timetable({}))
    assert {"notices", "announcements", "linking", "timetable", "desk"} <= set(groups)
    for name, (protocol, given) in groups.items():
        for method, signature in _methods(protocol).items():
            assert _same_parameters(signature, getattr(given, method)), f"{name}.{method}"
    for method, signature in _methods(Texts).items():
        assert _same_parameters(signature, getattr(DUTCH, method)), method


# A few words that almost every Dutch sentence has, and that English code and comments do not.
_DUTCH_WORDS = re.compile(r"\b(je|jij|jouw|u|uw|het|een|niet|geen|naar|wordt|bericht|melding|mededeling)\b", re.I)
_CORE = Path(moderation.__file__).parent
_READS_DUTCH = _CORE / "classify"  # the detector's own lexicon and grammar: the Dutch it reads, not what it says
_DESK = Path(adapters.web.__file__).parent


def _dutch_literals(source: str) -> list[str]:
    """The string literals (an f-string as one, its holes left out) that read as Dutch; docstrings and regular
    expressions (the input's words that the core matches) aside."""
    if len(_DUTCH_WORDS.findall(source)) < 2:
        return []  # no literal in it can read as Dutch: not worth parsing
    tree = ast.parse(source)
    skip = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    texts: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v for v in node.values if isinstance(v, ast.Constant)]
            skip.update(id(v) for v in parts)
            texts.append("".join(str(v.value) for v in parts))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            texts.append(node.value)
    return [t for t in texts if "(?" not in t and len(_DUTCH_WORDS.findall(t)) >= 2]


def test_the_scan_finds_a_dutch_sentence_and_passes_english_docstrings_and_patterns() -> None:
    source = '''
def notice(n: int) -> str:
    """Het bericht van de leerling: een docstring."""
    english = f"incident {n} is not the author's"
    pattern = r"\\b(?:officieel|belangrijk) (?:bericht|mededeling) van het\\b"
    return f"Melding #{n} bestaat niet" + english + pattern
'''
    assert _dutch_literals(source) == ["Melding # bestaat niet"]


def test_the_core_and_the_desk_say_nothing_in_dutch_themselves() -> None:
    sources = [p for p in _CORE.rglob("*.py") if _READS_DUTCH not in p.parents] + sorted(_DESK.glob("*.py"))
    found = {
        f"{path.relative_to(_CORE.parent)}: {text[:60]!r}"
        for path in sources
        for text in _dutch_literals(path.read_text(encoding="utf-8"))
    }
    assert not found, "Dutch a person reads belongs in bot/texts (through moderation/texts/): " + ", ".join(found)


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")


def _template_words(source: str) -> list[str]:
    """The words a template shows by itself: its text and the attributes a person or a screen reader reads, with
    everything between Jinja's braces left out (the product's name aside)."""
    bare = _JINJA.sub(" ", source)
    shown = " ".join([_TAG.sub(" ", bare), *_READ_ATTRIBUTES.findall(bare)])
    return [word for word in re.findall(r"[^\W\d_]{2,}", shown) if word != "Schoolwacht"]


def test_the_template_scan_finds_words_in_text_and_labels_and_passes_what_jinja_fills_in() -> None:
    source = '<nav aria-label="Hoofdmenu"><a href="/meldingen" id="x">{{ w.my_incidents }}</a> · #{{ n }}</nav>'
    assert _template_words(source) == ["Hoofdmenu"]
    assert _template_words("<p>{{ w.no_incidents }}</p>{% if x %}Geen{% endif %}") == ["Geen"]
    assert (
        _template_words('<title>{% block title %}Schoolwacht{% endblock %}</title><p class="a">{{ t.x(1) }}</p>') == []
    )


def test_the_desk_templates_show_only_words_from_the_texts_port() -> None:
    words = {f.name for f in fields(DeskWords)}
    members = set(DeskTexts.__annotations__) | set(_methods(DeskTexts))
    for path in sorted((_DESK / "templates").glob("*.html")):
        source = path.read_text(encoding="utf-8")
        assert not _template_words(source), f"{path.name} shows words of its own: {_template_words(source)}"
        for block in _JINJA.findall(source):
            assert set(re.findall(r"\bw\.(\w+)", block)) <= words, f"{path.name}: {block}"
            assert set(re.findall(r"\bt\.(\w+)", block)) <= members, f"{path.name}: {block}"


def test_dutch_gives_every_word_of_the_desk() -> None:
    desk = DUTCH.desk
    assert all(getattr(desk, name) for name in DeskTexts.__annotations__)
    assert all(getattr(desk.words, f.name) for f in fields(DeskWords))
    assert set(desk.statuses) == set(STATUSES) and set(desk.charts) == {"class", "month", "category", "status"}
    assert desk.history_action("escalated:police") == "geëscaleerd naar politie (strafbaar)"
    assert desk.incidents(1) == "1 melding" and desk.incidents(3) == "3 meldingen"


def test_every_room_state_of_an_announcement_has_a_dutch_word_retracted_or_not() -> None:
    for status in ("done", "pending", "failed", "removed"):
        for retracted in (False, True):
            word = DUTCH.desk.announcement_room(status, retracted=retracted)
            assert word and word != status, (status, retracted)
