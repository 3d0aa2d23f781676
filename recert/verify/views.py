"""GET /verify/?member_id=…&family_name=… (also a link or QR code from a certificate)."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from recert.front.views.common import own_professional
from recert.lib.clientip import client_ip
from recert.lib.ratelimit import hit
from recert.verify.actions import do_set_public_listing
from recert.verify.lookup import lookup


class VerifyForm(forms.Form):
    member_id = forms.CharField(
        label="Member ID", max_length=40,
        help_text="As printed on the certificate or card.",
        error_messages={"required": "Enter the member ID printed on the certificate."})
    family_name = forms.CharField(
        label="Family name", max_length=200,
        help_text="The certified person's family (last) name.",
        error_messages={"required": "Enter the family name of the certified person."})


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """The same page for every answer: the rows found, or one sentence that covers an
    unknown ID, a wrong name and a person who chose not to be listed alike. Lookups are
    rate-limited per address and padded to VERIFY_MIN_SECONDS, so that neither the answer
    nor its timing tells whether an ID exists."""
    form = VerifyForm(request.GET or None)
    context = {"form": form, "searched": False, "found": []}
    if form.is_bound and form.is_valid():
        allowed, retry_after = hit(f"verify:{client_ip(request) or 'unknown'}",
                                   settings.VERIFY_RATE_LIMIT,
                                   settings.VERIFY_RATE_WINDOW_SECONDS)
        if not allowed:
            response = render(request, "verify/verify.html", {
                **context, "retry_after": retry_after}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        started = time.monotonic()
        context["found"] = lookup(form.cleaned_data["member_id"],
                                  form.cleaned_data["family_name"], timezone.localdate())
        context["searched"] = True
        rest = settings.VERIFY_MIN_SECONDS - (time.monotonic() - started)
        if rest > 0:
            time.sleep(rest)
    response = render(request, "verify/verify.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@login_required
def listing(request: HttpRequest) -> HttpResponse:
    """The settings page's choice: listed on /verify/ (the default) or not."""
    professional = own_professional(request)
    listed = request.POST.get("listed") == "on"
    do_set_public_listing(professional, listed=listed, actor=request.user)
    messages.success(request, "Anyone with your member ID and family name can now check your "
                              "certification status." if listed else
                     "Your certifications are no longer shown on the public verification "
                     "page.")
    return redirect("settings")
