"""Every write about providers, their courses and events (issue 14): one transaction each,
with a history row."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from recert.accounts.actions import issue_claim_token
from recert.core import mail
from recert.core.actions import history
from recert.core.models import (
    CertifyingBody,
    Course,
    CourseCredit,
    History,
    Provider,
    ProviderApproval,
    ProviderMembership,
)
from recert.core.policies import course_numbers
from recert.providers.models import Event

PROVIDER_FIELDS = ["name", "email", "website", "city", "postal_code"]
COURSE_FIELDS = ["title", "description", "format", "credits", "course_number"]
EVENT_FIELDS = ["delivery", "starts_at", "ends_at", "time_zone", "venue", "address", "city",
                "postal_code", "capacity", "registration_url"]


def check_course_number(body: CertifyingBody, number: str, on: date | None = None) -> str:
    """The number upper-cased, if it fits the body's course-number format (ACE-COURSE-1);
    ValidationError naming the field otherwise. Bodies without a format take any."""
    number = (number or "").strip().upper()
    rule = course_numbers(on or timezone.localdate()).get(body.code)
    if number and rule is not None and not rule.matches(number):
        example = f", like {rule.example}" if rule.example else ""
        raise ValidationError({"course_number": f"“{number}” is not a {body.code} course "
                               f"number: {rule.format or rule.pattern}{example}."})
    return number


def approves_by_number(body: CertifyingBody, on: date | None = None) -> bool:
    return body.code in course_numbers(on or timezone.localdate())


@transaction.atomic
def do_create_provider(*, actor, body: CertifyingBody, approved_from: date,
                       approved_until: date | None = None, provider_number: str = "",
                       **fields) -> Provider:
    """A provider organization, approved by `body` for a period (the body's education
    staff)."""
    provider = Provider(**{k: v for k, v in fields.items() if k in PROVIDER_FIELDS})
    provider.full_clean()
    provider.save()
    history.record(History.Action.CREATE, provider, actor=actor,
                   changes={k: [None, v] for k, v in
                            history.snapshot(provider, PROVIDER_FIELDS).items() if v})
    do_approve_provider(provider, body, approved_from=approved_from,
                        approved_until=approved_until, provider_number=provider_number,
                        actor=actor)
    return provider


@transaction.atomic
def do_approve_provider(provider: Provider, body: CertifyingBody, *, approved_from: date,
                        approved_until: date | None = None, provider_number: str = "",
                        actor) -> ProviderApproval:
    approval = ProviderApproval(provider=provider, body=body, approved_from=approved_from,
                                approved_until=approved_until,
                                provider_number=(provider_number or "").strip())
    approval.full_clean()
    approval.save()
    history.record(History.Action.APPROVE, provider, actor=actor, changes={
        "body": [None, body.code], "approved_from": [None, approved_from.isoformat()],
        "approved_until": [None, approved_until.isoformat() if approved_until else None],
        "provider_number": [None, approval.provider_number]})
    return approval


def _username_for(email: str) -> str:
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0])[:100] or "provider"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


@transaction.atomic
def do_invite_provider_member(provider: Provider, *, email: str, name: str = "",
                              actor) -> tuple[ProviderMembership, str | None]:
    """Makes the person at `email` a member of the provider. A new account gets a claim
    link (returned and e-mailed; only its hash is stored) to set their own password, never
    one derived from their data; an existing account is added and told. Returns the
    membership and the raw link (None for an existing account)."""
    User = get_user_model()
    email = (email or "").strip().lower()
    user = User.objects.filter(email=email).first()
    raw = None
    if user is None:
        first, _, last = (name or "").strip().partition(" ")
        user = User(username=_username_for(email), email=email, first_name=first[:150],
                    last_name=last[:150])
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise ValidationError({"email": error.message_dict.get(
                "email", ["Enter a valid e-mail address."])}) from None
        user.save()
    membership, created = ProviderMembership.objects.get_or_create(user=user, provider=provider)
    if user.has_usable_password() is False:
        token, raw = issue_claim_token(user, actor=actor)
    if created or raw:
        history.record(History.Action.INVITE, membership, actor=actor, changes={
            "provider": [None, provider.name], "user": [None, user.get_username()]})
    link = (mail.absolute(f"/accounts/claim/{user.pk}/{raw}/?next=/provider/") if raw
            else mail.link("providers:home"))
    # A new account's address is not verified yet: the invitation, whose claim link proves
    # the mailbox (claiming verifies it), is the one message it may receive (issue 11).
    mail.send_message("provider_invite", user, {"provider": provider, "link": link,
                                                "claim": bool(raw)}, actor=actor,
                      to=email if raw else "")
    return membership, raw


def _set_other_credits(course: Course, other_credits: dict | None) -> None:
    if other_credits is None:
        return
    for body, credits in other_credits.items():
        if body == course.body:
            continue
        if credits is None or credits == 0:
            CourseCredit.objects.filter(course=course, body=body).delete()
        else:
            CourseCredit.objects.update_or_create(course=course, body=body,
                                                  defaults={"credits": credits})


@transaction.atomic
def do_save_course(provider: Provider, *, actor, course: Course | None = None,
                   body: CertifyingBody | None = None, other_credits: dict | None = None,
                   **fields) -> Course:
    """Creates or changes a course of the provider while it is a draft or sent back.
    `other_credits`: {body: credits} for the bodies other than the course's."""
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"not course fields: {sorted(unknown)}")
    if course is not None and not course.editable_by_provider:
        raise ValidationError("The course is submitted or approved; ask the body's staff "
                              "to send it back before changing it.")
    if "course_number" in fields:
        fields["course_number"] = check_course_number(body or course.body,
                                                      fields["course_number"])
    if course is None:
        course = Course(provider=provider, body=body, **fields)
        course.full_clean()
        course.save()
        history.record(History.Action.CREATE, course, actor=actor, changes={
            k: [None, v] for k, v in history.snapshot(course, COURSE_FIELDS).items() if v})
    else:
        if body is not None:
            course.body = body
        history.update(course, fields, COURSE_FIELDS, actor=actor, professional=None)
        refresh_search(course.events.select_related("course__provider"))
    _set_other_credits(course, other_credits)
    return course


@transaction.atomic
def do_submit_course(course: Course, *, actor) -> Course:
    """Asks the course's body to approve it. A body that does not approve courses by
    number lists the course at once under the provider's approval in force today."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.editable_by_provider:
        raise ValidationError("The course is already submitted or approved.")
    today = timezone.localdate()
    old = course.status
    approval = ProviderApproval.objects.filter(provider=course.provider_id, body=course.body,
                                               approved_from__lte=today).exclude(
        approved_until__lt=today).first()
    if not approves_by_number(course.body, today) and approval is not None:
        course.status = Course.APPROVED
        course.approved_from = today
        course.approved_until = approval.approved_until
        action = History.Action.APPROVE
    else:
        course.status = Course.SUBMITTED
        action = History.Action.SUBMIT
    course.submitted_at = timezone.now()
    course.return_reason = ""
    course.save()
    history.record(action, course, actor=actor, changes={"status": [old, course.status]})
    return course


@transaction.atomic
def do_approve_course(course: Course, *, actor, course_number: str = "",
                      approved_from: date, approved_until: date | None = None) -> Course:
    """The body's education staff approve a submitted course, issuing or confirming its
    number (required where the body approves by number, in its format)."""
    course = Course.objects.select_for_update(of=("self",)).select_related("body").get(pk=course.pk)
    if course.status != Course.SUBMITTED:
        raise ValidationError("Only a submitted course can be approved.")
    number = check_course_number(course.body, course_number or course.course_number)
    if not number and approves_by_number(course.body):
        raise ValidationError({"course_number": f"Enter the {course.body.code} course "
                                                "number to issue or confirm."})
    if number and Course.objects.filter(body=course.body, course_number=number).exclude(
            pk=course.pk).exists():
        raise ValidationError({"course_number": f"{number} is already another course's "
                                                "number."})
    if approved_until and approved_until < approved_from:
        raise ValidationError({"approved_until": "The approval cannot end before it starts."})
    before = history.snapshot(course, ["status", "course_number", "approved_from",
                                       "approved_until"])
    course.status = Course.APPROVED
    course.course_number = number
    course.approved_from = approved_from
    course.approved_until = approved_until
    course.return_reason = ""
    course.save()
    history.record(History.Action.APPROVE, course, actor=actor, changes=history.diff(
        before, history.snapshot(course, ["status", "course_number", "approved_from",
                                          "approved_until"])))
    refresh_search(course.events.select_related("course__provider"))
    _tell_members(course, "course_decided")
    return course


@transaction.atomic
def do_send_back_course(course: Course, *, actor, reason: str) -> Course:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason; the provider sees it."})
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status != Course.SUBMITTED:
        raise ValidationError("Only a submitted course can be sent back.")
    course.status = Course.RETURNED
    course.return_reason = reason[:500]
    course.save()
    history.record(History.Action.SEND_BACK, course, actor=actor,
                   changes={"status": [Course.SUBMITTED, Course.RETURNED],
                            "reason": [None, course.return_reason]})
    _tell_members(course, "course_decided")
    return course


def _tell_members(course: Course, kind: str, **context) -> None:
    for membership in course.provider.members.select_related("user"):
        mail.send_message(kind, membership.user, {"course": course, "link": mail.link(
            "providers:course", course.pk), **context})


def _search_text(event: Event) -> str:
    course = event.course
    return " ".join(filter(None, [course.title, course.description, course.provider.name,
                                  course.course_number, event.venue, event.city,
                                  event.postal_code]))


def refresh_search(events) -> None:
    """Writes the events' search text (and on PostgreSQL their tsvector)."""
    ids = []
    for event in events:
        event.search_text = _search_text(event)
        Event.objects.filter(pk=event.pk).update(search_text=event.search_text)
        ids.append(event.pk)
    if connection.vendor == "postgresql" and ids:
        from django.contrib.postgres.search import SearchVector

        Event.objects.filter(pk__in=ids).update(
            search_vector=SearchVector("search_text", config="english"))


@transaction.atomic
def do_save_event(course: Course, *, actor, event: Event | None = None, **fields) -> Event:
    """Creates or changes an event (a date and place) of a course."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"not event fields: {sorted(unknown)}")
    if event is None:
        event = Event(course=course, **fields)
        event.full_clean()
        event.save()
        history.record(History.Action.CREATE, event, actor=actor, changes={
            k: [None, v] for k, v in history.snapshot(event, EVENT_FIELDS).items()
            if v not in (None, "")})
    else:
        history.update(event, fields, EVENT_FIELDS, actor=actor, professional=None)
    refresh_search([event])
    return event


@transaction.atomic
def do_delete_event(event: Event, *, actor) -> None:
    history.record(History.Action.DELETE, event, actor=actor, changes={
        "course": [str(event.course_id), None],
        "starts_at": [event.starts_at.isoformat(), None]})
    event.delete()


def credits_text(value: Decimal) -> str:
    return format(value.normalize(), "f")
