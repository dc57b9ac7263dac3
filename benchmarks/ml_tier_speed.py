"""The ML tier at real size: detoxify as-is vs the project's path (ONNX int8 + micro-batching), side by side.

    .venv/bin/python -m benchmarks.ml_tier_speed [--models var/bench-models] [--messages 256] [--rebuild]

No weights are downloaded: the first run builds a randomly initialised model of xlm-roberta-base's size (278M
parameters, 250,002-token vocabulary) in detoxify's own checkpoint format, and exports it to ONNX int8 through
`export_onnx` (the same code as `schoolwacht model export-onnx`, agreement check included). Random weights compute
exactly as fast as trained ones. Later runs reuse the folder.

Each side runs in its own fresh process, so each peak RSS is that side's alone:
- detoxify as-is: `Detoxify(model).predict(text)`, one message at a time (how a bot calls it); also, for
  reference, `predict(list)` on batches of 32.
- the project's path: `load_ml_tier(backend="onnx")`; all messages arrive at once through `apredict` (the worker
  thread micro-batches them); batch-1 latency is one `apredict` at a time (it includes the batcher's wait).
Figures: throughput (messages/s), batch-1 latency (median, p90), peak RSS. Goal: >= 3x detoxify, <= 500 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MODEL = "bench-xlmr-base"

# Invented chat lines, recombined at random into messages of realistic length (3-30 words).
_FRAGMENTS = (
    "hoe laat begint de les morgen",
    "wie heeft de aantekeningen van biologie",
    "ik snap echt niks van die opdracht",
    "zullen we na school naar de stad gaan",
    "je bent zo irritant man",
    "did anyone finish the english essay yet",
    "lol dat was echt de slechtste toets ooit",
    "stuur je de foto's van het schoolreisje",
    "niemand wil met jou in een groepje",
    "de mentor zegt dat we vrijdag vrij zijn",
    "that teacher is so annoying today",
    "ik kom je na school wel even halen",
    "wat een mooie presentatie was dat",
    "heeft iemand een oplader voor mij",
)


def messages(count: int, seed: int = 42) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = rng.sample(_FRAGMENTS, rng.choice([1, 1, 1, 2, 2, 3]))
        text = ", ".join(parts)
        out.append(text if rng.random() < 0.7 else text.capitalize() + rng.choice(["!", "?", " 😂", "..."]))
    return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _latencies_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))] * 1000,
    }


# --- the sides, each run in its own process ----------------------------------------------------------------------


def _build(folder: Path) -> dict[str, Any]:
    import pytest

    from moderation.classify.ml.cache import point_libraries_at
    from moderation.classify.ml.onnx_export import export_onnx
    from tests.support.tiny_models import build_full_size_detoxify_cache, register_model

    point_libraries_at(folder, offline=True)
    started = time.perf_counter()
    cache = build_full_size_detoxify_cache(folder, MODEL)
    with pytest.MonkeyPatch.context() as patch:
        register_model(cache, patch)
        report = export_onnx(folder, MODEL)
    (folder / "bench-model.json").write_text(json.dumps({"url": cache.url}))
    return {
        "seconds": time.perf_counter() - started,
        "checkpoint_mb": cache.checkpoint.stat().st_size / 1e6,
        "onnx_mb": report.size_bytes / 1e6,
        "max_abs_diff": report.max_abs_diff,
        "quantisation": report.quantisation,
    }


def _detoxify_as_is(folder: Path, count: int) -> dict[str, Any]:
    from moderation.classify.ml.cache import point_libraries_at

    point_libraries_at(folder, offline=True)
    from detoxify import Detoxify
    from detoxify import detoxify as detoxify_module

    detoxify_module.MODEL_URLS[MODEL] = json.loads((folder / "bench-model.json").read_text())["url"]
    started = time.perf_counter()
    model = Detoxify(MODEL)
    load_s = time.perf_counter() - started
    texts = messages(count)
    model.predict(texts[:4])  # warm-up
    single = []
    for text in texts:
        t0 = time.perf_counter()
        model.predict(text)
        single.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for start in range(0, len(texts), 32):
        model.predict(texts[start : start + 32])
    batched_s = time.perf_counter() - t0
    tokens = [len(model.tokenizer(text)["input_ids"]) for text in texts]
    return {
        "load_s": load_s,
        "msgs_per_s": len(texts) / sum(single),
        "batched32_msgs_per_s": len(texts) / batched_s,
        **_latencies_ms(single),
        "mean_tokens": statistics.mean(tokens),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _project_path(folder: Path, count: int) -> dict[str, Any]:
    from moderation.classify.config import MLConfig
    from moderation.classify.ml import load_ml_tier
    from moderation.classify.ml.tier import BatchedTier

    started = time.perf_counter()
    tier = load_ml_tier(MLConfig(backend="onnx", model=MODEL, cache_dir=folder))
    load_s = time.perf_counter() - started
    if not isinstance(tier, BatchedTier):
        raise SystemExit("the ONNX export is missing; run with --rebuild")
    texts = messages(count)
    tier.predict(texts[:4])  # warm-up

    async def measure() -> tuple[float, int, list[float], list[float]]:
        calls = tier.batcher.batches_run
        t0 = time.perf_counter()
        await asyncio.gather(*(tier.apredict(text) for text in texts))
        burst_s = time.perf_counter() - t0
        calls = tier.batcher.batches_run - calls
        one_at_a_time = []
        for text in texts:
            t1 = time.perf_counter()
            await tier.apredict(text)
            one_at_a_time.append(time.perf_counter() - t1)
        direct = []
        for text in texts:
            t1 = time.perf_counter()
            tier.predict([text])
            direct.append(time.perf_counter() - t1)
        return burst_s, calls, one_at_a_time, direct

    burst_s, calls, single, direct = asyncio.run(measure())
    tier.close()
    return {
        "load_s": load_s,
        "msgs_per_s": len(texts) / burst_s,
        "sequential_msgs_per_s": len(texts) / sum(single),
        **_latencies_ms(single),
        "predict_median_ms": statistics.median(direct) * 1000,
        "model_calls": calls,
        "peak_rss_mb": _peak_rss_mb(),
        "torch_loaded": "torch" in sys.modules,
    }


# --- the driver ------------------------------------------------------------------------------------------------


def _run_side(side: str, folder: Path, count: int) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.ml_tier_speed",
            "--side",
            side,
            "--models",
            str(folder),
            "--messages",
            str(count),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=Path, default=Path("var/bench-models"))
    parser.add_argument("--messages", type=int, default=256)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--side", choices=["build", "detoxify", "project"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.models.resolve()

    if args.side is not None:  # a child process: measure one side, print one JSON line
        sides = {
            "build": lambda: _build(folder),
            "detoxify": lambda: _detoxify_as_is(folder, args.messages),
            "project": lambda: _project_path(folder, args.messages),
        }
        print(json.dumps(sides[args.side]()))
        return

    if args.rebuild or not (folder / "bench-model.json").is_file():
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        print(f"building a random xlm-roberta-base-sized detoxify model in {folder} (once)...", flush=True)
        built = _run_side("build", folder, args.messages)
        print(
            f"  built in {built['seconds']:.0f} s: checkpoint {built['checkpoint_mb']:.0f} MB, ONNX int8 "
            f"{built['onnx_mb']:.0f} MB ({built['quantisation']}), largest difference from torch "
            f"{built['max_abs_diff']:.4f}"
        )
    detox = _run_side("detoxify", folder, args.messages)
    ours = _run_side("project", folder, args.messages)

    load = os.getloadavg()[0]
    print(f"\n{args.messages} chat messages, mean {detox['mean_tokens']:.1f} tokens; each side in its own process")
    print(f"({os.cpu_count()} CPUs, load average {load:.1f} at the end: other work on the machine slows both sides)")
    print(f"{'':34}{'detoxify as-is':>18}{'ONNX int8 + batching':>24}{'ratio':>9}")
    rows = [
        ("throughput (msgs/s)", detox["msgs_per_s"], ours["msgs_per_s"], ours["msgs_per_s"] / detox["msgs_per_s"]),
        ("batch-1 latency median (ms)", detox["median_ms"], ours["median_ms"], detox["median_ms"] / ours["median_ms"]),
        ("batch-1 latency p90 (ms)", detox["p90_ms"], ours["p90_ms"], detox["p90_ms"] / ours["p90_ms"]),
        ("peak RSS (MB)", detox["peak_rss_mb"], ours["peak_rss_mb"], detox["peak_rss_mb"] / ours["peak_rss_mb"]),
        ("load time (s)", detox["load_s"], ours["load_s"], detox["load_s"] / ours["load_s"]),
    ]
    for name, theirs, mine, ratio in rows:
        print(f"{name:34}{theirs:>18.1f}{mine:>24.1f}{ratio:>8.2f}x")
    print(
        f"\nreference: detoxify predict() on batches of 32: {detox['batched32_msgs_per_s']:.1f} msgs/s; project path "
        f"one apredict at a time: {ours['sequential_msgs_per_s']:.1f} msgs/s, predict([text]) median "
        f"{ours['predict_median_ms']:.1f} ms; the burst took {ours['model_calls']} model calls; torch loaded on "
        f"the project path: {ours['torch_loaded']}"
    )
    speedup = ours["msgs_per_s"] / detox["msgs_per_s"]
    print(
        f"goals: throughput >= 3x detoxify: {speedup:.2f}x ({'met' if speedup >= 3 else 'NOT met'}); "
        f"RSS <= 500 MB: {ours['peak_rss_mb']:.0f} MB ({'met' if ours['peak_rss_mb'] <= 500 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
