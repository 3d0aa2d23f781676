"""Merging duplicate profiles (issue 12, the registrar): candidates, a preview of what
moves, the merge, and its record with the undo."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from recert.core.access import NOT_FOUND, access_professional, staff_bodies, visible_professionals
from recert.core.actions.merges import (
    do_merge_profiles,
    do_undo_merge,
    find_candidates,
    preview_merge,
)
from recert.core.models import MemberId, Professional, ProfileMerge
from recert.core.models.staff import REGISTRAR
from recert.staff.decorators import staff_required


def _registrar_people(request):
    return visible_professionals(request.user, REGISTRAR)


@staff_required(REGISTRAR)
def merge_index(request: HttpRequest) -> HttpResponse:
    people = _registrar_people(request)
    candidates = find_candidates(people)
    ids = {pk for c in candidates for pk in (c.first, c.second)}
    profiles = Professional.objects.in_bulk(ids)
    member_ids: dict[int, list[str]] = {}
    for m in MemberId.objects.filter(professional_id__in=ids).select_related("body"):
        member_ids.setdefault(m.professional_id, []).append(f"{m.body.code} {m.member_id}")
    rows = [(profiles[c.first], profiles[c.second], c.reasons) for c in candidates]
    merges = ProfileMerge.objects.filter(kept__in=people).select_related(
        "kept", "merged", "merged_by")[:50]
    return render(request, "staff/merges.html", {
        "rows": rows, "member_ids": member_ids, "merges": merges})


def _pair(request, data):
    kept = access_professional(request.user, data.get("keep"), REGISTRAR, as_staff=True)
    merged = access_professional(request.user, data.get("merge"), REGISTRAR, as_staff=True)
    return kept, merged


def _preview_page(request, kept, merged, errors=None, status=200):
    preview = preview_merge(kept, merged, actor_bodies=staff_bodies(request.user, REGISTRAR))
    return render(request, "staff/merge_preview.html", {
        "preview": preview, "kept": kept, "merged": merged, "errors": errors or {},
        "reason": request.POST.get("reason", ""),
    }, status=status)


@staff_required(REGISTRAR)
def merge_preview(request: HttpRequest) -> HttpResponse:
    kept, merged = _pair(request, request.GET)
    return _preview_page(request, kept, merged)


@staff_required(REGISTRAR)
@require_POST
def merge_profiles(request: HttpRequest) -> HttpResponse:
    kept, merged = _pair(request, request.POST)
    bodies = staff_bodies(request.user, REGISTRAR)
    choices = {}
    for body in bodies:
        value = request.POST.get(f"member_id_{body.code}")
        if value:
            choices[body.pk] = value
    try:
        merge = do_merge_profiles(kept, merged, member_ids=choices,
                                  reason=request.POST.get("reason", ""), actor=request.user,
                                  actor_bodies=bodies)
    except ValidationError as exc:
        return _preview_page(request, kept, merged, exc.message_dict, status=400)
    return redirect("staff:merge", merge_id=merge.pk)


def _merge(request, merge_id) -> ProfileMerge:
    """A merge whose kept profile the registrar may act on (404 otherwise)."""
    merge = ProfileMerge.objects.select_related("kept", "merged", "merged_by", "undone_by"
                                                ).filter(pk=merge_id, kept__in=_registrar_people(
                                                    request)).first()
    if merge is None:
        raise Http404(NOT_FOUND)
    return merge


@staff_required(REGISTRAR)
def merge(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = _merge(request, merge_id)
    counts: dict[str, int] = {}
    for label, *_ in merge.changes.get("moved", []):
        counts[label] = counts.get(label, 0) + 1
    return render(request, "staff/merge.html", {
        "merge": merge, "counts": sorted(counts.items()),
        "removed": merge.changes.get("removed_member_ids", []),
        "aliases": merge.aliases.select_related("body")})


@staff_required(REGISTRAR)
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = _merge(request, merge_id)
    try:
        do_undo_merge(merge, actor=request.user)
    except ValidationError as exc:
        return render(request, "staff/merge.html", {
            "merge": merge, "counts": [], "removed": [], "aliases": [],
            "error": " ".join(exc.messages)}, status=400)
    return redirect("staff:merge", merge_id=merge.pk)
