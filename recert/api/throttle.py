"""Rate limit per token (or per signed-in user): API_RATE_LIMIT requests per
API_RATE_WINDOW_SECONDS, counted in Django's cache with an atomic increment, so that the
count holds across server processes when the cache is Redis (REDIS_URL)."""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle


class TokenRateThrottle(BaseThrottle):
    """A fixed window per owner: the first request of a window creates its counter
    (cache.add), every request increments it (cache.incr, atomic in Redis); over the limit
    the answer is 429 with Retry-After: the seconds until the window ends."""

    def __init__(self) -> None:
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        principal = getattr(request, "auth", None)
        if principal is None:
            return True
        limit, window = settings.API_RATE_LIMIT, settings.API_RATE_WINDOW_SECONDS
        now = time.time()
        slot = int(now // window)
        key = f"recert:api-rate:{principal.owner_key}:{slot}"
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
        self._local.wait = (slot + 1) * window - now
        return count <= limit

    def wait(self) -> float | None:
        return max(1, math.ceil(getattr(self._local, "wait", 1)))
