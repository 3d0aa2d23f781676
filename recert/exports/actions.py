"""Issuing and regenerating a professional's private calendar feed (the only writes here)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from recert.core.actions import history
from recert.core.models import History, Professional
from recert.exports.models import CalendarFeed


def new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_of(professional: Professional) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(professional=professional).first()


def do_ensure_calendar_feed(professional: Professional, *, actor) -> CalendarFeed:
    """The professional's feed, created on first use. Two first visits at once both try to
    create it: the one that loses the race (the one-feed-per-professional constraint refuses
    its row) reads and returns the winner's feed instead of failing."""
    feed = calendar_feed_of(professional)
    if feed is not None:
        return feed
    token = new_token()
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(professional=professional, token=token)
            history.record(History.Action.CREATE, feed, actor=actor, professional=professional,
                           changes={"token": [None, "(secret)"]})
    except IntegrityError:
        feed = calendar_feed_of(professional)
        if feed is None:
            raise
    return feed


@transaction.atomic
def do_issue_calendar_feed(professional: Professional, *, actor) -> CalendarFeed:
    """Create the feed, or give it a fresh token: the previous URL stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(professional=professional).first()
    if feed is None:
        feed = CalendarFeed.objects.create(professional=professional, token=new_token())
        action = History.Action.CREATE
    else:
        feed.token = new_token()
        feed.save(update_fields=["token"])
        action = History.Action.REGENERATE
    # The token itself is a secret: the history says that it changed, not what it is.
    regenerated = action == History.Action.REGENERATE
    history.record(action, feed, actor=actor, professional=professional,
                   changes={"token": ["(secret)", "(new secret)"] if regenerated
                            else [None, "(secret)"]})
    return feed


# -- your data (issue 11, item 10) -------------------------------------------------------

def do_export_data(professional: Professional, *, actor):
    """The professional's data as a zip (a file object; see recert.exports.yourdata), with
    a history row saying that it was downloaded and how much it held."""
    from recert.exports import yourdata

    archive = yourdata.build_zip(professional)
    size = archive.seek(0, 2)
    archive.seek(0)
    history.record(History.Action.EXPORT_DATA, professional, actor=actor,
                   professional=professional, changes={"bytes": [None, str(size)]})
    return archive


class AccountClosed(Exception):
    """The account is closed already."""


@transaction.atomic
def do_close_account(professional: Professional, *, actor, today=None):
    """Closes the professional's account: log-in stops, API tokens and the calendar feed
    stop working, contact details, the CPR/AED card, and the credits and documents that no
    body's retention needs are removed. Kept: what the bodies' retention requires (the
    documents of claimed credits until their retention ends, the credits renewals claimed),
    certifications and their cycles, renewals, invoices and payments, the name and member
    ids that say whose they are, and the history. Returns the ClosingPlan carried out."""
    from recert.accounts.models import ClaimToken
    from recert.api.actions import do_revoke_access_token
    from recert.api.models import AccessToken
    from recert.core.actions.credits import do_remove_document
    from recert.core.models import CprAed, CreditEntry
    from recert.exports import yourdata
    from recert.verify.models import PublicListing

    today = today or timezone.localdate()
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    user = professional.user
    if not user.is_active:
        raise AccountClosed("This account is closed already.")
    plan = yourdata.closing_plan(professional, today)
    for document in plan.removed_documents:
        do_remove_document(document, actor=actor, today=today)
    for entry in plan.removed_entries:
        entry = CreditEntry.all_objects.get(pk=entry.pk)
        snapshot = {"title": [entry.title, None], "earned_on": [entry.earned_on.isoformat(),
                                                                 None]}
        history.record(History.Action.DELETE, entry, actor=actor, professional=professional,
                       changes={**snapshot, "reason": [None, "account closed"]})
        entry.decisions.all().delete()
        entry.delete()  # a real delete: SoftDeletable's delete is do_soft_delete
    cpr = CprAed.objects.filter(professional=professional).first()
    if cpr is not None:
        if cpr.card:
            storage, stored = cpr.card.storage, cpr.card.name
            transaction.on_commit(lambda: storage.delete(stored))
        cpr.delete()
    for token in AccessToken.objects.filter(user=user, revoked_at__isnull=True):
        do_revoke_access_token(token, actor=actor)
    ClaimToken.objects.filter(user=user).delete()
    user.verified_addresses.all().delete()
    CalendarFeed.objects.filter(professional=professional).delete()
    PublicListing.objects.update_or_create(professional=professional,
                                           defaults={"opted_out": True})
    removed = ["email", "phone", "address_line1", "address_line2", "city", "region",
               "postal_code", "country"]
    changes = {name: ["(removed)", ""] for name in removed if getattr(professional, name)}
    for name in removed:
        setattr(professional, name, "")
    professional.optional_reminders = False
    professional.save()
    # Log-in refused from now on (inactive, no usable password; the changed password hash
    # also ends every open session), and the account's name and address freed.
    user.is_active = False
    user.set_unusable_password()
    user.username = f"closed-{user.pk}"
    user.email = f"closed-{user.pk}@closed.invalid"
    user.first_name = user.last_name = ""
    user.save()
    history.record(History.Action.CLOSE_ACCOUNT, professional, actor=actor,
                   professional=professional, changes={
                       **changes,
                       "documents kept": [None, str(len(plan.kept_documents))],
                       "documents removed": [None, str(len(plan.removed_documents))],
                       "credits kept": [None, str(len(plan.kept_entries))],
                       "credits removed": [None, str(len(plan.removed_entries))]})
    return plan

