"""Refuses log-in after repeated failures for one username or one address.

Failures are rows in the database (not the cache) so that every app server sees them.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from recert.accounts.models import LoginAttempt


def _since():
    return timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def _address(value: str | None) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n > 0 the entry of
    X-Forwarded-For that the outermost of our n proxies saw (the n-th from the right).

    Entries further left are written by the client and are never believed. A header shorter
    than n (a request that did not come through every proxy) or an entry that is not an
    address falls back to REMOTE_ADDR."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in
                 request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return _address(forwarded[-proxies]) or remote


def is_throttled(username: str, ip: str | None) -> bool:
    recent = LoginAttempt.objects.filter(at__gte=_since())
    username = username.strip().lower()
    if recent.filter(username=username).count() >= settings.LOGIN_THROTTLE_ATTEMPTS:
        return True
    if ip and recent.filter(ip=ip).count() >= settings.LOGIN_THROTTLE_IP_ATTEMPTS:
        return True
    return False


def record_failure(username: str, ip: str | None) -> None:
    LoginAttempt.objects.create(username=username.strip().lower(), ip=ip)
    # Old rows say nothing any more.
    LoginAttempt.objects.filter(at__lt=_since() - timedelta(days=1)).delete()


def clear_failures(username: str) -> None:
    LoginAttempt.objects.filter(username=username.strip().lower()).delete()
