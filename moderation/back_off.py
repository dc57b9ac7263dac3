"""How many notices and cards may be on their way to a platform at once, from how fast it answers (pure: no clock,
no asyncio; the caller passes `now`).

The deletions are the measure: when the homeserver is saturated, every card of ours in flight slows the next
deletion down. So each deletion's round-trip is noted; when the recent ones are well above the quickest seen
lately, the deliveries yield: half as many at once (down to one) and a pause before each one starts; one more is
allowed back for each `recover` seconds of quick answers. A rate limit (`retry_after`) stops every delivery until
it has passed. Without deletions for a while there is nothing to make way for: every worker may go.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackOffSettings:
    most: int  # deliveries at once when the platform keeps up (the workers)
    slow_factor: float = 3.0  # recent round-trips this many times the quickest seen are slow ...
    slow_margin: float = 0.03  # ... and at least this many seconds above it (a 4 ms deletion at 13 ms is fine)
    recover: float = 1.0  # seconds of quick answers for each delivery let back in
    quiet: float = 3.0  # no deletion this long: nothing to make way for
    longest_pause: float = 2.0  # the pause before a delivery while slow is at most this


class BackOff:
    def __init__(self, settings: BackOffSettings) -> None:
        self.settings = settings
        self._level = settings.most
        self._quickest: float | None = None  # drifts up slowly, so that a lasting change of machine is followed
        self._recent: float | None = None  # moving average of the last round-trips
        self._changed_at = float("-inf")
        self._seen_at = float("-inf")
        self._limited_until = float("-inf")
        self.yielded = 0  # how often the deliveries were cut back (logged at stop)

    @property
    def slow(self) -> bool:
        if self._recent is None or self._quickest is None:
            return False
        s = self.settings
        return self._recent > self._quickest * s.slow_factor and self._recent > self._quickest + s.slow_margin

    def observed(self, seconds: float, now: float) -> None:
        """One deletion's round-trip took `seconds`."""
        seconds = max(0.0, seconds)
        if self._quickest is None or seconds < self._quickest:
            self._quickest = seconds
        else:
            self._quickest += (seconds - self._quickest) * 0.005
        self._recent = seconds if self._recent is None else self._recent * 0.7 + seconds * 0.3
        self._seen_at = now
        if self.slow:
            if self._level > 1 and now - self._changed_at >= self._recent:  # once per round-trip, not per answer
                self._level = max(1, self._level // 2)
                self._changed_at = now
                self.yielded += 1
        elif self._level < self.settings.most and now - self._changed_at >= self.settings.recover:
            self._level += 1
            self._changed_at = now

    def limited(self, retry_after: float, now: float) -> None:
        """The platform refused a call for `retry_after` seconds (Matrix: M_LIMIT_EXCEEDED's retry_after_ms)."""
        self._limited_until = max(self._limited_until, now + max(0.0, retry_after))
        self._seen_at = max(self._seen_at, self._limited_until)  # quiet counts from the limit's end
        if self._level > 1:
            self.yielded += 1
        self._level = 1
        self._changed_at = now

    def allowed(self, now: float) -> int:
        """Deliveries that may be in flight now (0 while a rate limit lasts)."""
        if now < self._limited_until:
            return 0
        if now - self._seen_at >= self.settings.quiet:
            return self.settings.most
        return self._level

    def pause(self, now: float) -> float:
        """Seconds the next delivery waits before it starts (0: it may go now)."""
        if now < self._limited_until:
            return self._limited_until - now
        if now - self._seen_at >= self.settings.quiet or not self.slow:
            return 0.0
        assert self._recent is not None and self._quickest is not None
        return min(self.settings.longest_pause, self._recent - self._quickest)
