"""Writes of the accounts app: log-in lock-outs recorded and lifted (each with a history row).
Claim links are written by recert.core.actions.professionals."""

from __future__ import annotations

import logging

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower

from recert.accounts.lockouts import locked_until, normalize
from recert.core.actions import history
from recert.core.models import History, Professional

log = logging.getLogger("recert.security")


def _user_named(username: str):
    return get_user_model().objects.annotate(name=Lower("username")).filter(
        name=normalize(username)).first()


def _professional_of(user):
    return Professional.objects.filter(user=user).first() if user else None


def _record(action, username: str, ip, failures, *, actor, reason: str = "",
            attempt=None) -> None:
    user = _user_named(username)
    subject = user or attempt
    if subject is None:
        return
    changes = {"username": [None, normalize(username)], "address": [None, ip],
               "failures": [None, failures]}
    if reason:
        changes["reason"] = [None, reason]
    history.record(action, subject, actor=actor, professional=_professional_of(user),
                   changes=changes)


@transaction.atomic
def do_record_lockout(username: str, ip: str | None) -> None:
    """Logs a new lock-out of (username, ip), and keeps it in the history of the account
    of that username if there is one (a stranger's made-up usernames are only logged)."""
    until = locked_until(username, ip)
    log.warning("Log-in locked out: username %r from %s until %s", normalize(username), ip,
                until.isoformat() if until else "?")
    failures = sum(AccessAttempt.objects.filter(
        username=normalize(username), ip_address=ip).values_list("failures_since_start",
                                                                 flat=True))
    _record(History.Action.LOCK_OUT, username, ip, failures, actor=None)


def _lift(rows, *, actor, reason: str) -> int:
    pairs = {}
    for row in rows.select_for_update():
        pairs.setdefault((row.username, row.ip_address), []).append(row)
    for (username, ip), attempts in pairs.items():
        failures = sum(a.failures_since_start for a in attempts)
        log.warning("Log-in lock-out lifted (%s): username %r from %s", reason, username, ip)
        _record(History.Action.LIFT_LOCKOUT, username, ip, failures, actor=actor,
                reason=reason, attempt=attempts[0])
        AccessAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    return len(pairs)


@transaction.atomic
def do_lift_lockout(attempt: AccessAttempt, *, actor) -> int:
    """Staff lift the lock-out of one (username, address): its failures are forgotten.
    Returns how many pairs were lifted (0 when it was lifted or expired meanwhile)."""
    rows = AccessAttempt.objects.filter(username=attempt.username,
                                        ip_address=attempt.ip_address)
    return _lift(rows, actor=actor, reason="lifted by staff")


@transaction.atomic
def do_lift_lockouts_of(user, *, actor, reason: str = "password reset") -> int:
    """A new password (a reset by e-mail) lifts every lock-out of the user's username."""
    rows = AccessAttempt.objects.filter(username=normalize(user.get_username()))
    return _lift(rows, actor=actor, reason=reason)
