"""Text tier speed on one core: throughput and per-message latency on a generated chat mix.

    .venv/bin/python -m benchmarks.text_tier_speed [--messages 20000] [--seed 7] [--repeats 3] [--lingua]

The mix is generated here from our own fragments (no evaluation data): short school chat, longer messages,
Dutch and English, emoji, leetspeak and spacing tricks, some abusive lines. Printed side by side: a first pass over
fresh text (cold word cache) and a second pass over the same messages (warm cache, as in a running bot whose
chat vocabulary repeats), plus the normaliser alone; with --lingua also language detection for comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable, Sequence

from moderation.classify.config import ClassifierConfig
from moderation.classify.normalize import Normalizer
from moderation.classify.text_tier import TextTier

_OPENERS = ["", "hey ", "yo ", "ok ", "haha ", "lol ", "wacht ", "bro ", "jongens ", "guys "]
_CLEAN = [
    "wie heeft het huiswerk voor wiskunde",
    "morgen valt het derde uur uit",
    "zie je straks bij de fietsenstalling",
    "heeft iemand de samenvatting van geschiedenis",
    "ik ben mijn oplader vergeten",
    "de toets is verplaatst naar vrijdag",
    "did anyone finish the english essay",
    "mijn oma heeft kanker en ik ben er verdrietig van",
    "wat een goede wedstrijd gisteren",
    "kan iemand mij helpen met opdracht 4",
    "we hebben gym in de grote zaal",
    "de bus was weer te laat vanochtend",
    "see you at practice tonight",
    "ik vond die film echt vet",
]
_ABUSIVE = [
    "jij bent echt een kankerlijer",
    "niemand wil jou erbij in de groep",
    "ik weet waar je woont",
    "1k m44k j3 af na school",
    "ga toch dood",
    "you are such a stupid loser",
    "k u t wijf",
    "alle moslims zijn ongedierte",
    "haha wat een mongool ben jij",
]
_EMOJI = ["", " 😂", " 😭😭", " 🙄", " 💀", " 👍"]
_FILLER = "en toen zei de leraar dat we het opnieuw moesten doen want het was niet goed genoeg "


def generate(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(count):
        body = rng.choice(_ABUSIVE) if rng.random() < 0.15 else rng.choice(_CLEAN)
        text = rng.choice(_OPENERS) + body + rng.choice(_EMOJI)
        roll = rng.random()
        if roll < 0.1:
            text = text + " " + _FILLER * rng.randint(2, 6)  # a long message
        elif roll < 0.15:
            text = text.upper()
        text += f" {rng.randint(1, 999)}" if rng.random() < 0.3 else ""  # numbers keep texts distinct
        out.append(text)
    return out


def _run(fn: Callable[[str], object], texts: Sequence[str]) -> tuple[float, float, list[int]]:
    """Wall time, this thread's CPU time (not inflated while other processes hold the core), latencies."""
    latencies: list[int] = []
    clock = time.perf_counter_ns
    cpu_started = time.thread_time()
    started = clock()
    for text in texts:
        t0 = clock()
        fn(text)
        latencies.append(clock() - t0)
    return (clock() - started) / 1e9, time.thread_time() - cpu_started, latencies


def measure(label: str, fn: Callable[[str], object], texts: Sequence[str], repeats: int = 1) -> None:
    """Best of `repeats` runs (the machine is shared: the fastest run is the least disturbed one)."""
    total, cpu, latencies = min((_run(fn, texts) for _ in range(repeats)), key=lambda run: run[0])
    latencies.sort()
    p50 = latencies[len(latencies) // 2] / 1e3
    p99 = latencies[int(len(latencies) * 0.99)] / 1e3
    print(
        f"  {label:<40} {len(texts) / total:>8,.0f} msg/s wall {len(texts) / cpu:>8,.0f} msg/s cpu   "
        f"p50 {p50:7.1f} µs   p99 {p99:8.1f} µs   max {latencies[-1] / 1e3:8.1f} µs"
    )


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure_lingua(texts: Sequence[str]) -> None:
    """Language detection restricted to the configured languages, for comparison: it is not part of the tier."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        print("  lingua not installed: language detection not measured")
        return
    before = rss_mb()
    detector = (
        LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.ENGLISH)
        .with_preloaded_language_models()
        .build()
    )
    print(f"  lingua nl+en detector: +{rss_mb() - before:.0f} MB resident after loading its models")
    measure("lingua detect_language_of (nl+en)", detector.detect_language_of, texts, 3)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3, help="warm runs; the best one is printed")
    parser.add_argument("--lingua", action="store_true", help="also measure lingua language detection (nl+en)")
    args = parser.parse_args(argv)
    texts = generate(args.messages, args.seed)
    mean_len = sum(len(t) for t in texts) / len(texts)
    print(f"{len(texts):,} generated chat messages, mean {mean_len:.0f} characters, one core (single thread)")
    print(
        f"  machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: shared machines are noisy"
    )
    started = time.perf_counter()
    tier = TextTier.from_config(ClassifierConfig(ml=None))
    print(f"  build (load lexicon, index): {time.perf_counter() - started:.3f} s")
    measure("normaliser alone", Normalizer().normalize, texts, args.repeats)
    measure("text tier, cold word cache", tier.classify, texts)
    measure(f"text tier, warm word cache (best of {args.repeats})", tier.classify, texts, args.repeats)
    huge = "jij bent een sukkel " * 50_000  # 1 MB: judged in a bounded window
    measure("text tier, 1 MB message (window)", tier.classify, [huge] * 5)
    print(f"  resident memory with the text tier: {rss_mb():.0f} MB")
    if args.lingua:
        measure_lingua(texts)


if __name__ == "__main__":
    main()
