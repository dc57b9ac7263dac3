"""The hand-written training corpus is well-formed: every file parses, labels are known, no text is repeated,
the held-out split shares no text with the training files, and hard negatives are at least as many as positives."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "moderation" / "classify" / "training" / "corpus"
LABELS = {"insult", "harassment", "threat", "discrimination", "sexual", "self-harm", "school-threat"}
FIELDS = {"text", "labels", "kind", "register"}


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.jsonl"))


def is_heldout(path: Path) -> bool:
    return "heldout" in path.name


def records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield number, json.loads(line)


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def test_the_corpus_has_training_and_heldout_files() -> None:
    files = corpus_files()
    assert any(is_heldout(f) for f in files)
    assert any(not is_heldout(f) for f in files)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_every_line_parses_with_known_labels(path: Path) -> None:
    count = 0
    for number, record in records(path):
        where = f"{path.name}:{number}"
        assert isinstance(record, dict), where
        assert record.keys() >= FIELDS, where
        assert isinstance(record["text"], str) and record["text"].strip(), where
        assert isinstance(record["kind"], str) and record["kind"].strip(), where
        assert isinstance(record["register"], str) and record["register"].strip(), where
        labels = record["labels"]
        assert isinstance(labels, list), where
        assert set(labels) <= LABELS, f"{where}: {labels}"
        assert len(set(labels)) == len(labels), where
        if "school-threat" in labels:
            assert "threat" in labels, f"{where}: a school threat is also a threat"
        count += 1
    assert count, path.name


def test_no_text_appears_twice_across_all_files() -> None:
    seen: dict[str, str] = {}
    repeated = []
    for path in corpus_files():
        for number, record in records(path):
            key = normalised(record["text"])
            where = f"{path.name}:{number}"
            if key in seen:
                repeated.append(f"{where} repeats {seen[key]}: {record['text']!r}")
            else:
                seen[key] = where
    assert not repeated, "\n".join(repeated[:20])


def test_no_heldout_text_is_in_the_training_files() -> None:
    training = {normalised(r["text"]) for f in corpus_files() if not is_heldout(f) for _, r in records(f)}
    leaked = [
        r["text"] for f in corpus_files() if is_heldout(f) for _, r in records(f) if normalised(r["text"]) in training
    ]
    assert not leaked, leaked[:20]


@pytest.mark.parametrize("heldout", [False, True], ids=["training", "heldout"])
def test_negatives_are_at_least_as_many_as_positives(heldout: bool) -> None:
    labels = [r["labels"] for f in corpus_files() if is_heldout(f) == heldout for _, r in records(f)]
    positives = sum(1 for found in labels if found)
    assert positives > 0
    assert len(labels) - positives >= positives
