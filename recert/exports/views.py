"""Transcript downloads (xlsx, CSV, PDF), the print view, and the private calendar feed.

Nothing here takes a professional's id: every page works on request.user's own record, so
no URL can reach someone else's. The calendar feed is the exception by design: its secret
token is the capability.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from recert.core.access import own_professional
from recert.core.evaluation import Standing, evaluated_of, standing_of
from recert.core.models import CreditEntry
from recert.exports import transcript as tx
from recert.exports.actions import (
    AccountClosed,
    do_close_account,
    do_ensure_calendar_feed,
    do_export_data,
    do_issue_calendar_feed,
)
from recert.exports.deadlines import calendar_ics, deadlines_of
from recert.exports.models import CalendarFeed
from recert.exports.yourdata import closing_plan
from recert.front.forms import describe

FORMATS = {
    "xlsx": ("Excel spreadsheet (.xlsx)",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("CSV (.csv)", "text/csv; charset=utf-8"),
    "pdf": ("PDF (.pdf)", "application/pdf"),
}
PRINT_CSS = "exports/print.css"


def _transcript(request: HttpRequest, scope: str) -> tx.Transcript:
    if scope not in tx.SCOPES:
        raise Http404("No such transcript.")
    professional = own_professional(request.user)
    # The evaluation the pages cache (no credit row read when it is cached), and the
    # entries as they are shown: no per-entry decisions (the engine's results carry them).
    # An entry added or removed in between is not in the results, or not among the
    # entries: build_transcript lists only what both have.
    certifications, evaluated = evaluated_of(professional, timezone.localdate())
    entries = list(CreditEntry.objects.filter(professional=professional)
                   .order_by("earned_on", "id"))
    standing = Standing(evaluated.evaluation, certifications, entries)
    return tx.build_transcript(standing, professional.full_name, scope)


def _filename(transcript: tx.Transcript, extension: str) -> str:
    name = slugify(transcript.professional_name) or "record"
    return f"recert-transcript-{name}-{transcript.scope}-{transcript.as_of.isoformat()}.{extension}"


@login_required
@require_GET
def transcript(request: HttpRequest) -> HttpResponse:
    professional = own_professional(request.user)
    choices = [
        (scope, label, [(fmt, FORMATS[fmt][0], reverse("exports:transcript_download",
                                                       args=[scope, fmt])) for fmt in FORMATS])
        for scope, label in tx.SCOPES.items()
    ]
    return render(request, "exports/transcript.html", {
        "professional": professional, "choices": choices,
    })


@login_required
@require_GET
def transcript_print(request: HttpRequest, scope: str) -> HttpResponse:
    transcript = _transcript(request, scope)
    return render(request, "exports/print.html", {
        "transcript": transcript, "other_scopes": tx.SCOPES,
    })


def transcript_document(transcript: tx.Transcript):
    """The laid-out PDF pages (WeasyPrint), from the print view's markup and print stylesheet."""
    from weasyprint import CSS, HTML

    html = render_to_string("exports/transcript_pdf.html", {"transcript": transcript})
    return HTML(string=html).render(stylesheets=[CSS(filename=finders.find(PRINT_CSS))])


def transcript_pdf(transcript: tx.Transcript) -> bytes:
    return transcript_document(transcript).write_pdf()


@login_required
@require_GET
def transcript_download(request: HttpRequest, scope: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format.")
    transcript = _transcript(request, scope)
    if fmt == "xlsx":
        body = tx.transcript_xlsx(transcript)
    elif fmt == "csv":
        body = tx.transcript_csv(transcript)
    else:
        body = transcript_pdf(transcript)
    response = HttpResponse(body, content_type=FORMATS[fmt][1])
    # The PDF opens in the browser; spreadsheets are saved.
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{_filename(transcript, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- calendar --------------------------------------------------------------------------------

def _feed_urls(request: HttpRequest, feed: CalendarFeed) -> tuple[str, str]:
    url = request.build_absolute_uri(reverse("exports:calendar_feed", args=[feed.token]))
    return url, "webcal://" + url.split("://", 1)[1]


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    professional = own_professional(request.user)
    feed = do_ensure_calendar_feed(professional, actor=request.user)
    url, webcal = _feed_urls(request, feed)
    standing = standing_of(professional, timezone.localdate())
    response = render(request, "exports/calendar.html", {
        "professional": professional, "feed": feed, "feed_url": url, "webcal_url": webcal,
        "deadlines": deadlines_of(standing), "as_of": standing.evaluation.as_of,
    })
    # The page shows a secret URL: keep it out of shared caches. (The site's "same-origin"
    # referrer policy already keeps it from other sites; "no-referrer" would make the
    # browser send "Origin: null" with the regenerate form and fail the CSRF check.)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    professional = own_professional(request.user)
    do_issue_calendar_feed(professional, actor=request.user)
    messages.success(request, "Your calendar has a new private address. The old address no "
                              "longer works: subscribe again with the new one.")
    return redirect("exports:calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("professional"), token=token)
    standing = standing_of(feed.professional, timezone.localdate())
    body = calendar_ics(deadlines_of(standing), name=feed.professional.full_name,
                        stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="recert-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=0"
    response["X-Robots-Tag"] = "noindex"
    return response


# -- your data (issue 11, item 10) -------------------------------------------------------

class PasswordAgainForm(forms.Form):
    """The confirmation step: the account's password, entered again."""

    password = forms.CharField(
        label="Your password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Entered again to confirm that it is you.",
        error_messages={"required": "Enter your password to confirm."})

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


class CloseAccountForm(PasswordAgainForm):
    understood = forms.BooleanField(
        label="I understand that I cannot log in again and that this cannot be undone.",
        error_messages={"required": "Tick the box to confirm that you want to close the "
                                    "account."})


@login_required
def your_data(request: HttpRequest) -> HttpResponse:
    """GET: what the download holds, and the confirmation form. POST (password again): the
    zip, as an attachment."""
    professional = own_professional(request.user)
    form = PasswordAgainForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        archive = do_export_data(professional, actor=request.user)
        name = f"recert-data-{timezone.localdate():%Y-%m-%d}.zip"
        response = FileResponse(archive, content_type="application/zip", as_attachment=True,
                                filename=name)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return render(request, "exports/your_data.html", {"form": describe(form)},
                  status=400 if form.is_bound else 200)


@login_required
def close_account(request: HttpRequest) -> HttpResponse:
    """GET: what closing keeps and removes, and the confirmation form. POST: closes the
    account and logs out."""
    professional = own_professional(request.user)
    form = CloseAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_close_account(professional, actor=request.user)
        except AccountClosed:
            pass
        logout(request)
        return render(request, "exports/account_closed.html")
    plan = closing_plan(professional, timezone.localdate())
    return render(request, "exports/close_account.html",
                  {"form": describe(form), "plan": plan},
                  status=400 if form.is_bound else 200)
