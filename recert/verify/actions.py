"""Writes of the verify app: a professional's opt-out and the Open Badges they download,
each with a history row."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from django.db import IntegrityError, transaction
from django.utils import timezone

from recert.core.actions import history
from recert.core.evaluation import evaluated_of
from recert.core.models import Certification, History, Professional
from recert.verify import badges, status_list
from recert.verify.models import IssuedBadge, PublicListing


def is_listed(professional: Professional) -> bool:
    listing = PublicListing.objects.filter(professional=professional).first()
    return listing is None or not listing.opted_out


@transaction.atomic
def do_set_public_listing(professional: Professional, *, listed: bool, actor) -> PublicListing:
    listing, _ = PublicListing.objects.select_for_update().get_or_create(
        professional=professional)
    if listing.opted_out == (not listed):
        return listing
    before = listing.opted_out
    listing.opted_out = not listed
    listing.save()
    history.record(History.Action.UPDATE, listing, actor=actor, professional=professional,
                   changes={"opted_out": [before, listing.opted_out]})
    return listing


class BadgeRefused(Exception):
    """Why a certification gets no badge now, in words for its holder."""


def badge_refusal(certification: Certification, status: str | None) -> str:
    """Why `certification` (the engine's `status` today) gets no badge, or ""."""
    if badges.signing_key() is None:
        return badges.NOT_CONFIGURED
    if status not in status_list.STANDING:
        return ("A badge is offered for an active certification only; this one is not "
                "active today.")
    if not is_listed(certification.professional):
        return ("You chose not to be listed on the public verification page, so a badge "
                "could not be checked by anyone: turn the listing back on in your settings "
                "to download one.")
    return ""


@transaction.atomic
def do_issue_badge(certification: Certification, *, actor, today: date) -> IssuedBadge:
    """The certification's Open Badge for its current cycle: the one issued before when it
    was signed by today's signing key for the same valid-until date, else a new one (with a
    random free place in the body's status list and a history row)."""
    professional = certification.professional
    Professional.objects.select_for_update().filter(pk=professional.pk).first()
    _certifications, evaluated = evaluated_of(professional, today)
    result = next((r for r in evaluated.evaluation.certifications
                   if r.id == str(certification.pk)), None)
    refusal = badge_refusal(certification, result.status if result else None)
    if refusal:
        raise BadgeRefused(refusal)
    key = badges.signing_key()
    valid_until = result.cycle.end
    earlier = (IssuedBadge.objects.filter(certification=certification, key_id=key.key_id,
                                          valid_until=valid_until)
               .order_by("-issued_at").first())
    if earlier is not None:
        return earlier
    body = certification.program.body
    for _attempt in range(5):
        number, index = status_list.free_index(body)
        try:
            with transaction.atomic():
                uuid = uuid4()
                issued_at = timezone.now().replace(microsecond=0)
                document = badges.credential(
                    uuid=str(uuid), subject_uuid=str(uuid4()), certification=certification,
                    valid_until=valid_until, issued_at=issued_at, status_list=number,
                    status_index=index)
                badge = IssuedBadge.objects.create(
                    uuid=uuid, certification=certification, body=body, status_list=number,
                    status_index=index, key_id=key.key_id, valid_until=valid_until,
                    issued_at=issued_at, jwt=badges.sign(document, key))
        except IntegrityError:
            continue  # another badge took that index in the meantime: draw again
        history.record(History.Action.CREATE, badge, actor=actor, professional=professional,
                       changes={"badge": [None, f"{body.code} {certification.program.code}"],
                                "valid_until": [None, valid_until.isoformat()],
                                "key_id": [None, key.key_id]})
        return badge
    raise BadgeRefused("The badge could not be issued just now; try again.")
