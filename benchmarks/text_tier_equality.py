"""Whether a change to the text tier kept every verdict: run it over many varied texts, save every result (scores,
evidence, note, context factor, hits), and compare with a saved run.

    PYTHONHASHSEED=0 .venv/bin/python -m benchmarks.text_tier_equality save /tmp/before.txt [--extra FILE.csv ...]
    PYTHONHASHSEED=0 .venv/bin/python -m benchmarks.text_tier_equality compare /tmp/before.txt

Both runs need the same PYTHONHASHSEED: the fuzzy look-up of a few misspellings depends on the order of a set of
strings ("esteren" is "etter" or nothing, as "eteren" or "steren" comes first), so without it the same text tier
can differ from itself between two processes.

The texts: the training corpus, every string literal in the text tier's tests, the speed benchmark's chat mix and
hostile messages, each corpus text with each evasion trick of the evasion benchmark applied to one of its words,
with capitals and with stretched letters, long messages glued from corpus texts (judged in overlapping parts),
and, with --extra, the `text` column of CSV files (an outside check only: its texts are inputs, nothing more).
They are judged in one fixed order by one tier (its word cache carries over, as in a running bot), the long ones
again by a fresh tier, the corpus and test texts again by a tier that knows a roster. `compare` judges the saved
texts again, in the saved order, and prints the first results that differ.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.evasion_eval import TRICKS
from benchmarks.text_tier_speed import generate, hostile_messages
from moderation.classify.config import ClassifierConfig
from moderation.classify.text_tier import TextResult, TextTier

_ROOT = Path(__file__).resolve().parent.parent
_CORPUS = _ROOT / "moderation" / "classify" / "training" / "corpus"
_TESTS = _ROOT / "tests" / "moderation" / "classify"
_EMOJI = ["😂", "💀", "🙄", "❤️", "👍🏽"]
_SEPARATORS = [".", "-", "*", "_", " ", "..", "·", "/"]


def corpus_texts() -> list[str]:
    out: list[str] = []
    for path in sorted(_CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out


def test_literals() -> list[str]:
    """Every string literal in the classify tests (the table rows and the other cases)."""
    out: list[str] = []
    for path in sorted(_TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and 0 < len(node.value) < 5000:
                out.append(node.value)
    return out


def csv_texts(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in paths:
        with open(name, encoding="utf-8", newline="") as handle:
            out.extend(row["text"] for row in csv.DictReader(handle))
    return out


def _replaced(words: Sequence[str], k: int, new: str) -> str:
    return " ".join([*words[:k], new, *words[k + 1 :]])


def mutated(texts: Sequence[str], seed: int) -> Iterator[str]:
    """Each text with each trick applied to one word (chosen at random), then the whole text in capitals, title
    case, with an emoji or a separator inside a word and a stretched letter."""
    rng = random.Random(seed)
    tricks = list(TRICKS.values())
    for text in texts:
        words = text.split(" ")
        if not words:
            continue
        for trick in tricks:
            k = rng.randrange(len(words))
            yield _replaced(words, k, trick(words[k]) if words[k] else words[k])
        yield text.upper()
        yield text.title()
        k = rng.randrange(len(words))
        word = words[k]
        if len(word) >= 2:
            cut = rng.randrange(1, len(word))
            inside = rng.choice(_EMOJI + _SEPARATORS)
            yield _replaced(words, k, word[:cut] + inside + word[cut:])
            yield _replaced(words, k, word[:cut] + word[cut - 1] * rng.randint(2, 6) + word[cut:])


def long_texts(texts: Sequence[str], seed: int, count: int = 120) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(count):
        size = rng.choice([3_000, 4_500, 9_000, 25_000, 65_536])
        pieces: list[str] = []
        length = 0
        while length < size:
            piece = rng.choice(texts)
            pieces.append(piece)
            length += len(piece) + 2
        out.append(rng.choice([". ", " ", "\n", " 😂 "]).join(pieces)[:size])
    return out


def describe(result: TextResult) -> str:
    c = result.classification
    return repr((c.scores, c.evidence, c.note, result.context_factor, result.hits))


def all_texts(extra: Sequence[str], seed: int) -> list[tuple[str, str]]:
    """(who judges it, text): "main" is one tier for all of them in this order, "fresh" a new tier for each,
    "named" one tier that knows a roster."""
    corpus = corpus_texts()
    literals = test_literals()
    outside = csv_texts(extra)
    hostile = list(hostile_messages(seed).values())
    long = long_texts(corpus, seed)
    texts = [
        *corpus,
        *literals,
        *generate(20_000, seed),
        *mutated(corpus + literals, seed),
        *outside,
        *mutated(outside, seed + 1),
        *long,
        *hostile,
    ]
    return (
        [("main", text) for text in texts]
        + [("fresh", text) for text in long + hostile]  # a fresh word cache: the fuzzy budget decides differently
        + [("named", text) for text in corpus + literals]
    )


def judge(texts: Sequence[tuple[str, str]]) -> list[str]:
    """Every text's full result, judged in order by the tier its tag names."""
    main = TextTier.from_config(ClassifierConfig(ml=None))
    roster = ["Fedde de Vries", "Lisa", "Noor", "Daan", "Sem"]
    named = TextTier.from_config(ClassifierConfig(ml=None), first_names=lambda: roster)
    out: list[str] = []
    for tag, text in texts:
        tier = main if tag == "main" else named if tag == "named" else TextTier.from_config(ClassifierConfig(ml=None))
        out.append(describe(tier.analyse(text)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["save", "compare"])
    parser.add_argument("file")
    parser.add_argument("--extra", action="append", default=[], help="a CSV file with a `text` column")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if "PYTHONHASHSEED" not in os.environ:
        print("PYTHONHASHSEED is not set: a few misspellings may read differently in another process (see above)")
    if args.mode == "save":
        texts = all_texts(args.extra, args.seed)
        with open(args.file, "w", encoding="utf-8") as handle:
            for (tag, text), described in zip(texts, judge(texts), strict=True):
                handle.write(json.dumps([tag, ascii(text), described]) + "\n")
        print(f"saved {len(texts):,} results to {args.file}")
        return 0
    with open(args.file, encoding="utf-8") as handle:  # the saved texts, judged again in the same order
        saved = [json.loads(line) for line in handle]
    texts = [(tag, ast.literal_eval(quoted)) for tag, quoted, _ in saved]
    now = judge(texts)
    differ = [
        (i, text, before, after)
        for i, ((_, text), (_, _, before), after) in enumerate(zip(texts, saved, now, strict=True))
        if before != after
    ]
    for i, text, before, after in differ[:10]:
        print(f"#{i} {text[:100]!r}\n  before {before[:400]}\n  now    {after[:400]}")
    print(f"compared {len(texts):,} texts: {len(differ):,} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
