"""For providers: the organization, its courses, and completion rosters posted as JSON rows.

Every route acts for one provider: a provider token of that organization, or a signed-in
member of it (Principal.provider_for; any other provider's is a 404, a personal token a
403). A roster is checked row by row by the roster upload's own reader
(recert.providers.rosters) and stored and matched by the same action as the upload page
(do_post_roster beside do_upload_roster): large rosters are matched in the background, as
on the page, and answered 202."""


import base64
import binascii
from typing import Annotated

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from recert.api.idempotency import idempotent
from recert.api.problems import ApiProblem, django_errors, invalid
from recert.api.routes.common import MAX_ID, Id, responses
from recert.api.routes.credits import IdempotencyKey, json_response
from recert.api.schemas import (
    CourseOut,
    CoursePage,
    ProviderOut,
    RosterIn,
    RosterOut,
    RosterPage,
)
from recert.core.models import Course, Provider
from recert.providers.actions import CourseNotApproved, do_post_roster
from recert.providers.models import Roster, RosterRow
from recert.providers.rosters import RosterRefused
from recert.rules.case import format_decimal

router = Router(tags=["providers"])
API_ROSTER = "posted through the API"


class Page(Schema):
    cursor: str | None = Field(None, max_length=200)
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class RosterFilters(Page):
    course_id: int | None = Field(None, ge=1, le=MAX_ID, description="One course's rosters.")


# --- paging by id --------------------------------------------------------------------------

def _after(raw: str) -> int:
    try:
        text = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)).decode()
        pk = int(text)
        if not 0 < pk <= MAX_ID:
            raise ValueError(pk)
        return pk
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise invalid([{"field": "cursor", "message": "Pass the next_cursor of the previous "
                                                      "page unchanged."}]) from None


def _page(rows, page: Page, *, newest_first: bool) -> tuple[list, str | None]:
    if page.cursor:
        pk = _after(page.cursor)
        rows = rows.filter(pk__lt=pk) if newest_first else rows.filter(pk__gt=pk)
    found = list(rows.order_by("-pk" if newest_first else "pk")[:page.limit + 1])
    more = len(found) > page.limit
    found = found[:page.limit]
    cursor = (base64.urlsafe_b64encode(str(found[-1].pk).encode()).decode().rstrip("=")
              if more else None)
    return found, cursor


# --- output --------------------------------------------------------------------------------

def provider_out(provider: Provider) -> dict:
    today = timezone.localdate()
    return {
        "id": provider.pk, "name": provider.name, "email": provider.email,
        "website": provider.website, "city": provider.city,
        "postal_code": provider.postal_code,
        "approvals": [{"body": a.body.code, "approved_from": a.approved_from,
                       "approved_until": a.approved_until,
                       "provider_number": a.provider_number, "in_force": a.covers(today)}
                      for a in provider.approvals.all()],
    }


def course_out(course: Course) -> dict:
    return {
        "id": course.pk, "body": course.body.code, "course_number": course.course_number,
        "title": course.title, "description": course.description, "format": course.format,
        "credits": format_decimal(course.credits),
        "other_credits": [{"body": c.body.code, "credits": format_decimal(c.credits)}
                          for c in course.other_credits.all()],
        "status": course.status, "return_reason": course.return_reason,
        "approved_from": course.approved_from, "approved_until": course.approved_until,
    }


COUNTED = {state: Count("rows", filter=Q(rows__state=state)) for state in (
    RosterRow.CREDITED, RosterRow.HELD, RosterRow.PENDING, RosterRow.WITHDRAWN)}


def roster_summary(roster: Roster) -> dict:
    return {
        "id": roster.pk, "course_id": roster.course_id, "name": roster.file_name,
        "uploaded_at": roster.uploaded_at, "status": roster.status,
        "row_count": roster.row_count,
        "counts": {state: getattr(roster, f"n_{state}") for state in COUNTED},
    }


def roster_out(roster: Roster) -> dict:
    rows = roster.rows.order_by("line", "pk")
    return {**roster_summary(roster), "rows": [{
        "index": index, "line": row.line, "member_id": row.member_id, "email": row.email,
        "name": row.name, "completed_on": row.completed_on,
        "credits": format_decimal(row.credits) if row.credits is not None else None,
        "state": row.state, "note": row.note, "credit_entry_id": row.credit_entry_id,
    } for index, row in enumerate(rows)]}


def _rosters(provider: Provider):
    return Roster.objects.filter(course__provider=provider).annotate(
        **{f"n_{state}": count for state, count in COUNTED.items()})


def _courses(provider: Provider):
    return Course.objects.filter(provider=provider).select_related("body").prefetch_related(
        "other_credits__body")


def _course(provider: Provider, course_id: int) -> Course:
    course = _courses(provider).select_related("provider").filter(pk=course_id).first()
    if course is None:
        raise ApiProblem(404, "No such course of this provider.")
    return course


def _roster_response(provider: Provider, roster_id: int, status: int = 200):
    roster = _rosters(provider).filter(pk=roster_id).first()
    if roster is None:
        raise ApiProblem(404, "No such roster of this provider.")
    return json_response(roster_out(roster), status, {"Location": reverse(
        "api-v1:provider_roster", args=[provider.pk, roster.pk])})


# --- routes --------------------------------------------------------------------------------

@router.get("/providers", response=responses({200: list[ProviderOut]}), url_name="providers",
            summary="The provider organizations this token (or signed-in member) acts for")
def provider_list(request):
    providers = request.auth.providers().prefetch_related("approvals__body").order_by("name")
    return [provider_out(p) for p in providers]


@router.get("/providers/{provider_id}", response=responses({200: ProviderOut}),
            url_name="provider", summary="The provider organization and its approvals")
def provider_detail(request, provider_id: Id):
    provider = request.auth.provider_for(provider_id)
    provider = Provider.objects.prefetch_related("approvals__body").get(pk=provider.pk)
    return provider_out(provider)


@router.get("/providers/{provider_id}/courses", response=responses({200: CoursePage}),
            url_name="provider_courses", summary="The provider's courses, a page at a time")
def provider_course_list(request, provider_id: Id, page: Query[Page]):
    provider = request.auth.provider_for(provider_id)
    courses, cursor = _page(_courses(provider), page, newest_first=False)
    return {"items": [course_out(c) for c in courses], "next_cursor": cursor}


@router.get("/providers/{provider_id}/courses/{course_id}", response=responses({200: CourseOut}),
            url_name="provider_course", summary="One of the provider's courses")
def provider_course_detail(request, provider_id: Id, course_id: Id):
    return course_out(_course(request.auth.provider_for(provider_id), course_id))


@router.post("/providers/{provider_id}/courses/{course_id}/rosters",
             response=responses({201: RosterOut, 202: RosterOut}, 409, 413),
             summary="Report completions of an approved course (as the roster upload)")
@idempotent
def provider_roster_create(request, provider_id: Id, course_id: Id, payload: RosterIn,
                           idempotency_key: IdempotencyKey = None):
    """Each row is checked as a row of the upload page's file; if any is wrong, nothing is
    stored and every problem comes back by path (`rows[3].completed_on`). Otherwise the rows
    are matched as an upload's: 201 with each row's result, or, for a roster larger than the
    page matches at once, 202 while the rows are matched in the background (GET the
    roster's Location for the results)."""
    provider = request.auth.provider_for(provider_id)
    course = _course(provider, course_id)
    rows = [row.dict() for row in payload.rows]
    try:
        roster = do_post_roster(course, rows, actor=request.auth.user,
                                name=(payload.reference or "").strip() or API_ROSTER)
    except CourseNotApproved as refused:
        raise ApiProblem(409, " ".join(refused.messages)) from None
    except RosterRefused as refused:
        errors = django_errors(refused)
        bad = len({e["field"].split(".")[0] for e in errors})
        raise invalid(errors, f"{bad} of {len(rows)} rows have problems; nothing was "
                              "stored. Correct them and send the roster again.") from None
    roster.refresh_from_db(fields=["status"])
    return _roster_response(provider, roster.pk, 201 if roster.status == Roster.DONE else 202)


@router.get("/providers/{provider_id}/rosters", response=responses({200: RosterPage}),
            url_name="provider_rosters", summary="The provider's rosters, newest first")
def provider_roster_list(request, provider_id: Id, filters: Query[RosterFilters]):
    provider = request.auth.provider_for(provider_id)
    rosters = _rosters(provider)
    if filters.course_id is not None:
        rosters = rosters.filter(course_id=filters.course_id)
    found, cursor = _page(rosters, filters, newest_first=True)
    return {"items": [roster_summary(r) for r in found], "next_cursor": cursor}


@router.get("/providers/{provider_id}/rosters/{roster_id}", response=responses({200: RosterOut}),
            url_name="provider_roster", summary="A roster's status and each row's result")
def provider_roster_detail(request, provider_id: Id, roster_id: Id):
    return _roster_response(request.auth.provider_for(provider_id), roster_id)
