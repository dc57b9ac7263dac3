"""Where a normalised message quotes someone: between double marks, and between single marks that are no apostrophes.

Normalisation turns „…” and “…” into "…", and ‘…’ into '…'. A single mark is also the Dutch apostrophe
(`homo's`, `z'n`, `'s avonds`, `'t is`, `Thomas' fiets`), so it opens a quote only at the start of a word that is
not one of the clipped words (`'s`, `'t`, `'n`, `'k`, `'m`, `'r`, `'90`), and closes one only at the end of a word
(a letter or punctuation before it, a space, punctuation or the end after it). An opening mark without its closing
one quotes nothing. One pass over the text: linear, whatever the message.
"""

from __future__ import annotations

# 's avonds, 't is, 'n beetje, 'k weet het, 'm, 'r: an apostrophe standing for dropped letters, never a quote
_CLIPPED = frozenset("stnkmr")
_OPENERS_BEFORE = frozenset(" \t\n([{:;,-")


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before not in _OPENERS_BEFORE or not after.isalnum():
        return False
    if after.isdigit():  # '90, '23: a year
        return False
    following = text[i + 2] if i + 2 < len(text) else " "
    return not (after in _CLIPPED and not following.isalnum())


def _closes(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or not after.isalnum())


def single_spans(text: str) -> list[tuple[int, int]]:
    """(opening mark, closing mark) of each quote in single marks, in order."""
    spans: list[tuple[int, int]] = []
    start = -1
    at = text.find("'")
    while at >= 0:
        if start < 0:
            if _opens(text, at):
                start = at
        elif _closes(text, at):
            spans.append((start, at))
            start = -1
        at = text.find("'", at + 1)
    return spans


def double_spans(text: str) -> list[tuple[int, int]]:
    marks = [i for i, ch in enumerate(text) if ch == '"']
    return [(marks[i], marks[i + 1]) for i in range(0, len(marks) - 1, 2)]


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint (opening, closing) mark positions of every quote; a single-mark quote inside or across a
    double-mark one is part of that one."""
    doubles = double_spans(text) if '"' in text else []
    singles = single_spans(text) if "'" in text else []
    if not singles:
        return doubles
    if not doubles:
        return singles
    merged: list[tuple[int, int]] = []
    k = 0
    for start, end in singles:
        while k < len(doubles) and doubles[k][1] < start:
            k += 1
        if k < len(doubles) and doubles[k][0] <= end:  # overlaps a double-mark quote
            continue
        merged.append((start, end))
    return sorted(doubles + merged)
