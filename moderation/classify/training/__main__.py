"""Train the e5 tier's heads and combination on the project's corpus.

    python -m moderation.classify.training train [--corpus DIR ...] [--out DIR] [--cache FILE] [--seed 0] [--quick]

Writes heads.json, combination.json and MODEL_CARD.md into --out (default: the e5 package, where they ship) and
prints the cross-validated and held-out figures. Needs scikit-learn (`pip install 'schoolwacht[train]'`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from moderation.classify.e5.backend import COMBINATION_FILE, HEADS_FILE
from moderation.classify.training.corpus import CORPUS_DIR

CARD_FILE = "MODEL_CARD.md"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m moderation.classify.training",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("train", help="train heads and combination, write them with their model card")
    run.add_argument("--corpus", type=Path, action="append", help=f"corpus folder (default {CORPUS_DIR})")
    run.add_argument("--out", type=Path, default=HEADS_FILE.parent)
    run.add_argument("--cache", type=Path, default=Path("var/cache/e5-corpus-embeddings.npz"))
    run.add_argument("--seed", type=int, default=0)
    run.add_argument(
        "--quick", action="store_true", help="check a corpus change fast: one recipe, two weights (not a model to ship)"
    )
    args = parser.parse_args(argv)

    from moderation.classify.e5.combination import save_combination
    from moderation.classify.e5.heads import save_heads
    from moderation.classify.training.card import model_card
    from moderation.classify.training.corpus import CorpusError
    from moderation.classify.training.fit import RECIPES
    from moderation.classify.training.train import HARMLESS_WEIGHTS, QUICK_HARMLESS_WEIGHTS, train

    try:
        result = train(
            args.corpus or [CORPUS_DIR],
            cache=args.cache,
            seed=args.seed,
            recipes=RECIPES[:1] if args.quick else RECIPES,
            harmless_weights=QUICK_HARMLESS_WEIGHTS if args.quick else HARMLESS_WEIGHTS,
        )
    except CorpusError as error:
        print(f"corpus error: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    heads_path = args.out / HEADS_FILE.name
    save_heads(result.heads, heads_path)
    save_combination(result.combination, args.out / COMBINATION_FILE.name)
    command = "python -m moderation.classify.training train" + (f" --seed {args.seed}" if args.seed else "")
    command += " --quick" if args.quick else ""
    card = model_card(result, command, heads_path.stat().st_size)
    (args.out / CARD_FILE).write_text(card, encoding="utf-8")
    print(card)
    return 0


if __name__ == "__main__":
    sys.exit(main())
