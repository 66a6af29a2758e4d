"""Token buckets: a short burst is fine, then a steady rate; shared by the bot and the web app."""

import time
from collections.abc import Callable, Hashable


class TokenBuckets:
    """One bucket per key (a user, a client address); idle buckets are forgotten."""

    def __init__(
        self,
        *,
        burst: int,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self._burst = float(burst)
        self._rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def take(self, key: Hashable) -> float:
        """Take a token: 0.0 if there was one, else the seconds until there will be."""
        now = self._clock()
        tokens, last = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self._max_keys:
            self._forget_full(now)
        return (1 - tokens) / self._rate

    def _forget_full(self, now: float) -> None:
        # A bucket idle long enough to be full again is the same as no bucket at all.
        refill_time = self._burst / self._rate
        for key, (_, last) in list(self._buckets.items()):
            if now - last > refill_time:
                del self._buckets[key]
