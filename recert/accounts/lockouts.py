"""Log-in lock-outs (django-axes): what counts as one, when it ends, and the record of each.

Axes counts failed log-ins per (username, address) in `axes.AccessAttempt`; a pair with
LOGIN_FAILURE_LIMIT failures whose last failure is less than LOGIN_LOCKOUT_MINUTES old is
locked out. The reads here and the page (recert.accounts.views.locked_out) use that one rule.
"""

from __future__ import annotations

import logging
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.dispatch import receiver
from django.utils import timezone

log = logging.getLogger("recert.security")


def normalize(username: str | None) -> str:
    return (username or "").strip().lower()


def username_of(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the username typed, case and spaces aside, so that "Alice"
    and "alice " share one count."""
    if credentials:
        return normalize(credentials.get("username"))
    data = getattr(request, "POST", None) or {}
    return normalize(data.get("username"))


def _since() -> datetime:
    return timezone.now() - get_cool_off()


def current_lockouts() -> QuerySet[AccessAttempt]:
    """Attempt rows whose (username, address) is locked out now (newest first). Axes keeps
    a row per user agent too; a pair is locked when their failures add up to the limit, so
    every row of such a pair is returned."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=_since())
    locked_pairs = recent.values("username", "ip_address").annotate(
        total=Sum("failures_since_start")).filter(total__gte=settings.AXES_FAILURE_LIMIT)
    pairs = list(locked_pairs.values_list("username", "ip_address"))
    if not pairs:
        return AccessAttempt.objects.none()
    ids = []
    for username, ip in pairs:
        ids += recent.filter(username=username, ip_address=ip).values_list("pk", flat=True)
    return AccessAttempt.objects.filter(pk__in=ids).order_by("-attempt_time", "pk")


def locked_until(username: str, ip: str | None) -> datetime | None:
    """When the lock-out of (username, ip) ends (None: it is not locked out)."""
    rows = AccessAttempt.objects.filter(username=normalize(username), ip_address=ip,
                                        attempt_time__gte=_since())
    found = rows.aggregate(total=Sum("failures_since_start"), last=Max("attempt_time"))
    if not found["total"] or found["total"] < settings.AXES_FAILURE_LIMIT:
        return None
    return found["last"] + get_cool_off()


@receiver(user_locked_out)
def _record_lockout(sender, request, username, ip_address, **kwargs):
    """Every lock-out is logged (and kept in the user's history when the username is
    someone's). Axes sends the signal again for each attempt during a lock-out; those are
    logged at INFO, the lock-out itself once at WARNING."""
    if getattr(request, "axes_failures_since_start", None) is None:
        log.info("Log-in refused during a lock-out: username %r from %s", username, ip_address)
        return
    from recert.accounts.actions import do_record_lockout

    do_record_lockout(username, ip_address)
