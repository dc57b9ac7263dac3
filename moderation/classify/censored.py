"""The known words a censored spelling may stand for (k*nker, sl*iten, t**fus): the same letters around the censor
marks, each run of marks one letter a mark (else, when no word fits so, one letter to one more than the marks).

Words are kept per length, sorted by their beginning and by their ending, so that the few words that begin and end
as the censored word does are found by bisection: the work per censored word does not grow with the word lists.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence

MARK = "*"  # what the normaliser leaves of a censor mark between letters
MAX_MARKS = 3  # marks in one word (t**fus); more is no censored word but noise
_MARKS = re.compile(r"\*+")
_AFTER_ALL = "\x7f"  # sorts after every letter: `prefix + _AFTER_ALL` bounds the words beginning with `prefix`
_FEW = 8  # so many words beginning alike are checked as they are, without looking at their endings


class _Length:
    """The words of one length: sorted, and their indexes sorted by the word read backwards."""

    __slots__ = ("by_ending", "words")

    def __init__(self, words: list[str]) -> None:
        self.words = sorted(words)
        self.by_ending = sorted(range(len(words)), key=self._backwards)

    def _backwards(self, index: int) -> str:
        return self.words[index][::-1]

    def candidates(self, beginning: str, ending: str) -> Sequence[str]:
        """A few words among which are all that begin with `beginning` and end with `ending`."""
        words = self.words
        low = bisect_left(words, beginning)
        high = bisect_left(words, beginning + _AFTER_ALL, low)
        if high - low <= _FEW:
            return words[low:high]
        backwards = ending[::-1]
        first = bisect_left(self.by_ending, backwards, key=self._backwards)
        last = bisect_left(self.by_ending, backwards + _AFTER_ALL, first, key=self._backwards)
        if last - first < high - low:
            return [words[i] for i in self.by_ending[first:last]]
        return words[low:high]


class CensoredWords:
    def __init__(self, words: Iterable[str]) -> None:
        by_length: dict[int, list[str]] = {}
        for word in set(words):
            if len(word) >= 3 and MARK not in word:
                by_length.setdefault(len(word), []).append(word)
        self._lengths = {length: _Length(group) for length, group in by_length.items()}

    def fits(self, token: str) -> list[str]:
        """The known words `token` may stand for, sorted; none for a token that is no censored word (marks at
        its edges, more than MAX_MARKS marks, fewer than two letters)."""
        pieces = _MARKS.split(token)
        marks = token.count(MARK)
        if len(pieces) < 2 or not pieces[0] or not pieces[-1] or marks > MAX_MARKS or len(token) - marks < 2:
            return []
        runs = [len(run) for run in _MARKS.findall(token)]
        found = self._fitting(pieces, [(n, n) for n in runs])
        return found or self._fitting(pieces, [(1, n + 1) for n in runs])

    def _fitting(self, pieces: list[str], gaps: list[tuple[int, int]]) -> list[str]:
        letters = sum(map(len, pieces))
        out: list[str] = []
        for length in range(letters + sum(low for low, _ in gaps), letters + sum(high for _, high in gaps) + 1):
            group = self._lengths.get(length)
            if group is not None:
                candidates = group.candidates(pieces[0], pieces[-1])
                out += (w for w in candidates if w.startswith(pieces[0]) and _fits(w, len(pieces[0]), pieces, gaps))
        return sorted(out)


def _fits(word: str, position: int, pieces: Sequence[str], gaps: Sequence[tuple[int, int]], done: int = 1) -> bool:
    """Whether `word` from `position` on is gaps[done - 1] letters, pieces[done], and so on to its end (the
    pieces before `done` fit already)."""
    if done == len(pieces):
        return position == len(word)
    low, high = gaps[done - 1]
    piece = pieces[done]
    return any(
        word.startswith(piece, position + width) and _fits(word, position + width + len(piece), pieces, gaps, done + 1)
        for width in range(low, high + 1)
    )
