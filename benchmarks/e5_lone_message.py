"""A lone message's judgement with both tiers, as a quiet bot meets it: one message, a pause, the next.

    .venv/bin/python -m benchmarks.e5_lone_message [--messages 160] [--pause-ms 20] [--rounds 2]

Side by side, each in a process of its own and in turns (one round of each side, then again): the e5 engine on
one thread (`threads = 1`) and as the bot runs it by default (all cores: a lone chat message runs on the team the
tier has measured faster, `e5.teams.TeamChoice`). Each side judges every message once through `classify`, as the
pipeline does (text tier, e5 tier, combination), with a pause between messages so that the engine's threads go to
sleep as between chat messages. Printed: p50/p90 of a judgement and CPU per judgement.
Goal: a judgement with both tiers <= 25 ms median. `benchmarks.e5_tier_speed` measures the batched figures; it runs
its sides in turns message by message beside a side whose threads spin, which a team of two cannot share a core
with, so its "one at a time" rows show the team of one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.e5_tier_speed import distinct_messages

HERE = Path(__file__).resolve().parents[1]


async def _judge(threads: int | None, count: int, pause_s: float) -> dict[str, float]:
    from moderation.classify.classifier import build_classifier
    from moderation.classify.config import ClassifierConfig, MLConfig

    classifier = build_classifier(ClassifierConfig(ml=MLConfig(threads=threads)))
    texts = distinct_messages(count)
    for text in texts[:8]:
        await classifier.classify(text + " ")  # warm-up, and each team tried once
    took: list[float] = []
    cpu = time.process_time()
    for text in texts:
        began = time.perf_counter()
        await classifier.classify(text)
        took.append(time.perf_counter() - began)
        await asyncio.sleep(pause_s)
    cpu = time.process_time() - cpu
    classifier.close()
    ordered = sorted(took)
    return {
        "p50": statistics.median(took) * 1000,
        "p90": ordered[int(len(ordered) * 0.9)] * 1000,
        "cpu": cpu / len(texts) * 1000,
    }


def _side(threads: int | None, count: int, pause_s: float) -> dict[str, float]:
    code = (
        "import asyncio, json, sys; from benchmarks.e5_lone_message import _judge; "
        f"print(json.dumps(asyncio.run(_judge({threads!r}, {count}, {pause_s}))))"
    )
    env = os.environ | {"PYTHONPATH": str(HERE)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=160)
    parser.add_argument("--pause-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sides: dict[str, int | None] = {"one thread": 1, "default": None}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    print(f"load average {os.getloadavg()[0]:.1f} at the start (1 min), {os.cpu_count()} CPUs")
    for _ in range(args.rounds):
        for name, threads in sides.items():
            results[name].append(_side(threads, args.messages, args.pause_ms / 1000))
    print(f"{args.messages} distinct chat messages, {args.pause_ms:g} ms apart; each side's rounds, in turns")
    for name, rounds in results.items():
        for r in rounds:
            print(f"  {name:<11} judgement p50 {r['p50']:6.1f} ms  p90 {r['p90']:6.1f} ms  CPU {r['cpu']:5.1f} ms")
    one = statistics.median(r["p50"] for r in results["one thread"])
    default = statistics.median(r["p50"] for r in results["default"])
    print(
        f"median of the rounds: one thread {one:.1f} ms, default {default:.1f} ms ({default / one:.2f}x; goal <= 25 ms)"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
