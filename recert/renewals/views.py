"""Renewal pages. The renewal form itself lands with issue 5."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def start(request: HttpRequest, certification_id: int) -> HttpResponse:
    raise Http404("Renewal is not available yet.")
