"""E-mail preferences (a section of the settings page, recert/api/views.settings_page) and
the one-click unsubscribe link that optional e-mail carries (RFC 8058)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recert.core.access import own_professional
from recert.core.actions.messages import do_set_email_preferences
from recert.core.mail import user_id_of_unsubscribe_token
from recert.core.models import Professional


@require_POST
@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    """Optional reminders on (the box ticked) or off (unticked: the field is absent)."""
    professional = own_professional(request.user)
    on = "optional_reminders" in request.POST
    do_set_email_preferences(professional, optional_reminders=on, actor=request.user)
    messages.success(request, "Optional reminders are on." if on else
                     "Optional reminders are off; notices with a deadline still come.")
    return redirect("settings")


def _professional_of_token(token: str) -> Professional:
    user_id = user_id_of_unsubscribe_token(token)
    professional = (Professional.objects.filter(user_id=user_id).first()
                    if user_id is not None else None)
    if professional is None:
        raise Http404("This unsubscribe link is not valid.")
    return professional


# No CSRF and no log-in: mail clients POST "List-Unsubscribe=One-Click" to this address
# themselves (RFC 8058); the signed token is what authorizes it, and all it can do is turn
# optional reminders off for the person it was signed for.
@csrf_exempt
@never_cache
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    professional = _professional_of_token(token)
    if request.method == "POST":
        do_set_email_preferences(professional, optional_reminders=False, actor=None)
        return render(request, "front/unsubscribed.html", {"professional": professional})
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    # GET only asks: a link scanner that opens the address changes nothing.
    return render(request, "front/unsubscribe.html", {"professional": professional})
