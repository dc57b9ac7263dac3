"""Masking personal data in a stored excerpt: the incident log must not become a second copy of the leak."""

from __future__ import annotations

from collections.abc import Sequence

from moderation.personal_data.finders import Finding, Kind

MASK = "•"
# How many characters stay readable at each end: enough for a reviewer to see what kind of data it was
# ("06-•••• ••78"), never enough to use it.
_KEEP: dict[Kind, tuple[int, int]] = {
    Kind.PHONE: (2, 2),
    Kind.EMAIL: (1, 0),
    Kind.ADDRESS: (1, 0),
    Kind.BSN: (0, 2),
    Kind.IBAN: (2, 2),
    Kind.PLATE: (0, 0),
}


def mask(text: str, findings: Sequence[Finding]) -> str:
    """`text` with every letter and digit of each finding replaced by MASK, but for a few at each end."""
    out: list[str] = []
    pos = 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(text[pos : finding.start])
        out.append(_mask_one(text[finding.start : finding.end], finding.kind))
        pos = finding.end
    out.append(text[pos:])
    return "".join(out)


def _mask_one(value: str, kind: Kind) -> str:
    head, tail = _KEEP[kind]
    if kind is Kind.EMAIL:
        local, _, domain = value.partition("@")
        top = domain.rsplit(".", 1)[-1]
        return _masked(local, 1, 0) + "@" + MASK * 3 + "." + top
    return _masked(value, head, tail)


def _masked(value: str, head: int, tail: int) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    keep = set(positions[:head]) | set(positions[len(positions) - tail :] if tail else ())
    return "".join(ch if (i in keep or not ch.isalnum()) else MASK for i, ch in enumerate(value))
