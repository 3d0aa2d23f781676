"""GET /verify/?member_id=…&family_name=… (also a link or QR code from a certificate); the
Open Badges: the professional's download, the documents verifiers fetch (keys, issuer,
achievement, status lists) and the badge check (/verify/badge/)."""

from __future__ import annotations

import json
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from recert.core.access import access_certification, own_professional
from recert.core.models import CertifyingBody, Program
from recert.front.forms import describe
from recert.lib.clientip import client_ip
from recert.lib.ratelimit import hit
from recert.verify import badges, status_list, verification
from recert.verify.actions import BadgeRefused, do_issue_badge, do_set_public_listing
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
def verify_listing(request: HttpRequest) -> HttpResponse:
    """The settings page's choice: listed on /verify/ (the default) or not."""
    professional = own_professional(request.user)
    listed = request.POST.get("listed") == "on"
    do_set_public_listing(professional, listed=listed, actor=request.user)
    messages.success(request, "Anyone with your member ID and family name can now check your "
                              "certification status." if listed else
                     "Your certifications are no longer shown on the public verification "
                     "page.")
    return redirect("settings")


# Open Badges 3.0 -----------------------------------------------------------------------

PUBLIC_CACHE = "public, max-age=300"


def _public_json(document: dict, content_type: str = "application/json") -> JsonResponse:
    """A document verifiers fetch (keys, issuer, achievement): cacheable, and readable by a
    verifier's page on another site (CORS), as the key URLs of a badge must be."""
    response = JsonResponse(document, content_type=content_type,
                            json_dumps_params={"indent": 2})
    response["Cache-Control"] = PUBLIC_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(message: str) -> JsonResponse:
    response = JsonResponse({"detail": message}, status=404)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def badge_jwks(request: HttpRequest) -> JsonResponse:
    """/.well-known/jwks.json: the public keys of the badges (the signing key and the
    retired ones that still verify older badges)."""
    return _public_json(badges.jwks(), "application/jwk-set+json")


@require_GET
def badge_key(request: HttpRequest, key_id: str) -> JsonResponse:
    """One public key, at the URL that badges name in their `kid` header."""
    key = badges.key_by_id(key_id)
    if key is None:
        return _not_found("No such key: this site publishes its keys at "
                          "/.well-known/jwks.json.")
    return _public_json(key.jwk(badges.key_url(key.key_id)), "application/jwk+json")


@require_GET
def badge_issuer(request: HttpRequest, body_code: str) -> JsonResponse:
    body = CertifyingBody.objects.filter(code=body_code).first()
    if body is None:
        return _not_found("No such certifying body.")
    return _public_json({"@context": badges.CONTEXT, **badges.issuer_profile(body)})


@require_GET
def badge_achievement(request: HttpRequest, body_code: str, program_code: str
                      ) -> JsonResponse:
    program = (Program.objects.select_related("body")
               .filter(body__code=body_code, code=program_code).first())
    if program is None:
        return _not_found("No such program.")
    return _public_json({"@context": badges.CONTEXT, **badges.achievement(program)})


@require_GET
def badge_status_list(request: HttpRequest, body_code: str, list_number: int) -> HttpResponse:
    """A body's status list, as a signed BitstringStatusListCredential (VC-JWT)."""
    body = CertifyingBody.objects.filter(code=body_code).first()
    if not status_list.exists(body, list_number):
        return _not_found("No such status list.")
    signed = status_list.credential_jwt(body, list_number)
    if signed is None:
        return _not_found(badges.NOT_CONFIGURED)
    response = HttpResponse(signed, content_type=badges.MEDIA_TYPE)
    response["Cache-Control"] = f"public, max-age={settings.BADGE_STATUS_CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_POST
@login_required
def certification_badge(request: HttpRequest, certification_id: int) -> HttpResponse:
    """The signed badge of one of the signed-in professional's own active certifications,
    as a file (issued on the first download of a cycle, the same file afterwards)."""
    # own: staff download no one else's badge
    certification = access_certification(request.user, certification_id, own=True)
    try:
        badge = do_issue_badge(certification, actor=request.user,
                               today=timezone.localdate())
    except BadgeRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("certification", certification.pk)
    program = certification.program
    response = HttpResponse(badge.jwt, content_type=badges.MEDIA_TYPE)
    response["Content-Disposition"] = (f'attachment; filename="{program.body.code}-'
                                       f'{program.code}-open-badge.jwt"')
    response["Cache-Control"] = "no-store"
    return response


class BadgeForm(forms.Form):
    badge = forms.CharField(
        label="Badge", required=False, max_length=verification.MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Paste the badge: the text of the .jwt file its holder downloaded.")
    file = forms.FileField(
        label="Or the badge file", required=False,
        help_text="The .jwt file as downloaded from this site.")
    holder = forms.CharField(
        label="Holder's name or e-mail address (optional)", required=False, max_length=254,
        help_text="To check that the badge is theirs: the badge holds only salted hashes of "
                  "both.")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return ""
        if upload.size > verification.MAX_CHARS:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; a badge is a text file of at most "
                f"{verification.MAX_CHARS:,} bytes.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not text (UTF-8); a badge file is the text downloaded from "
                "this site.") from None

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("badge") or "").strip() and not data.get("file"):
            raise forms.ValidationError("Paste the badge or choose its file.")
        return data

    def text(self) -> str:
        return (self.cleaned_data.get("badge") or "").strip() or self.cleaned_data["file"]


def _holder_check(verdict: verification.Verdict, holder: str) -> bool | None:
    holder = holder.strip()
    if not holder or not verdict.identifier:
        return None
    if "@" in holder:
        return badges.holder_matches(list(verdict.identifier), email=holder)
    return badges.holder_matches(list(verdict.identifier), name=holder)


def verify_badge(request: HttpRequest) -> HttpResponse:
    """/verify/badge/: anyone pastes a badge (or chooses its file) and sees whether it
    stands, in words."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    form = (BadgeForm(request.POST, request.FILES) if request.method == "POST"
            else BadgeForm())
    context = {"form": form, "verdict": None, "holder": None}
    if request.method == "POST" and form.is_valid():
        verdict = verification.verify_badge(form.text())
        context["verdict"] = verdict
        context["holder"] = _holder_check(verdict, form.cleaned_data["holder"])
    describe(form)
    response = render(request, "verify/badge.html", context)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def verify_badge_json(request: HttpRequest) -> JsonResponse:
    """POST /verify/badge.json: the same check for programs, without an account. The body
    is the badge itself (any text type) or JSON {"badge": "…"}; the answer is JSON
    {"outcome", "valid", "message", "credential"}. Nothing is written and no session is
    read, so no CSRF token is needed."""
    if len(request.body) > verification.MAX_CHARS + 1000:
        return JsonResponse({"detail": f"The body is larger than a badge can be "
                                       f"({verification.MAX_CHARS:,} characters)."},
                            status=413)
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return JsonResponse({"detail": "The body is not UTF-8 text: send the badge (the "
                                       "downloaded .jwt text) or JSON {\"badge\": \"...\"}."},
                            status=400)
    if request.content_type == "application/json":
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not isinstance(document, dict) or not isinstance(document.get("badge"), str):
            return JsonResponse({"detail": "The JSON body needs a \"badge\" field holding the "
                                           "badge text (the downloaded .jwt)."}, status=400)
        text = document["badge"]
    response = JsonResponse(verification.verify_badge(text).as_json())
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response
