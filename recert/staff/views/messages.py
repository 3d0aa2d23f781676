"""Every message Recert sends, as a chosen professional would receive it today (issue 17):
staff check what a reminder, notice or receipt says before answering a question about it.
Rendering sends nothing and records nothing."""

from __future__ import annotations

from csp import constants as csp
from csp.decorators import csp as csp_policy
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from recert.core import mail
from recert.core.access import access_professional
from recert.staff.decorators import staff_required


def _rendered(professional, kind: str):
    if kind not in mail.preview_kinds():
        raise Http404("No such message.")
    return mail.render_message(kind, professional, today=timezone.localdate())


@staff_required()
def messages(request: HttpRequest, professional_id: int, kind: str | None = None
             ) -> HttpResponse:
    professional = access_professional(request.user, professional_id, as_staff=True)
    kinds = mail.preview_kinds()
    chosen = kind or (kinds[0] if kinds else None)
    message = _rendered(professional, chosen) if chosen else None
    return render(request, "staff/messages.html", {
        "professional": professional, "kinds": kinds, "kind": chosen, "message": message,
    })


# The HTML part is a whole e-mail document with its own inline styles (as mail clients need):
# it is served alone, sandboxed, with no scripts, never framed and never inside a page.
@csp_policy({"default-src": [csp.NONE], "style-src": [csp.UNSAFE_INLINE],
             "img-src": ["data:"], "frame-ancestors": [csp.NONE], "form-action": [csp.NONE],
             "base-uri": [csp.NONE], "sandbox": [""]})
@staff_required()
def message_html(request: HttpRequest, professional_id: int, kind: str) -> HttpResponse:
    professional = access_professional(request.user, professional_id, as_staff=True)
    message = _rendered(professional, kind)
    if message is None:
        raise Http404("This message has nothing to say to this professional today.")
    return HttpResponse(message.html, content_type="text/html; charset=utf-8")
