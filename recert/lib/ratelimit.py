"""A fixed-window counter in Django's cache: `hit` counts one request for a key and says
whether it is within the limit and how long until the window ends. The counter is an
atomic cache.incr, so with Redis (REDIS_URL) every server process shares it."""

from __future__ import annotations

import math
import time

from django.core.cache import cache


def hit(key: str, limit: int, window: int) -> tuple[bool, int]:
    """(allowed, seconds until the window ends) after counting one request for `key`."""
    now = time.time()
    slot = int(now // window)
    name = f"recert:rate:{key}:{slot}"
    cache.add(name, 0, timeout=window + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # evicted between add and incr
        cache.add(name, 1, timeout=window + 1)
        count = 1
    return count <= limit, max(1, math.ceil((slot + 1) * window - now))
