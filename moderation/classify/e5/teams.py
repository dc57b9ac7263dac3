"""How many threads a lone chat message is embedded on: the team that has been faster here lately.

A chat message (~20 tokens) passes ~150 parallel regions in the engine. On a quiet machine a team of two, whose
threads spin briefly at each barrier, embeds it in about 0.57x the time of one thread for ~1.1x the CPU; on a busy
machine the second thread is often descheduled, each barrier waits for it, and the same team takes 1.3x the time of
one thread or worse. Which holds changes with what else the machine runs, so it is measured, not guessed: every
lone short call is timed per character, the faster team's running mean decides, and one call in `explore_every`
tries the other team so a change of load is noticed. A team's size changes no embedding (the engine computes every
output number on one thread in a fixed order), only how long it takes.
"""

from __future__ import annotations

import threading

EXPLORE_EVERY = 16
# Weight of the newest timing in a team's running mean: about the last ten calls count.
SMOOTHING = 0.2


class TeamChoice:
    """Chooses between a team of one and a team of `threads` for lone calls, from their measured speed."""

    def __init__(self, threads: int, *, explore_every: int = EXPLORE_EVERY, smoothing: float = SMOOTHING) -> None:
        if threads < 1 or explore_every < 2 or not 0 < smoothing <= 1:
            raise ValueError("threads >= 1, explore_every >= 2 and 0 < smoothing <= 1 are needed")
        self.threads = threads
        self.explore_every = explore_every
        self.smoothing = smoothing
        self._seconds_per_char: dict[int, float] = {}
        self._calls = 0
        self._lock = threading.Lock()

    def choose(self) -> int:
        if self.threads == 1:
            return 1
        with self._lock:
            self._calls += 1
            untried = [team for team in (1, self.threads) if team not in self._seconds_per_char]
            if untried:
                return untried[0]
            faster = min((1, self.threads), key=lambda team: self._seconds_per_char[team])
            if self._calls % self.explore_every == 0:
                return self.threads if faster == 1 else 1
            return faster

    def record(self, team: int, chars: int, seconds: float) -> None:
        per_char = seconds / max(1, chars)
        with self._lock:
            mean = self._seconds_per_char.get(team)
            self._seconds_per_char[team] = per_char if mean is None else mean + self.smoothing * (per_char - mean)

    def mean_seconds_per_char(self) -> dict[int, float]:
        with self._lock:
            return dict(self._seconds_per_char)
