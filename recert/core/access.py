"""What an actor may see: one place, one 404.

Every page and action finds its object through these functions with the signed-in user as
the actor. A professional sees their own rows: the professional's own pages pass `own=True`
(or call `own_professional`), so that a professional who is also staff never reaches another
person's rows from them. A staff member (core.StaffMembership) sees
the professionals who hold a certification of one of their bodies, and of those people only
the data of their bodies: certifications, invoices and renewals of their bodies; the
credit log, whose facts are shared by every body (REVIEW-1), in full.

`role`: the object must be in reach of that role (a registrar's correction, a finance
payment). An object the actor cannot see at all is a 404 (its existence does not leak);
one they see but not with that role is a 403.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from recert.core.models import (
    Certification,
    CertifyingBody,
    Course,
    CreditEntry,
    Professional,
    Provider,
    ProviderMembership,
    StaffMembership,
)

NOT_FOUND = "Not found, or not yours to see."


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) and actor.is_active else None


def staff_bodies(actor, role: str | None = None) -> QuerySet[CertifyingBody]:
    """The bodies where `actor` holds `role` (any role when None)."""
    user = _user(actor)
    if user is None:
        return CertifyingBody.objects.none()
    memberships = StaffMembership.objects.filter(user=user)
    if role is not None:
        memberships = memberships.filter(role__name=role)
    return CertifyingBody.objects.filter(pk__in=memberships.values("body_id"))


def staff_roles(actor) -> dict[str, list[str]]:
    """{body code: [role names]} of the actor, for pages and menus."""
    user = _user(actor)
    roles: dict[str, list[str]] = {}
    if user is None:
        return roles
    for body, role in StaffMembership.objects.filter(user=user).values_list(
            "body__code", "role__name").order_by("body__code", "role__name"):
        roles.setdefault(body, []).append(role)
    return roles


def is_staff_member(actor, role: str | None = None) -> bool:
    return staff_bodies(actor, role).exists()


def _certified_at(bodies: QuerySet) -> QuerySet:
    return Certification.objects.filter(program__body__in=bodies).values("professional_id")


def _scope(role, as_staff: bool, own: bool) -> str:
    """Which rows a visible_* call reaches: "own" (the professional's own pages), "staff"
    (the staff console: `role` or `as_staff`) or "both" (neither given)."""
    if own and (role is not None or as_staff):
        raise ValueError("own=True is the professional's own rows: no role, not as staff")
    return "own" if own else "staff" if role is not None or as_staff else "both"


def visible_professionals(actor, role: str | None = None, *, as_staff: bool = False,
                          own: bool = False) -> QuerySet[Professional]:
    """The professionals `actor` may see: their own profile and, for staff, everyone who
    holds a (not deleted) certification of one of their bodies. With `role` or `as_staff`
    (the staff console), only the staff scope: of that role's bodies, or of any role's
    (acting on one's own profile as staff needs the role like anyone else's). With `own`
    (the professional's pages), only their own profile."""
    user = _user(actor)
    if user is None:
        return Professional.objects.none()
    if _scope(role, as_staff, own) == "own":
        return Professional.objects.filter(user=user)
    in_reach = Q(pk__in=_certified_at(staff_bodies(user, role)))
    if role is None and not as_staff:
        in_reach |= Q(user=user)
    return Professional.objects.filter(in_reach)


def professional_of(actor) -> Professional | None:
    """The actor's own profile, or None (staff and provider accounts have none)."""
    user = _user(actor)
    return None if user is None else Professional.objects.filter(user=user).first()


def own_professional(actor) -> Professional:
    """The actor's own profile, for the professional's pages; the one 404 without one."""
    professional = professional_of(actor)
    if professional is None:
        raise Http404(NOT_FOUND)
    return professional


def _check(found, actor, role, in_role) -> None:
    if found is None:
        raise Http404(NOT_FOUND)
    if role is not None and not in_role():
        raise PermissionDenied(f"This needs the {role} role for this record's body.")


def access_professional(actor, pk, role: str | None = None, *, as_staff: bool = False,
                        own: bool = False) -> Professional:
    professional = visible_professionals(actor, as_staff=as_staff, own=own).filter(
        pk=_pk(pk)).first()
    _check(professional, actor, role,
           lambda: visible_professionals(actor, role).filter(pk=professional.pk).exists())
    return professional


def _in_reach(user, bodies: str, role, as_staff: bool, own: bool) -> Q:
    """Rows of the staff scope's bodies (through the field `bodies`) and/or the actor's own
    (through `professional__user`), as `_scope` says."""
    scope = _scope(role, as_staff, own)
    if scope == "own":
        return Q(professional__user=user)
    in_reach = Q(**{f"{bodies}__in": staff_bodies(user, role)})
    if scope == "both":
        in_reach |= Q(professional__user=user)
    return in_reach


def visible_certifications(actor, role: str | None = None, *, as_staff: bool = False,
                           own: bool = False) -> QuerySet[Certification]:
    """The actor's own certifications and those of their bodies (with `role`: only of the
    bodies where they hold it; `as_staff`: not their own; `own`: only their own)."""
    user = _user(actor)
    if user is None:
        return Certification.objects.none()
    return Certification.objects.filter(
        _in_reach(user, "program__body", role, as_staff, own))


def access_certification(actor, pk, role: str | None = None, *, as_staff: bool = False,
                         own: bool = False) -> Certification:
    certification = visible_certifications(actor, as_staff=as_staff, own=own).select_related(
        "program__body", "professional").filter(pk=_pk(pk)).first()
    _check(certification, actor, role,
           lambda: visible_certifications(actor, role).filter(pk=certification.pk).exists())
    return certification


def access_credit_entry(actor, pk, role: str | None = None, *, deleted: bool = False,
                        as_staff: bool = False, own: bool = False) -> CreditEntry:
    """A credit entry of a visible professional (`deleted`: soft-deleted ones too; `own`:
    only the actor's own)."""
    manager = CreditEntry.all_objects if deleted else CreditEntry.objects
    entry = manager.select_related("professional").filter(
        pk=_pk(pk), professional__in=visible_professionals(
            actor, as_staff=as_staff, own=own)).first()
    _check(entry, actor, role, lambda: visible_professionals(actor, role).filter(
        pk=entry.professional_id).exists())
    return entry


def visible_invoices(actor, role: str | None = None, *, as_staff: bool = False,
                     own: bool = False):
    from django.apps import apps

    Invoice = apps.get_model("renewals", "Invoice")  # renewals builds on core
    user = _user(actor)
    if user is None:
        return Invoice.objects.none()
    return Invoice.objects.filter(_in_reach(user, "renewal__body", role, as_staff, own))


def access_invoice(actor, number: str, role: str | None = None, *, as_staff: bool = False,
                   own: bool = False):
    invoice = visible_invoices(actor, as_staff=as_staff, own=own).select_related(
        "renewal__body", "professional").filter(number=str(number)).first()
    _check(invoice, actor, role,
           lambda: visible_invoices(actor, role).filter(pk=invoice.pk).exists())
    return invoice


def member_providers(actor) -> QuerySet[Provider]:
    """The provider organizations `actor` works for (ProviderMembership)."""
    user = _user(actor)
    if user is None:
        return Provider.objects.none()
    return Provider.objects.filter(pk__in=ProviderMembership.objects.filter(
        user=user).values("provider_id"))


def is_provider_member(actor) -> bool:
    return member_providers(actor).exists()


def menu_of(actor) -> dict[str, bool]:
    """Which consoles the menu offers `actor` (staff, education, provider), in one query:
    every page's menu asks, so it must not cost a query per console."""
    user = _user(actor)
    if user is None:
        return {"staff": False, "education": False, "provider": False}
    staff = StaffMembership.objects.filter(user=OuterRef("pk"))
    row = get_user_model().objects.filter(pk=user.pk).annotate(
        staff=Exists(staff),
        education=Exists(staff.filter(role__name="education")),
        provider=Exists(ProviderMembership.objects.filter(user=OuterRef("pk"))),
    ).values("staff", "education", "provider").first()
    return row or {"staff": False, "education": False, "provider": False}


def visible_providers(actor, role: str | None = None, *,
                      as_staff: bool = False) -> QuerySet[Provider]:
    """The providers `actor` works for and, for staff, those approved by (or listing
    courses with) one of their bodies (with `role`: of that role's bodies only; `role` or
    `as_staff`: not their own organization)."""
    user = _user(actor)
    if user is None:
        return Provider.objects.none()
    bodies = staff_bodies(user, role)
    in_reach = Q(approvals__body__in=bodies) | Q(courses__body__in=bodies)
    if role is None and not as_staff:
        in_reach |= Q(pk__in=member_providers(user).values("pk"))
    return Provider.objects.filter(pk__in=Provider.objects.filter(in_reach).values("pk"))


def access_provider(actor, pk, role: str | None = None, *,
                    as_staff: bool = False) -> Provider:
    provider = visible_providers(actor, as_staff=as_staff).filter(pk=_pk(pk)).first()
    _check(provider, actor, role,
           lambda: visible_providers(actor, role).filter(pk=provider.pk).exists())
    return provider


def visible_courses(actor, role: str | None = None, *,
                    as_staff: bool = False) -> QuerySet[Course]:
    """The courses of the providers `actor` works for and, for staff, the courses that
    carry one of their bodies' approval (with `role` / `as_staff`: only those)."""
    user = _user(actor)
    if user is None:
        return Course.objects.none()
    in_reach = Q(body__in=staff_bodies(user, role))
    if role is None and not as_staff:
        in_reach |= Q(provider__in=member_providers(user))
    return Course.objects.filter(in_reach)


def access_course(actor, pk, role: str | None = None, *, as_staff: bool = False) -> Course:
    course = visible_courses(actor, as_staff=as_staff).select_related(
        "body", "provider").filter(pk=_pk(pk)).first()
    _check(course, actor, role,
           lambda: visible_courses(actor, role).filter(pk=course.pk).exists())
    return course


def access_body(actor, code, role: str | None = None) -> CertifyingBody:
    """A body the actor is staff of (any role; with `role`, 403 unless they hold it
    there); 404 for a body they are not staff of, as for anything out of reach."""
    body = staff_bodies(actor).filter(code=str(code)).first()
    _check(body, actor, role, lambda: staff_bodies(actor, role).filter(pk=body.pk).exists())
    return body


def visible_audit_cases(actor, role: str | None = None, *, as_staff: bool = False,
                        own: bool = False):
    """Audit cases (recert.audits): the actor's own, and those of their bodies' audits
    (with `role`: only where they hold it; `as_staff`: not their own; `own`: only those)."""
    from django.apps import apps

    AuditCase = apps.get_model("audits", "AuditCase")  # audits builds on core
    user = _user(actor)
    if user is None:
        return AuditCase.objects.none()
    return AuditCase.objects.filter(_in_reach(user, "audit__body", role, as_staff, own))


def access_audit_case(actor, pk, role: str | None = None, *, as_staff: bool = False,
                      own: bool = False):
    """An audit case the actor may see (`own`: only their own, as the professional)."""
    cases = visible_audit_cases(actor, as_staff=as_staff, own=own)
    case = cases.select_related("audit__body", "professional__user", "renewal").filter(
        pk=_pk(pk)).first()
    _check(case, actor, role,
           lambda: visible_audit_cases(actor, role).filter(pk=case.pk).exists())
    return case


def access_audit(actor, pk, role: str):
    """An audit of one of the bodies where the actor holds `role` (404 otherwise)."""
    from django.apps import apps

    Audit = apps.get_model("audits", "Audit")
    audit = Audit.objects.select_related("body").filter(
        pk=_pk(pk), body__in=staff_bodies(actor, role)).first()
    if audit is None:
        raise Http404(NOT_FOUND)
    return audit


def pk_or_404(value) -> int:
    """An id from a URL or form as an int, or the one 404 of this module."""
    return _pk(value)


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
