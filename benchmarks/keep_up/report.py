"""The figures as printed: one line per bot per step, then the table and the summary line."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

KEPT_UP_P90_MS = 250.0  # a step is kept up when its p90 send → redaction stays under this
Step = tuple[float, dict[str, Any], dict[str, Any], float]  # rate, the bare bot's figures, schoolwacht's, fan-out s


def row(label: str, f: dict[str, Any]) -> str:
    return (
        f"{label:<12} p50 {f['p50']:7.0f}  p90 {f['p90']:7.0f}  p99 {f['p99']:7.0f} ms   "
        f"redacted once {f['once']}/{f['n']} (missing {f['missing']}, twice {f['twice']}, harmless {f['wrong']}); "
        f"send itself p50 {f['send']:.0f} ms, accepted → redaction p50 {f['after_accept']:.0f} ms"
    )


def summarise(results: Sequence[Step]) -> None:
    print(f"\n{'rate':>6} | {'bare p50/p90/p99 ms':>22} | {'schoolwacht p50/p90/p99 ms':>27} | p50 ratio")
    for rate, bare, full, _fanout in results:
        b = f"{bare['p50']:.0f} / {bare['p90']:.0f} / {bare['p99']:.0f}"
        f = f"{full['p50']:.0f} / {full['p90']:.0f} / {full['p99']:.0f}"
        print(f"{rate:>6g} | {b:>22} | {f:>27} | {full['p50'] / bare['p50']:.2f}")
    kept_bare = max((r for r, b, _f, _o in results if b["p90"] < KEPT_UP_P90_MS), default=0.0)
    kept_full = max((r for r, _b, f, _o in results if f["p90"] < KEPT_UP_P90_MS), default=0.0)
    exact = all(f["once"] == f["n"] and not f["wrong"] for _r, _b, f, _o in results)
    worst = max(f["p50"] / b["p50"] for _r, b, f, _o in results if b["p90"] < KEPT_UP_P90_MS) if kept_bare else 0.0
    print(
        f"sustainable (p90 < {KEPT_UP_P90_MS:.0f} ms): bare {kept_bare:g} msg/s, schoolwacht {kept_full:g} msg/s; "
        f"worst p50 ratio where the bare bot keeps up: {worst:.2f}"
    )
    bare_p50 = statistics.median(b["p50"] for _r, b, _f, _o in results)
    full_p50 = statistics.median(f["p50"] for _r, _b, f, _o in results)
    ratio = kept_full / kept_bare if kept_bare else 0.0
    print(
        f"bare_p50_ms={bare_p50:.0f} pipeline_p50_ms={full_p50:.0f} p50_ratio={full_p50 / bare_p50:.2f} "
        f"sustainable_ratio={ratio:.2f} exactly_once={'yes' if exact else 'no'}"
    )
