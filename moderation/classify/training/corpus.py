"""The project's own labelled messages (`corpus/*.jsonl`): reading, checking, and the held-out split.

One message per line: {"text": str, "labels": [category...], "kind": str, "register": str}. Empty labels means
harmless. Files named `*_heldout.jsonl` are the held-out split: never trained or tuned on, only reported on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).parent / "corpus"
LABELS = ("insult", "harassment", "threat", "discrimination", "sexual", "self-harm", "school-threat")
REGISTERS = ("chat", "narrative", "quoted", "polite", "mixed-english", "long")
HELDOUT_SUFFIX = "_heldout.jsonl"


class CorpusError(ValueError):
    """A corpus line that cannot be used; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    labels: frozenset[str]
    kind: str
    register: str
    source: str  # file:line
    heldout: bool

    @property
    def harmful(self) -> bool:
        return bool(self.labels)


def _parse(line: str, where: str, heldout: bool) -> Example:
    try:
        raw = json.loads(line)
    except ValueError as error:
        raise CorpusError(f"{where}: not JSON ({error})") from None
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: expected an object")
    text, labels, kind, register = raw.get("text"), raw.get("labels"), raw.get("kind"), raw.get("register")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: 'text' must be a non-empty string")
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise CorpusError(f"{where}: 'labels' must be a list of strings")
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise CorpusError(f"{where}: unknown labels {sorted(unknown)}; known: {', '.join(LABELS)}")
    if register not in REGISTERS:
        raise CorpusError(f"{where}: register {register!r} is not one of {', '.join(REGISTERS)}")
    if not isinstance(kind, str) or not kind:
        raise CorpusError(f"{where}: 'kind' must be a non-empty string")
    found = set(labels)
    if "school-threat" in found:
        found.add("threat")
    return Example(text, frozenset(found), kind, register, where, heldout)


def read_file(path: Path) -> list[Example]:
    heldout = path.name.endswith(HELDOUT_SUFFIX)
    out = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                out.append(_parse(line, f"{path.name}:{number}", heldout))
    return out


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def load_corpus(folders: Iterable[Path] = (CORPUS_DIR,)) -> list[Example]:
    """Every example of every `*.jsonl` in the folders. A text in the held-out split is dropped from training,
    and repeated texts are kept once, so no held-out message is ever seen in training."""
    examples: list[Example] = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.jsonl")):
            examples.extend(read_file(path))
    held = {_key(e.text) for e in examples if e.heldout}
    seen: set[tuple[str, bool]] = set()
    out = []
    for example in examples:
        key = (_key(example.text), example.heldout)
        if key in seen or (not example.heldout and key[0] in held):
            continue
        seen.add(key)
        out.append(example)
    return out


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    return [e for e in examples if not e.heldout], [e for e in examples if e.heldout]
