"""Past renewals record the credits they claimed: for each renewal that was not cancelled,
the engine is asked where its certifications stood on the day it was requested (with the
cycles it renewed), and every credit that counted is stored with its amount.

The engine is pure and needs no models, so calling it here is safe; the rows it reads are
the historical models of this migration."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations


def backfill(apps, schema_editor):
    from recert.rules import evaluate, load_policies
    from recert.rules.model import CertificationIn, CreditIn

    Renewal = apps.get_model("renewals", "Renewal")
    ClaimedCredit = apps.get_model("renewals", "ClaimedCredit")
    CreditEntry = apps.get_model("core", "CreditEntry")
    policies = load_policies()
    for renewal in Renewal.objects.exclude(status="cancelled").order_by("pk"):
        if ClaimedCredit.objects.filter(renewal=renewal).exists():
            continue
        items = list(renewal.items.filter(active=True).select_related(
            "certification__program__body", "cycle"))
        certifications = [
            CertificationIn(
                id=str(item.certification_id), body=item.certification.program.body.code,
                program=item.certification.program.code,
                certified_on=item.certification.certified_on,
                cycle_start=item.cycle.start, cycle_end=item.cycle.end,
                # CPR/AED does not change what counted; it moved to the person later.
                cpr_aed_valid_until=getattr(item.certification, "cpr_aed_valid_until", None))
            for item in items
            if item.certification.program.body.code in policies.bodies
        ]
        if not certifications:
            continue
        credits = [
            CreditIn(id=str(e.pk), earned_on=e.earned_on, format=e.format, amount=e.amount,
                     unit=e.unit, awarded_by=e.awarded_by, title=e.title,
                     provider=e.provider or None, course_number=e.course_number or None,
                     grade=e.grade or None, published_on=e.published_on,
                     petition=e.petition or None)
            for e in CreditEntry.objects.filter(professional_id=renewal.professional_id,
                                                deleted_at__isnull=True)
            .order_by("earned_on", "pk")
        ]
        try:
            evaluation = evaluate(policies, certifications, credits, renewal.requested_on)
        except (KeyError, ValueError, ArithmeticError):
            continue  # a row the engine cannot read: left for staff, not guessed
        counted: dict[int, Decimal] = {}
        for result in evaluation.certifications:
            for credit in result.credits:
                if credit.counted > 0:
                    pk = int(credit.id)
                    counted[pk] = max(counted.get(pk, Decimal(0)), credit.counted)
        ClaimedCredit.objects.bulk_create(
            ClaimedCredit(renewal=renewal, credit_entry_id=pk, counted=amount)
            for pk, amount in sorted(counted.items()))


class Migration(migrations.Migration):

    dependencies = [
        ("renewals", "0005_claimed_credits"),
        ("core", "0006_credit_decisions"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
