"""Text tier speed on one core: throughput and per-message latency on a generated chat mix, beside a plain
word-list scorer; then the worst hostile messages and how long the event loop waits while they are judged.

    .venv/bin/python -m benchmarks.text_tier_speed [--messages 20000] [--seed 7] [--repeats 3] [--lingua]

The mix is generated here from our own fragments (no evaluation data): short school chat, longer messages,
Dutch and English, emoji, leetspeak and spacing tricks, some abusive lines. Printed side by side: a plain word-list
scorer (lower case, split on non-letters, look each word up in the lexicon's abusive words: what a naive filter
does), a first pass over fresh text (cold word cache) and a second pass over the same messages (warm cache, as in a
running bot whose chat vocabulary repeats), plus the normaliser alone; with --lingua also language detection.
Hostile messages are 64 KB each (the largest Matrix event): CPU time per message, best of three.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import time
from collections.abc import Callable, Sequence

from moderation.classify.classifier import TieredClassifier
from moderation.classify.config import ClassifierConfig
from moderation.classify.lexicon import build_lexicon
from moderation.classify.lookup import HURTFUL_KINDS
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


class WordListScorer:
    """The plain word list a naive filter uses: any abusive lexicon word in the lower-cased text scores 1."""

    _SPLIT = re.compile(r"[^a-z]+")

    def __init__(self) -> None:
        lexicon = build_lexicon()
        self._words = frozenset(w for w, es in lexicon.words.items() if any(e.kind in HURTFUL_KINDS for e in es))

    def score(self, text: str) -> float:
        return 1.0 if not self._words.isdisjoint(self._SPLIT.split(text.lower())) else 0.0


_SIZE = 65_536


def _fill(unit: str) -> str:
    return (unit * (_SIZE // len(unit) + 1))[:_SIZE]


def _censor(rng: random.Random, word: str) -> str:
    at = rng.randint(1, len(word) - 2)
    return word[:at] + "*" + word[at + 1 :]


def hostile_messages(seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    noise = " ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(12_000))
    symbols = "".join(rng.choice(letters + " .-*1😂\"'") for _ in range(_SIZE))
    insults = ["sukkel", "klootzak", "idioot", "kankerlijer", "hoer", "mongool", "eikel", "loser"]
    tails = [a + b for a in letters for b in letters]
    dense = " ".join(f"jij bent een {rng.choice(insults)} {rng.choice(tails)}" for _ in range(3000))
    new_words = ("".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(9000))
    censored = " ".join(_censor(rng, word) for word in new_words)
    return {
        '"1" * 65536': "1" * _SIZE,
        '"a" * 65536': "a" * _SIZE,
        "20,000 soft hyphens + insult": "\u00ad" * 20_000 + "jij bent een kankerlijer",
        "64 KB of zero-width spaces": _fill("\u200b"),
        "dots between letters (a.a.a)": _fill("a."),
        "censor stars (k*k*k*)": _fill("k*"),
        "quote marks ('\"a\" ')": _fill('"a" '),
        "one threat repeated": _fill("ik maak je af "),
        "split words repeated (kank er)": _fill("kank er "),
        "emoji inside words (h😂oer)": _fill("h😂oer "),
        "look-alike letters": _fill("јіј һоег "),
        "random new words": noise[:_SIZE],
        "random letters and symbols": symbols,
        "distinct insults, every sentence": dense[:_SIZE],
        "censored new words (q*zx)": censored[:_SIZE],
        "hashes inside new words (q#zx)": censored.replace("*", "#")[:_SIZE],
    }


def measure_hostile(tier: TextTier, seed: int) -> None:
    print(f"  hostile messages of up to {_SIZE:,} characters: CPU per message (best of 3); goal ≤ 50 ms")
    worst = ("", 0.0)
    for label, text in hostile_messages(seed).items():
        best = float("inf")
        for _ in range(3):
            started = time.thread_time()
            tier.classify(text)
            best = min(best, time.thread_time() - started)
        worst = max(worst, (label, best), key=lambda w: w[1])
        print(f"    {label:<34} {len(text):>7,} chars {best * 1e3:8.1f} ms")
    print(f"    worst: {worst[0]} {worst[1] * 1e3:.1f} ms")


async def _loop_lag(classifier: TieredClassifier, texts: Sequence[str]) -> tuple[float, float]:
    """The longest the event loop waited for a 1 ms ticker while the classifier judged `texts` one by one."""
    lags: list[float] = []
    running = True

    async def ticker() -> None:
        while running:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - before - 0.001)

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    for text in texts:
        await classifier.classify(text)
    elapsed = time.perf_counter() - started
    running = False
    await task
    return max(lags, default=0.0), elapsed


def measure_loop(tier: TextTier, seed: int) -> None:
    texts = list(hostile_messages(seed).values())
    lag, elapsed = asyncio.run(_loop_lag(TieredClassifier(tier), texts))
    print(
        f"  event loop while judging the {len(texts)} hostile messages through the classifier: longest wait "
        f"{lag * 1e3:.1f} ms over {elapsed:.2f} s (long messages are judged in a worker thread)"
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
    plain = WordListScorer()
    measure("plain word-list scorer (for comparison)", plain.score, texts, args.repeats)
    measure("normaliser alone", Normalizer().normalize, texts, args.repeats)
    measure("text tier, cold word cache", tier.classify, texts)
    measure(f"text tier, warm word cache (best of {args.repeats})", tier.classify, texts, args.repeats)
    huge = "jij bent een sukkel " * 50_000  # 1 MB: judged up to a bound, the note says so
    measure("text tier, 1 MB message (bounded)", tier.classify, [huge] * 5)
    print(f"  resident memory with the text tier: {rss_mb():.0f} MB")
    measure_hostile(tier, args.seed)
    measure_loop(tier, args.seed)
    if args.lingua:
        measure_lingua(texts)


if __name__ == "__main__":
    main()
