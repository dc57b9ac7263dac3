"""Figures per corpus file, and which held-out messages must always reach a reviewer."""

from __future__ import annotations

from moderation.classify.training.corpus import Example
from moderation.classify.training.metrics import per_file, safety_critical
from moderation.model import Category


def _example(labels: set[str], kind: str, source: str) -> Example:
    return Example("tekst", frozenset(labels), kind, "chat", source, True)


def test_figures_are_given_per_file() -> None:
    examples = [
        _example({"insult"}, "insult-general", "a_heldout.jsonl:1"),
        _example(set(), "smalltalk", "a_heldout.jsonl:2"),
        _example(set(), "smalltalk", "b_heldout.jsonl:1"),
    ]
    scored = [{Category.INSULT: 0.9}, {Category.INSULT: 0.1}, {Category.THREAT: 0.7}]
    figures = per_file(examples, scored)
    assert list(figures) == ["a_heldout.jsonl", "b_heldout.jsonl"]
    assert figures["a_heldout.jsonl"].f1 == 1.0 and figures["a_heldout.jsonl"].false_alarms == 0.0
    assert figures["b_heldout.jsonl"].false_alarms == 1.0


def test_school_threats_self_harm_and_nude_demands_are_safety_critical() -> None:
    assert safety_critical(_example({"threat", "school-threat"}, "weapon-school", "x:1"))
    assert safety_critical(_example({"self-harm"}, "self-harm-hint", "x:2"))
    assert safety_critical(_example({"sexual"}, "nudes-demand", "x:3"))
    assert not safety_critical(_example({"sexual"}, "sexual-remark", "x:4"))
    assert not safety_critical(_example({"insult"}, "insult-general", "x:5"))
