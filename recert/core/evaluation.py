"""The one bridge from the database to the rules engine.

Builds the engine's inputs from a professional's rows in a fixed number of queries and
returns its Evaluation; pages, API and jobs call this and never re-implement a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from recert.core.models import Certification, CreditEntry, Cycle, Professional
from recert.rules.model import CertificationIn, CreditIn, Evaluation


def certifications_of(professional: Professional) -> list[Certification]:
    """Live certifications with program, body and open cycles: two queries."""
    return list(
        Certification.objects.filter(professional=professional)
        .select_related("program__body")
        .prefetch_related(
            Prefetch("cycles", queryset=Cycle.objects.filter(closed_at__isnull=True))
        )
        .order_by("certified_on", "id")
    )


def certification_input(certification: Certification) -> CertificationIn:
    cycle = certification.current_cycle()
    return CertificationIn(
        id=str(certification.pk),
        body=certification.program.body.code,
        program=certification.program.code,
        certified_on=certification.certified_on,
        cycle_start=cycle.start if cycle else None,
        cycle_end=cycle.end if cycle else None,
        cpr_aed_valid_until=certification.cpr_aed_valid_until,
    )


def credit_input(entry: CreditEntry) -> CreditIn:
    return CreditIn(
        id=str(entry.pk),
        earned_on=entry.earned_on,
        format=entry.format,
        amount=entry.amount,
        unit=entry.unit,
        awarded_by=entry.awarded_by,
        title=entry.title,
        provider=entry.provider or None,
        course_number=entry.course_number or None,
        grade=entry.grade or None,
        published_on=entry.published_on,
        petition=entry.petition or None,
    )


@dataclass(frozen=True)
class Standing:
    """An evaluation with the rows it was built from, for pages to show side by side."""

    evaluation: Evaluation
    certifications: list[Certification]
    credits: list[CreditEntry]

    def rows(self):
        """(certification row, its CertificationResult) in the order of the rows."""
        by_id = {r.id: r for r in self.evaluation.certifications}
        return [(c, by_id.get(str(c.pk))) for c in self.certifications]


def standing_of(professional: Professional, as_of: date) -> Standing:
    from recert.rules import evaluate, load_policies

    certifications = certifications_of(professional)
    credits = list(
        CreditEntry.objects.filter(professional=professional).order_by("earned_on", "id")
    )
    evaluation = evaluate(
        load_policies(),
        [certification_input(c) for c in certifications],
        [credit_input(e) for e in credits],
        as_of,
    )
    return Standing(evaluation, certifications, credits)


def evaluate_professional(professional: Professional, as_of: date) -> Evaluation:
    """Where each of the professional's certifications stands on `as_of` (three queries)."""
    return standing_of(professional, as_of).evaluation


def preview_of(professional: Professional, as_of: date, draft: CreditIn,
               replaces: int | None = None) -> Standing:
    """Where each certification would stand with `draft` logged (replacing entry `replaces`
    when editing), by the same engine: nothing is written."""
    from recert.rules import evaluate, load_policies

    certifications = certifications_of(professional)
    credits = list(
        CreditEntry.objects.filter(professional=professional).order_by("earned_on", "id")
    )
    inputs = [credit_input(e) for e in credits if e.pk != replaces]
    evaluation = evaluate(
        load_policies(),
        [certification_input(c) for c in certifications],
        [*inputs, draft],
        as_of,
    )
    return Standing(evaluation, certifications, credits)
