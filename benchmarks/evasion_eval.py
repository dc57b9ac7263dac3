"""How well detection holds against filter evasion: every trick applied to abusive and harmless messages.

    .venv/bin/python -m benchmarks.evasion_eval [--text-tier-only]

The messages are written here for this purpose (no evaluation data). In each, the word an evader would disguise
is marked with brackets: the insult in an abusive message; in a harmless one the word that looks like a slur, a
negation, or a plain content word. Each trick rewrites only that word (kan.ker, k-lootzak, h😂oer, kank er,
k*nker, k4nk3r, kaaanker, k a n k e r, look-alike letters, zero-width characters) or pads the message with 20,000
soft hyphens. Printed per trick, side by side with the plain spelling: the recall it keeps (goal: at least 95% of
the plain recall) and the false alarms it adds on harmless messages (goal: at most 1 point), for the text tier alone
(flagged at the default policy's thresholds) and for the whole classifier as `score_texts` gives it (the e5 tier and
the combination too; flagged at 0.5), which also sees the disguised word.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from moderation.classify import review_probability
from moderation.classify.classifier import build_classifier
from moderation.classify.config import ClassifierConfig
from moderation.classify.text_tier import TextTier
from moderation.classify.training.metrics import THRESHOLD
from moderation.model import Classification
from moderation.policy import DEFAULT_THRESHOLDS

ABUSIVE = [
    "jij bent echt een [klootzak]",
    "wat ben jij een [kankerlijer] zeg",
    "[kanker] op man",
    "ga toch [dood]",
    "ik maak je [af] na school",
    "je bent een vieze [hoer]",
    "wat een [sukkel] ben jij",
    "hou je [bek] nou eens",
    "jij bent zo [dom] echt",
    "alle moslims zijn [ratten]",
    "vieze [flikker]",
    "je moeder is een [slet]",
    "ik [haat] jou",
    "niemand wil jou [erbij]",
    "[tyfus] op met je gezeur",
    "jij bent een [mongool]",
    "wat ben jij [lelijk] zeg",
    "stuur me je [nudes]",
    "ik sla je in [elkaar]",
    "you are such a [loser]",
    "wat ben jij een [retard]",
    "jij [idioot]",
    "[kut] jij",
    "ik ga je [vermoorden]",
    "je bent een [eikel]",
    "lisa is echt een [trut]",
    "rot [op] jij",
    "ga [weg] niemand mist je",
    "jij bent [walgelijk]",
    "[teringlijer]",
]
HARMLESS = [
    "[negeer] hem gewoon",
    "ze gaan de school [sluiten]",
    "gebruik je [hersenen]",
    "je [verdomde] wifi doet het weer niet",
    "homo's zijn [niet] vies",
    "je bent [niet] alleen, we helpen je",
    "mijn oma heeft [kanker] en ik ben verdrietig",
    "wie heeft het [huiswerk] van wiskunde",
    "de [toets] is verplaatst naar vrijdag",
    "kan je moeder ons [ophalen]",
    "ik ga je [afmaken] in fortnite",
    "zie je straks bij de [fietsenstalling]",
    "dat was een [moeilijke] toets",
    "ik ben mijn [oplader] vergeten",
    "de drummer sloeg op het [bekken]",
    "waar is de [asbak]",
    "wat een goede [wedstrijd] gisteren",
    "ik vond die film echt [vet]",
    "we hebben gym in de grote [zaal]",
    "jij bent [kk] grappig",
    "ik haat [maandagen]",
    "hoeveel [huiswerk] hebben we",
    "ze is echt [slim]",
    "ik ben zo'n [sukkel], sleutels vergeten",
    "heb je de [samenvatting] van geschiedenis",
    "shit ik ben te [laat]",
    "damn that was a good [game]",
    "moslims vieren het [suikerfeest]",
    "de bus was weer te [laat] vanochtend",
    "iemand noemde haar een hoer, ik heb het [gemeld]",
]

_MARKED = re.compile(r"\[([^\]]+)\]")
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})
_LOOKALIKE = str.maketrans({"a": "ɑ", "o": "օ", "u": "ս", "n": "ո", "r": "г", "h": "һ", "k": "ĸ", "e": "е"})
_VOWELS = "aeiou"


def _middle(word: str, insert: str) -> str:
    half = max(1, len(word) // 2)
    return word[:half] + insert + word[half:] if len(word) > 1 else word


def _censor(word: str) -> str:
    for i, ch in enumerate(word[1:-1], start=1):
        if ch in _VOWELS:
            return word[:i] + "*" + word[i + 1 :]
    return word


def _stretch(word: str) -> str:
    for i, ch in enumerate(word):
        if ch in _VOWELS:
            return word[:i] + ch * 5 + word[i + 1 :]
    return word + word[-1] * 4


def _split(word: str) -> str:
    return word[:-2] + " " + word[-2:] if len(word) >= 5 else word


# A trick rewrites the marked word (or, for padding, the whole message).
TRICKS: dict[str, Callable[[str], str]] = {
    "plain": lambda w: w,
    "dot inside (kan.ker)": lambda w: _middle(w, "."),
    "hyphen (k-lootzak)": lambda w: w[0] + "-" + w[1:] if len(w) > 1 else w,
    "emoji inside (h😂oer)": lambda w: _middle(w, "😂"),
    "split by a space (kank er)": _split,
    "censored (k*nker)": _censor,
    "leetspeak (k4nk3r)": lambda w: w.translate(_LEET),
    "stretched (kaaaanker)": _stretch,
    "spaced letters (k a n k e r)": lambda w: " ".join(w),
    "look-alike letters": lambda w: w.translate(_LOOKALIKE),
    "zero-width inside": lambda w: "\u200b".join(w),
    "capitals": str.upper,
}
PADDING = "\u00ad" * 20_000  # also a trick: soft hyphens in front of the message


def apply(sentence: str, trick: Callable[[str], str]) -> str:
    return _MARKED.sub(lambda m: trick(m.group(1)), sentence)


def flagged(result: Classification) -> bool:
    return any(score >= DEFAULT_THRESHOLDS.get(category, 1.01) for category, score in result.scores)


@dataclass(frozen=True, slots=True)
class TrickResult:
    name: str
    recall: float  # share of abusive messages flagged
    false_alarms: float  # share of harmless messages flagged
    kept: float  # recall relative to the plain spelling's


Flags = Callable[[Sequence[str]], list[bool]]


def text_tier_flags(tier: TextTier) -> Flags:
    return lambda texts: [flagged(tier.classify(t)) for t in texts]


def evaluate(flags: Flags, abusive: Sequence[str] = ABUSIVE, harmless: Sequence[str] = HARMLESS) -> list[TrickResult]:
    def rate(sentences: Sequence[str], make: Callable[[str], str]) -> float:
        return sum(flags([make(s) for s in sentences])) / len(sentences)

    makers: dict[str, Callable[[str], str]] = {
        name: (lambda s, trick=trick: apply(s, trick)) for name, trick in TRICKS.items()
    }
    makers["20,000 soft hyphens in front"] = lambda s: PADDING + apply(s, TRICKS["plain"])
    plain_recall = rate(abusive, makers["plain"])
    out: list[TrickResult] = []
    for name, make in makers.items():
        recall = rate(abusive, make)
        out.append(TrickResult(name, recall, rate(harmless, make), recall / plain_recall if plain_recall else 0.0))
    return out


def _print(title: str, results: Sequence[TrickResult]) -> None:
    plain = results[0]
    print(title)
    print(f"  {'trick':<32} {'recall':>7} {'kept':>7} {'false alarms':>13} {'added':>7}   goals: kept ≥ 95%, added ≤ 1")
    for r in results:
        added = 100 * (r.false_alarms - plain.false_alarms)
        ok = "ok" if r.kept >= 0.95 and added <= 1.0 else "MISSED"
        print(f"  {r.name:<32} {r.recall:>7.1%} {r.kept:>7.1%} {r.false_alarms:>13.1%} {added:>+6.1f}pt   {ok}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text-tier-only", action="store_true", help="leave out the whole classifier")
    args = parser.parse_args()
    print(f"{len(ABUSIVE)} abusive and {len(HARMLESS)} harmless messages; each trick rewrites the marked word")
    _print("text tier alone:", evaluate(text_tier_flags(TextTier.from_config(ClassifierConfig(ml=None)))))
    if args.text_tier_only:
        return
    classifier = build_classifier(ClassifierConfig())
    tier = classifier.ml_tier.name if classifier.ml_tier is not None else "none: the engine cannot run here"

    def combined(texts: Sequence[str]) -> list[bool]:
        return [review_probability(c) >= THRESHOLD for c in classifier.classify_many(list(texts))]

    _print(f"whole classifier (ML tier: {tier}), as score_texts:", evaluate(combined))


if __name__ == "__main__":
    main()
