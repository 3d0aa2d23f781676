"""Creating professionals (with or without a password), their names, member IDs, CPR/AED.
Claim links for accounts created without a password are the accounts app's
(recert.accounts.actions)."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from recert.core.actions import history
from recert.core.models import CertifyingBody, CprAed, History, MemberId, Professional

PROFESSIONAL_FIELDS = [
    "full_name", "email", "phone", "address_line1", "address_line2", "city", "region",
    "postal_code", "country",
]

CPR_FIELDS = ["valid_until", "provider", "card_name", "card_sha256"]


@transaction.atomic
def do_create_professional(*, username: str, email: str, full_name: str,
                           password: str | None = None, actor, **contact) -> Professional:
    """A user and their professional profile. Without a password the account cannot log in
    until it is claimed through a link (recert.accounts.actions.do_issue_claim_link)."""
    User = get_user_model()
    user = User(username=username, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    professional = Professional(user=user, full_name=full_name, email=user.email, **contact)
    professional.full_clean()
    professional.save()
    history.record(History.Action.CREATE, professional, actor=actor, professional=professional,
                   changes={k: [None, v] for k, v in
                            history.snapshot(professional, PROFESSIONAL_FIELDS).items() if v})
    return professional


@transaction.atomic
def do_update_professional(professional: Professional, *, actor, **fields) -> Professional:
    return history.update(professional, fields, PROFESSIONAL_FIELDS, actor=actor,
                          professional=professional)


@transaction.atomic
def do_set_member_id(professional: Professional, body: CertifyingBody, member_id: str, *,
                     actor) -> MemberId:
    row = MemberId.objects.filter(professional=professional, body=body).first()
    old = row.member_id if row else None
    if row is None:
        row = MemberId(professional=professional, body=body)
    row.member_id = member_id.strip()
    row.full_clean()
    row.save()
    if old != row.member_id:
        history.record(History.Action.UPDATE if old else History.Action.CREATE, row,
                       actor=actor, professional=professional,
                       changes={"member_id": [old, row.member_id], "body": [None, body.code]})
    return row


@transaction.atomic
def do_set_cpr_aed(professional: Professional, *, actor, valid_until=None, provider=None,
                   card=None, only_if_later: bool = False) -> CprAed:
    """The person's CPR/AED record (one for all their certifications and the renewal form):
    the expiry date, the provider, and a card (checked by content like documents: PDF,
    JPEG or PNG). `None` leaves a value as it is, except `valid_until` (None clears it).
    `only_if_later`: keep the date on file when it is later (a certification added with an
    older card's date)."""
    from recert.core.documents import validate_document

    record = CprAed.objects.select_for_update().filter(professional=professional).first()
    if record is None:
        record = CprAed(professional=professional)
    if only_if_later and record.valid_until and (valid_until is None
                                                 or valid_until <= record.valid_until):
        return record
    before = history.snapshot(record, CPR_FIELDS)
    record.valid_until = valid_until
    if provider is not None:
        record.provider = provider.strip()
    if card is not None:
        record.card_content_type = validate_document(card, field="card")
        digest = hashlib.sha256()
        for chunk in card.chunks():
            digest.update(chunk)
        card.seek(0)
        record.card_sha256 = digest.hexdigest()
        record.card_name = (getattr(card, "name", "") or "card")[-255:]
        old_card = record.card.name if record.card else ""
        record.card.save(card.name or "card", card, save=False)
        from recert.core.actions.credits import _stored_files

        stored = _stored_files.get()
        if stored is not None:
            stored.append((record.card.storage, record.card.name))
        if old_card:
            storage = record.card.storage
            transaction.on_commit(lambda: storage.delete(old_card))
    record.full_clean()
    record.save()
    # Named as the person reads them on any page's history ("cpr aed valid until").
    changes = {f"cpr_aed_{k}": v for k, v in
               history.diff(before, history.snapshot(record, CPR_FIELDS)).items()}
    if changes:
        history.record(history.Action.SET_CPR_AED, professional, actor=actor,
                       professional=professional, changes=changes)
    return record


NAME_FIELDS = ["given_names", "family_name", "date_of_birth"]


@transaction.atomic
def do_update_names(professional: Professional, *, actor, given_names: str, family_name: str,
                    date_of_birth=None, reason: str, name_changed_on=None) -> Professional:
    """Staff set the person's names and date of birth, with a reason kept in history.
    `name_changed_on`: the name changed that day (marriage, a legal change): the old name
    is kept as a previous name in use until the day before, so that proof from then still
    matches; without it the change is a correction of the record."""
    from datetime import timedelta

    from recert.core.models import PreviousName

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the change; it is kept in "
                                         "the history."})
    if not (family_name or "").strip():
        raise ValidationError({"family_name": "Enter the family name."})
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    before = history.snapshot(professional, [*NAME_FIELDS, "full_name"])
    old = (professional.given_names, professional.family_name)
    professional.given_names = given_names.strip()
    professional.family_name = family_name.strip()
    professional.date_of_birth = date_of_birth
    professional.full_clean()
    professional.save()
    changes = history.diff(before, history.snapshot(professional, [*NAME_FIELDS, "full_name"]))
    if not changes:
        return professional
    if name_changed_on is not None and old != (professional.given_names,
                                               professional.family_name):
        previous = PreviousName(professional=professional, given_names=old[0],
                                family_name=old[1],
                                used_until=name_changed_on - timedelta(days=1))
        previous.full_clean(exclude=["full_name"])
        previous.save()
        changes["previous_name"] = [None, f"{previous.full_name} (until "
                                          f"{previous.used_until.isoformat()})"]
    changes["reason"] = [None, reason]
    history.record(History.Action.UPDATE, professional, actor=actor, professional=professional,
                   changes=changes)
    return professional
