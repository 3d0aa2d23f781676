"""Log-in lock-outs (django-axes): what counts as one, when it ends, and the record of each.

Axes counts failed log-ins per (username, address) in `axes.AccessAttempt`; a pair with
LOGIN_FAILURE_LIMIT failures whose last failure is less than LOGIN_LOCKOUT_MINUTES old is
locked out. The reads here and the page (recert.accounts.views.locked_out) use that one rule.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max, QuerySet, Sum
from django.db.models.functions import Lower
from django.dispatch import receiver
from django.http import Http404
from django.utils import timezone

from recert.core.access import NOT_FOUND, pk_or_404, visible_professionals
from recert.core.models.staff import REGISTRAR

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


@contextmanager
def one_attempt_at_a_time(username: str | None, ip: str | None) -> Iterator[None]:
    """Runs a log-in attempt (axes' check, the password check and axes' count of a failure)
    alone among the attempts for the same (username, address), so that parallel wrong
    passwords cannot all pass the check before any of them is counted (issue 11 item 2).

    Axes' database handler counts atomically (a locked row, F() + 1) but checks before the
    password and counts after it; between the two, other requests pass the same check. On
    PostgreSQL a transaction-scoped advisory lock on the pair makes check and count one
    step; attempts for other pairs run in parallel. On SQLite the transaction itself takes
    the database's write lock (transaction_mode IMMEDIATE), which serialises every log-in."""
    key = f"recert.login:{normalize(username)}|{ip or ''}".encode()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            lock_id = int.from_bytes(hashlib.sha256(key).digest()[:8], "big", signed=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
        yield


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


# -- who may see and lift them (the staff console) ----------------------------------------

def visible_lockouts(actor):
    """Current log-in lock-outs (axes.AccessAttempt rows) the actor may see and lift: those
    of the usernames of the professionals of the bodies where they are registrar; all of
    them for a superuser. Lock-outs of made-up usernames lock nobody out and expire alone."""
    user = actor if getattr(actor, "is_authenticated", False) and actor.is_active else None
    if user is None:
        return current_lockouts().none()
    if user.is_superuser:
        return current_lockouts()
    usernames = get_user_model().objects.filter(
        professional__in=visible_professionals(user, REGISTRAR)).annotate(
        name=Lower("username")).values("name")
    return current_lockouts().filter(username__in=usernames)


def access_lockout(actor, pk):
    attempt = visible_lockouts(actor).filter(pk=pk_or_404(pk)).first()
    if attempt is None:
        raise Http404(NOT_FOUND)
    return attempt
