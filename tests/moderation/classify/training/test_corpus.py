"""Reading the corpus: clear errors per line, and the held-out split kept out of training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.classify.training.corpus import CORPUS_DIR, CorpusError, load_corpus, read_file, split


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _row(text: str, labels: list[str], register: str = "chat") -> dict[str, object]:
    return {"text": text, "labels": labels, "kind": "test", "register": register}


def test_school_threat_also_counts_as_threat(tmp_path: Path) -> None:
    (example,) = read_file(_write(tmp_path / "a.jsonl", [_row("ik neem een mes mee", ["school-threat"])]))
    assert example.labels == {"school-threat", "threat"}
    assert example.harmful and not example.heldout and example.source == "a.jsonl:1"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("not json", "not JSON"),
        ('["a list"]', "expected an object"),
        (json.dumps(_row("", [])), "'text'"),
        (json.dumps(_row("hoi", ["rude"])), "unknown labels"),
        (json.dumps(_row("hoi", [], register="tweet")), "register"),
        (json.dumps({"text": "hoi", "labels": "insult", "kind": "k", "register": "chat"}), "'labels'"),
    ],
)
def test_a_bad_line_is_named_with_its_file_and_number(tmp_path: Path, row: str, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(_row("goed", [])) + "\n\n" + row + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"bad\.jsonl:3: .*{reason}"):
        read_file(path)


def test_a_held_out_text_never_reaches_training(tmp_path: Path) -> None:
    _write(tmp_path / "chat.jsonl", [_row("Jij Bent  Dom", ["insult"]), _row("hoi", []), _row("hoi", [])])
    _write(tmp_path / "chat_heldout.jsonl", [_row("jij bent dom", ["insult"])])
    train, heldout = split(load_corpus([tmp_path]))
    assert [e.text for e in train] == ["hoi"]  # the held-out text (any case or spacing) and the repeat are gone
    assert [e.text for e in heldout] == ["jij bent dom"] and heldout[0].heldout


def test_the_project_corpus_reads_cleanly() -> None:
    examples = load_corpus([CORPUS_DIR])
    assert len(examples) > 500
    train, _ = split(examples)
    assert sum(not e.harmful for e in train) > 0 and sum(e.harmful for e in train) > 0
