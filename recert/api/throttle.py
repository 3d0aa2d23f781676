"""Rate limit per token (or per signed-in user): API_RATE_LIMIT requests per
API_RATE_WINDOW_SECONDS, counted in Django's cache (recert.lib.ratelimit), so that the count
holds across server processes when the cache is Redis (REDIS_URL)."""

from __future__ import annotations

import threading

from django.conf import settings
from ninja.throttling import BaseThrottle

from recert.lib.ratelimit import hit


class TokenRateThrottle(BaseThrottle):
    """Over the limit the answer is 429 with Retry-After: the seconds until the window
    ends (ninja sets the header from `wait`)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        principal = getattr(request, "auth", None)
        if principal is None:
            return True
        allowed, self._local.wait = hit(f"api:{principal.owner_key}", settings.API_RATE_LIMIT,
                                        settings.API_RATE_WINDOW_SECONDS)
        return allowed

    def wait(self) -> float | None:
        return getattr(self._local, "wait", 1)
