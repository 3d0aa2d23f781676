"""Merging duplicate profiles (issue 12): finding candidates, previewing what moves,
merging one profile into another and undoing it exactly.

What moves is read from the models, not listed here: every row that points at the
duplicate profile (certifications, credits, documents with their credits, member IDs,
renewals, invoices, audit cases, history, and whatever later models point at a profile)
and the duplicate account's own rows (claim links, API tokens). A one-to-one row (CPR/AED,
calendar feed, public listing) moves only where the kept profile has none. The duplicate's
account stops logging in; its profile row stays, empty, so that undo can give everything
back. Every changed value is kept in the ProfileMerge row.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone

from recert.core.actions import history
from recert.core.models import (
    Certification,
    Document,
    History,
    MemberId,
    MemberIdAlias,
    Professional,
    ProfileMerge,
)

# Rows of the account that do not move: roles are granted, never inherited by a merge;
# the admin's log is about what its author did.
USER_ROWS_KEPT = {"core.professional", "core.staffmembership", "core.providermembership",
                  "admin.logentry"}
# The merge's own records point at both profiles and never move.
PROFILE_ROWS_KEPT = {"core.profilemerge"}
# A similar name: rapidfuzz's token-sort ratio (0-100) at least this.
SIMILAR_NAME = 88
MAX_CANDIDATES = 200


def _label(model) -> str:
    return model._meta.label_lower


def _rows(model) -> models.QuerySet:
    """Every row of the model, soft-deleted ones included, without the model's own
    queryset rules (History refuses updates: a merge re-points its rows at the kept
    profile, and undo points them back)."""
    return models.QuerySet(model=model)


def _relations(model):
    """Relations pointing at `model`, hidden ones (related_name="+") included."""
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            yield rel


def _profile_links():
    """(model, field name) of every relation pointing at Professional."""
    for rel in _relations(Professional):
        if _label(rel.related_model) not in PROFILE_ROWS_KEPT:
            yield rel.related_model, rel.field.name


def _user_links():
    for rel in _relations(get_user_model()):
        if _label(rel.related_model) in USER_ROWS_KEPT:
            continue
        if rel.field.name != "user":  # who did something (actor fields) is not ownership
            continue
        yield rel.related_model, rel.field.name


def _unique_sets(model, name: str) -> list[list[str]]:
    """The unique field sets of `model` that include the link `name`."""
    sets = []
    for f in model._meta.get_fields():
        if getattr(f, "unique", False) and getattr(f, "name", None) == name:
            sets.append([name])
    for constraint in model._meta.constraints:
        fields = list(getattr(constraint, "fields", ()) or ())
        if name in fields and getattr(constraint, "condition", None) is None:
            sets.append(fields)
    for together in model._meta.unique_together:
        if name in together:
            sets.append(list(together))
    return sets


def _movable(model, name: str, source, target) -> tuple[models.QuerySet, int]:
    """The rows of `source` that can move to `target`, and how many stay because `target`
    has its own (a one-to-one row, a verified address it has too)."""
    rows = _rows(model).filter(**{name: source})
    total = rows.count()
    for fields in _unique_sets(model, name):
        others = [f for f in fields if f != name]
        taken = _rows(model).filter(**{name: target})
        if not others:
            if taken.exists():
                rows = rows.none()
            continue
        for values in taken.values_list(*others):
            rows = rows.exclude(**dict(zip(others, values, strict=True)))
    moving = rows.count() if total else 0
    return rows, total - moving


# --- preview --------------------------------------------------------------------------------


@dataclass
class Preview:
    kept: Professional
    merged: Professional
    moves: list[tuple[str, int]] = field(default_factory=list)  # (what, how many)
    stays: list[str] = field(default_factory=list)  # one-to-one rows the kept one has
    member_id_conflicts: list[tuple[object, MemberId, MemberId]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


def _what(model) -> str:
    return str(model._meta.verbose_name_plural)


def preview_merge(kept: Professional, merged: Professional, *, actor_bodies) -> Preview:
    """What merging `merged` into `kept` would move, the member IDs staff must choose
    between, and why it cannot be done (refusals)."""
    preview = Preview(kept, merged)
    if kept.pk == merged.pk:
        preview.refusals.append("Choose two different profiles.")
        return preview
    active = ProfileMerge.objects.filter(undone_at__isnull=True)
    if active.filter(merged__in=[kept, merged]).exists():
        preview.refusals.append("One of the profiles was merged into another already.")
    codes = set(actor_bodies.values_list("code", flat=True))
    outside = sorted(set(Certification.all_objects.filter(professional__in=[kept, merged])
                         .values_list("program__body__code", flat=True)) - codes)
    if outside:
        preview.refusals.append(
            f"A certification of {', '.join(outside)} is involved: a registrar of every body "
            "of both profiles must merge them.")
    for model, name in _profile_links():
        if model is MemberId:
            continue  # below
        rows, staying = _movable(model, name, merged, kept)
        count = rows.count()
        if count:
            preview.moves.append((_what(model), count))
        if staying:
            preview.stays.append(str(model._meta.verbose_name))
    for model, name in _user_links():
        rows, staying = _movable(model, name, merged.user, kept.user)
        count = rows.count()
        if count:
            preview.moves.append((f"{_what(model)} of the account", count))
        if staying:
            preview.stays.append(f"{model._meta.verbose_name} of the account")
    documents = Document.objects.filter(credit_entry__professional=merged).count()
    if documents:
        preview.moves.append(("documents (with their credits)", documents))
    kept_ids = {m.body_id: m for m in MemberId.objects.filter(professional=kept)
                .select_related("body")}
    moving = 0
    for member in MemberId.objects.filter(professional=merged).select_related("body"):
        if member.body_id in kept_ids:
            preview.member_id_conflicts.append((member.body, kept_ids[member.body_id], member))
        else:
            moving += 1
    if moving:
        preview.moves.append(("member ids", moving))
    held = defaultdict(int)
    for program in Certification.objects.filter(professional__in=[kept, merged]).values_list(
            "program__body__code", "program__code"):
        held[program] += 1
    for (body, program), n in sorted(held.items()):
        if n > 1:
            preview.warnings.append(f"Both profiles hold {body} {program}: check the two "
                                    "certifications after merging.")
    return preview


# --- merge and undo ---------------------------------------------------------------------------


def _move(changes: list, model, name: str, source, target) -> None:
    rows, _ = _movable(model, name, source, target)
    pks = list(rows.values_list("pk", flat=True))
    for pk in pks:
        changes.append([_label(model), pk, f"{name}_id", source.pk, target.pk])
    _rows(model).filter(pk__in=pks).update(**{name: target})


@transaction.atomic
def do_merge_profiles(kept: Professional, merged: Professional, *, member_ids: dict[int, str],
                      reason: str, actor, actor_bodies) -> ProfileMerge:
    """Merges `merged` into `kept` (see the module). `member_ids`: for each body where both
    have a member ID, {body id: "kept" or "merged"} — the one that stays; the other becomes
    an alias of the kept profile. Refused with a ValidationError naming the field."""
    kept, merged = (Professional.objects.select_for_update().get(pk=p.pk)
                    for p in (kept, merged))
    preview = preview_merge(kept, merged, actor_bodies=actor_bodies)
    errors = {}
    if preview.refusals:
        errors["merged"] = preview.refusals
    if not (reason or "").strip():
        errors["reason"] = "Give the reason for the merge (how you know it is one person)."
    for body, _, _ in preview.member_id_conflicts:
        if member_ids.get(body.pk) not in ("kept", "merged"):
            errors[f"member_id_{body.code}"] = (
                f"Both profiles have a {body.code} member ID: choose the one that stays.")
    if errors:
        raise ValidationError(errors)

    changes: list = []
    removed: list[dict] = []
    merge = ProfileMerge.objects.create(kept=kept, merged=merged, reason=reason.strip(),
                                        merged_by=actor if getattr(actor, "pk", None) else None)
    # Member IDs first: the one that does not stay becomes an alias of the kept profile.
    for body, kept_id, merged_id in preview.member_id_conflicts:
        gone = kept_id if member_ids[body.pk] == "merged" else merged_id
        removed.append({"id": gone.pk, "professional_id": gone.professional_id,
                        "body_id": gone.body_id, "member_id": gone.member_id})
        MemberIdAlias.objects.create(professional=kept, body=body, member_id=gone.member_id,
                                     merge=merge)
        gone.delete()
    for model, name in _profile_links():
        _move(changes, model, name, merged, kept)
    for model, name in _user_links():
        _move(changes, model, name, merged.user, kept.user)
    user_model = get_user_model()
    was_active = user_model.objects.filter(pk=merged.user_id).values_list(
        "is_active", flat=True).get()
    user_model.objects.filter(pk=merged.user_id).update(is_active=False)
    merge.changes = {"moved": changes, "removed_member_ids": removed,
                     "user_active": was_active}
    merge.save(update_fields=["changes"])
    counts = defaultdict(int)
    for row in changes:
        counts[row[0]] += 1
    history.record(History.Action.MERGE_PROFILES, merge, actor=actor, professional=kept,
                   changes={"merged": [None, f"#{merged.pk} {merged.display_name}"],
                            "reason": [None, merge.reason],
                            "moved": [None, ", ".join(f"{n} {k}" for k, n in
                                                      sorted(counts.items()))]})
    return merge


@transaction.atomic
def do_undo_merge(merge: ProfileMerge, *, actor) -> ProfileMerge:
    """Puts back every row the merge changed: the rows it moved point at the duplicate
    again, the member ID it made an alias is restored, the duplicate's account logs in
    again. Refused once undone, or while a later merge of either profile stands."""
    merge = ProfileMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError({"merge": "This merge was undone already."})
    later = ProfileMerge.objects.filter(
        Q(kept__in=[merge.kept_id, merge.merged_id]) | Q(merged__in=[merge.kept_id,
                                                                       merge.merged_id]),
        undone_at__isnull=True, pk__gt=merge.pk)
    if later.exists():
        raise ValidationError({"merge": "A later merge of one of these profiles stands: undo "
                                        "it first."})
    from django.apps import apps

    by_model: dict[tuple[str, str, int], list] = defaultdict(list)
    for label, pk, column, old, _new in merge.changes.get("moved", []):
        by_model[(label, column, old)].append(pk)
    for (label, column, old), pks in by_model.items():
        _rows(apps.get_model(label)).filter(pk__in=pks).update(**{column: old})
    merge.aliases.all().delete()
    for row in merge.changes.get("removed_member_ids", []):
        MemberId.objects.create(**row)
    get_user_model().objects.filter(pk=merge.merged.user_id).update(
        is_active=merge.changes.get("user_active", True))
    merge.undone_at = timezone.now()
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["undone_at", "undone_by"])
    history.record(History.Action.UNDO_MERGE, merge, actor=actor, professional=merge.kept,
                   changes={"merged": [f"#{merge.merged_id}", None]})
    return merge


# --- candidates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    first: int
    second: int
    reasons: tuple[str, ...]


def _normal(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _dob_field() -> str | None:
    names = {f.name for f in Professional._meta.get_fields()}
    return "date_of_birth" if "date_of_birth" in names else None


def find_candidates(people: models.QuerySet) -> list[Candidate]:
    """Pairs among `people` (the registrar's) that may be one person: the same e-mail,
    the same member ID (at any body), or a similar name — with the same date of birth
    where both are known. Profiles merged away already are left out."""
    from rapidfuzz import fuzz

    merged_away = ProfileMerge.objects.filter(undone_at__isnull=True).values("merged_id")
    people = people.exclude(pk__in=merged_away)
    reasons: dict[tuple[int, int], set[str]] = defaultdict(set)

    def pairs(ids, why):
        ids = sorted(set(ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                reasons[(a, b)].add(why)

    emails = (people.exclude(email="").annotate(e=Lower("email")).values("e")
              .annotate(n=Count("id")).filter(n__gt=1).values_list("e", flat=True))
    by_email = defaultdict(list)
    for pk, email in people.annotate(e=Lower("email")).filter(e__in=list(emails)[:1000]) \
            .values_list("pk", "e"):
        by_email[email].append(pk)
    for ids in by_email.values():
        pairs(ids, "same e-mail")
    numbers = (MemberId.objects.filter(professional__in=people).annotate(m=Lower("member_id"))
               .values("m").annotate(n=Count("professional", distinct=True)).filter(n__gt=1)
               .values_list("m", flat=True))
    by_number = defaultdict(list)
    for pk, number in MemberId.objects.filter(professional__in=people).annotate(
            m=Lower("member_id")).filter(m__in=list(numbers)[:1000]).values_list(
            "professional_id", "m"):
        by_number[number].append(pk)
    for ids in by_number.values():
        pairs(ids, "same member ID")
    # Similar names, compared within blocks of the same last-name initial and length band
    # (never every pair of a large registry).
    dob = _dob_field()
    columns = ["pk", "full_name"] + ([dob] if dob else [])
    blocks = defaultdict(list)
    for row in people.values_list(*columns):
        name = _normal(row[1])
        if not name:
            continue
        last = name.split()[-1]
        blocks[(last[0], len(name) // 4)].append((row[0], name, row[2] if dob else None))
    for key, rows in list(blocks.items()):
        neighbours = rows + blocks.get((key[0], key[1] + 1), [])
        for i, (a, name_a, born_a) in enumerate(rows):
            for b, name_b, born_b in neighbours[i + 1:]:
                if a == b or (born_a and born_b and born_a != born_b):
                    continue
                if fuzz.token_sort_ratio(name_a, name_b) >= SIMILAR_NAME:
                    why = "similar name" + (" and same date of birth"
                                            if born_a and born_a == born_b else "")
                    reasons[tuple(sorted((a, b)))].add(why)
    found = [Candidate(a, b, tuple(sorted(r))) for (a, b), r in reasons.items()]
    found.sort(key=lambda c: (-len(c.reasons), c.first, c.second))
    return found[:MAX_CANDIDATES]
