"""Refuses log-in after repeated failures for one username or one address.

Failures are rows in the database (not the cache) so that every app server sees them.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from recert.accounts.models import LoginAttempt


def _since():
    return timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
