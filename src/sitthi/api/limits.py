"""Rate limits: a token bucket per caller (per client or user, else per address), so that
one partner system cannot starve the others or walk the registry by brute force."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sitthi.api.problems import Problem


@dataclass
class RateLimiter:
    """``per_minute`` requests per key on average, bursts up to ``burst``."""

    per_minute: int
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, key: str) -> None:
        """Spend one token of ``key``'s bucket, or refuse with 429 and Retry-After."""
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, seen = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - seen) * rate)
            if tokens < 1.0:
                wait = max(1, int((1.0 - tokens) / rate + 0.999))
                self._buckets[key] = (tokens, now)
                raise Problem(
                    429,
                    "too-many-requests",
                    f"เรียกบ่อยเกินไป โปรดรอ {wait} วินาที",
                    f"too many requests: wait {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:  # forget idle callers rather than grow forever
                idle = [k for k, (_, t) in self._buckets.items() if now - t > 600]
                for k in idle:
                    del self._buckets[k]
