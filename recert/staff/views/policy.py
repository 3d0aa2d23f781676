"""Fees and policy values (issue 12): each editable parameter of the staff member's bodies
with its value today and its history; the policy role sets a new dated value."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recert.core.access import access_body, staff_bodies, staff_roles
from recert.core.actions.policies import do_set_policy_value
from recert.core.models.staff import POLICY
from recert.core.policies import (
    current_policies,
    editable_value,
    editable_values,
    parameter_history,
)
from recert.staff.decorators import staff_required
from recert.staff.policy_forms import PolicyValueForm


@staff_required()
def policy_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    policies = current_policies()
    roles = staff_roles(request.user)
    bodies = []
    for body in staff_bodies(request.user):
        policy = policies.bodies.get(body.code)
        if policy is None:
            continue
        rows = []
        for editable in editable_values(body.code):
            parameter = policy.parameters[editable.parameter]
            entry = parameter.entry_at(today)
            upcoming = [d for d in parameter.values if d.start > today]
            rows.append({
                "editable": editable,
                "value": getattr(entry.value, editable.field) if entry and entry.value else None,
                "source": entry.source if entry else "",
                "next": upcoming[0] if upcoming else None,
                "next_value": (getattr(upcoming[0].value, editable.field)
                               if upcoming and upcoming[0].value else None),
            })
        bodies.append({"body": body, "rows": rows,
                       "can_set": POLICY in roles.get(body.code, [])})
    return render(request, "staff/policy.html", {"bodies": bodies, "today": today})


def _editable_or_404(body, key):
    editable = editable_value(body.code, key)
    if editable is None:
        raise Http404("No such policy value.")
    return editable


def _page(request, body, editable, form, *, status=200):
    today = timezone.localdate()
    can_set = POLICY in staff_roles(request.user).get(body.code, [])
    return render(request, "staff/policy_parameter.html", {
        "body": body, "editable": editable, "today": today, "can_set": can_set,
        "history": parameter_history(body.code, editable, today),
        "form": form if can_set else None,
    }, status=status)


def _is_boolean(editable) -> bool:
    return editable.parameter == "cpr_aed_required"


@staff_required()
def policy_parameter(request: HttpRequest, body_code: str, key: str) -> HttpResponse:
    body = access_body(request.user, body_code)
    editable = _editable_or_404(body, key)
    return _page(request, body, editable, PolicyValueForm(boolean=_is_boolean(editable)))


@staff_required(POLICY)
@require_POST
def set_policy_value(request: HttpRequest, body_code: str, key: str) -> HttpResponse:
    body = access_body(request.user, body_code, POLICY)
    editable = _editable_or_404(body, key)
    form = PolicyValueForm(request.POST, boolean=_is_boolean(editable))
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_set_policy_value(body, key, str(data["value"]), data["starts_on"],
                                data["reason"], data["source"], actor=request.user,
                                today=timezone.localdate())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("staff:policy_parameter", body_code=body.code, key=key)
    return _page(request, body, editable, form, status=400)
