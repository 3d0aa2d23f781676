"""Log-in lock-outs of the people of the registrar's bodies, and lifting one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from recert.accounts.actions import do_lift_lockout
from recert.accounts.lockouts import access_lockout, locked_until, visible_lockouts
from recert.core.models.staff import REGISTRAR
from recert.staff.decorators import staff_required


@staff_required(REGISTRAR)
def lockouts(request: HttpRequest) -> HttpResponse:
    rows = {}
    for attempt in visible_lockouts(request.user):
        key = (attempt.username, attempt.ip_address)
        if key not in rows:
            rows[key] = {"attempt": attempt, "failures": 0,
                         "until": locked_until(attempt.username, attempt.ip_address)}
        rows[key]["failures"] += attempt.failures_since_start
    return render(request, "staff/lockouts.html", {"rows": list(rows.values())})


@require_POST
@staff_required(REGISTRAR)
def lift_lockout(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = access_lockout(request.user, attempt_id)
    do_lift_lockout(attempt, actor=request.user)
    messages.success(request, f"Log-in of {attempt.username} from {attempt.ip_address} is "
                              "possible again.")
    return redirect("staff:lockouts")
