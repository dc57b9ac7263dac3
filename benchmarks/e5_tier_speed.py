"""The embedded e5 tier: speed and memory, and a whole judgement with both tiers, side by side in one run.

    .venv/bin/python -m benchmarks.e5_tier_speed [--messages 256] [--threads 2]

Each side runs in its own fresh process (so each RSS is that side's alone), with OMP_NUM_THREADS=--threads:
- text: the classifier with the text tier only (the baseline for memory and for the judgement's time);
- e5: the classifier with both tiers. Measured: the e5 tier batched (predict on batches of 32), also in CPU time
  per message, which a machine shared with other work does not distort (wall-clock figures depend on the load
  average printed); as the bot uses it (all messages at once through apredict: the worker thread micro-batches
  them); one message at a time (predict([text]): p50/p99); the extra memory over the text side; and a full
  judgement (`classify`: both tiers and the combination) one message at a time.
Goals: >= 80 msg/s batched on 2 cores, <= 150 MB extra memory, a judgement with both tiers <= 25 ms median.
The messages are invented chat lines of realistic length (benchmarks.ml_tier_speed.messages).
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
from typing import Any

from benchmarks.ml_tier_speed import messages


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000,
    }


def _judge(classifier: Any, texts: list[str]) -> list[float]:
    async def run() -> list[float]:
        out = []
        for text in texts:
            t0 = time.perf_counter()
            await classifier.classify(text)
            out.append(time.perf_counter() - t0)
        return out

    return asyncio.run(run())


def _side(side: str, count: int) -> dict[str, Any]:
    from moderation.classify import ClassifierConfig, build_classifier
    from moderation.classify.classifier import TieredClassifier

    texts = messages(count)
    started = time.perf_counter()
    classifier = build_classifier(ClassifierConfig(ml=None) if side == "text" else ClassifierConfig())
    assert isinstance(classifier, TieredClassifier)
    load_s = time.perf_counter() - started
    result: dict[str, Any] = {"tiers": classifier.name, "load_s": load_s}
    tier = classifier.ml_tier
    if tier is not None:
        tier.predict(texts[:8])  # warm-up
        t0, cpu0 = time.perf_counter(), time.process_time()
        for start in range(0, len(texts), 32):
            tier.predict(texts[start : start + 32])
        result["batched_msgs_per_s"] = len(texts) / (time.perf_counter() - t0)
        result["batched_cpu_ms_per_msg"] = (time.process_time() - cpu0) * 1000 / len(texts)

        async def burst() -> float:
            t1 = time.perf_counter()
            await asyncio.gather(*(tier.apredict(t) for t in texts))
            return time.perf_counter() - t1

        result["apredict_burst_msgs_per_s"] = len(texts) / asyncio.run(burst())
        single = []
        for text in texts:
            t1 = time.perf_counter()
            tier.predict([text])
            single.append(time.perf_counter() - t1)
        result["single"] = _percentiles(single)
        result["single_msgs_per_s"] = len(texts) / sum(single)
    _judge(classifier, texts[:8])  # warm-up
    result["judgement"] = _percentiles(_judge(classifier, texts))
    result["rss_mb"] = _rss_mb()
    result["peak_rss_mb"] = _peak_mb()
    classifier.close()
    return result


def _run(side: str, count: int, threads: int) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    command = [sys.executable, "-m", "benchmarks.e5_tier_speed", "--side", side, "--messages", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"side {side} failed:\n{done.stderr}")
    parsed: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2, help="OMP_NUM_THREADS for the e5 engine")
    parser.add_argument("--side", choices=["text", "e5"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        print(json.dumps(_side(args.side, args.messages)))
        return
    text = _run("text", args.messages, args.threads)
    e5 = _run("e5", args.messages, args.threads)
    print(
        f"{args.messages} invented chat messages, {args.threads} engine threads, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'':<34}{'text tier only':>16}{'text + e5':>16}")
    print(f"{'tiers':<34}{text['tiers']:>16}{e5['tiers']:>16}")
    print(f"{'judgement p50 (ms)':<34}{text['judgement']['p50_ms']:>16.2f}{e5['judgement']['p50_ms']:>16.2f}")
    print(f"{'judgement p99 (ms)':<34}{text['judgement']['p99_ms']:>16.2f}{e5['judgement']['p99_ms']:>16.2f}")
    print(f"{'RSS after the run (MB)':<34}{text['rss_mb']:>16.0f}{e5['rss_mb']:>16.0f}")
    print(f"{'peak RSS (MB)':<34}{text['peak_rss_mb']:>16.0f}{e5['peak_rss_mb']:>16.0f}")
    print(f"{'load (s)':<34}{text['load_s']:>16.2f}{e5['load_s']:>16.2f}")
    print("e5 tier alone:")
    print(f"  batched (32 per call)      {e5['batched_msgs_per_s']:8.1f} msg/s   (goal >= 80)")
    cpu = e5["batched_cpu_ms_per_msg"]
    print(
        f"  batched, CPU time          {cpu:8.1f} ms/msg  = {1000 / cpu:.0f} msg/s per free core, "
        f"{2000 / cpu:.0f} msg/s on 2 free cores (what a busy machine hides)"
    )
    print(f"  apredict burst (batcher)   {e5['apredict_burst_msgs_per_s']:8.1f} msg/s")
    print(
        f"  one at a time              {e5['single_msgs_per_s']:8.1f} msg/s   p50 {e5['single']['p50_ms']:.1f} ms, "
        f"p99 {e5['single']['p99_ms']:.1f} ms"
    )
    extra = e5["rss_mb"] - text["rss_mb"]
    peak = e5["peak_rss_mb"] - text["peak_rss_mb"]
    print(f"  extra memory               {extra:8.0f} MB      (goal <= 150; peak {peak:.0f})")
    ratio = e5["judgement"]["p50_ms"] / max(text["judgement"]["p50_ms"], 1e-9)
    print(
        f"judgement with both tiers: median {e5['judgement']['p50_ms']:.1f} ms (goal <= 25), {ratio:.0f}x the text tier"
    )


if __name__ == "__main__":
    main()
