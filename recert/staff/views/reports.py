"""Reports for one of the staff member's bodies and a period (issue 12): a page per report
(table + SVG chart) and its CSV / xlsx download with the same numbers. Revenue needs the
finance role at the body; the others any role (the viewer's reading)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from recert.core.access import access_body, staff_bodies
from recert.front.forms import DateInput
from recert.staff.decorators import staff_required
from recert.staff.reports import REPORTS, Report, as_csv, as_xlsx, chart

DATE_INVALID = "Enter a date as MM/DD/YYYY."
MAX_DAYS = 10 * 366


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DateInput(),
                            error_messages={"invalid": DATE_INVALID})
    end = forms.DateField(label="To", widget=DateInput(), error_messages={"invalid": DATE_INVALID})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "This date is before “From”. Enter a date on or after it.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", "A report covers at most ten years; choose a shorter "
                                      "period.")
        return data


def _body(request, report: Report):
    """The body asked for (?body=CODE; the first the member may read the report of when
    none): 404 for a body they are not staff of, 403 without the report's role there."""
    code = request.GET.get("body")
    if code:
        return access_body(request.user, code, report.role)
    body = staff_bodies(request.user, report.role).order_by("code").first()
    if body is None:
        raise PermissionDenied(f"This report needs the {report.role} role.")
    return body


def _period(request) -> tuple[PeriodForm, date | None, date | None]:
    today = timezone.localdate()
    data = {"start": request.GET.get("start") or date(today.year, 1, 1).isoformat(),
            "end": request.GET.get("end") or date(today.year, 12, 31).isoformat()}
    form = PeriodForm(data)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, None, None


def _report(key: str) -> Report:
    report = REPORTS.get(key)
    if report is None:
        raise Http404("No such report.")
    return report


@staff_required()
def report_index(request: HttpRequest) -> HttpResponse:
    bodies = staff_bodies(request.user)
    finance = set(staff_bodies(request.user, "finance").values_list("code", flat=True))
    return render(request, "staff/reports.html", {
        "reports": [(r, r.role is None or bool(finance)) for r in REPORTS.values()],
        "bodies": bodies,
    })


def _page(request: HttpRequest, key: str) -> HttpResponse:
    report = _report(key)
    body = _body(request, report)
    form, start, end = _period(request)
    context = {"report": report, "body": body, "form": form,
               "bodies": staff_bodies(request.user, report.role)}
    if start is None:
        return render(request, "staff/report.html", context, status=400)
    table = report.build(body, start, end, timezone.localdate())
    context.update(table=table, start=start, end=end, chart=chart(table),
                   lines=[(label, list(zip([c for _, c in table.columns], values,
                                           strict=True)), total)
                          for (label, values), total in zip(table.rows, table.row_totals(),
                                                            strict=True)],
                   query=request.GET.urlencode())
    return render(request, "staff/report.html", context)


def _download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    report = _report(key)
    body = _body(request, report)
    form, start, end = _period(request)
    if start is None:
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponse(f"Bad period: {errors}", status=400,
                            content_type="text/plain; charset=utf-8")
    table = report.build(body, start, end, timezone.localdate())
    name = f"{body.code}-{report.key}-{start.isoformat()}-{end.isoformat()}"
    if fmt == "csv":
        response = HttpResponse(as_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(as_xlsx(table, report.title), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def views_of(report: Report):
    """The page and the download view of one report, each checking its role."""

    @staff_required(report.role)
    def page(request: HttpRequest) -> HttpResponse:
        return _page(request, report.key)

    @staff_required(report.role)
    def download(request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404("Downloads are .csv or .xlsx.")
        return _download(request, report.key, fmt)

    page.__name__ = f"report_{report.key.replace('-', '_')}"
    download.__name__ = f"{page.__name__}_download"
    return page, download
