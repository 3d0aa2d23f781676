"""The one bridge from the database to the rules engine.

Builds the engine's inputs from a professional's rows in a fixed number of queries and
returns its Evaluation; pages, API and jobs call this and never re-implement a rule.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Prefetch

from recert.core.models import Certification, CreditDecision, CreditEntry, Cycle, Professional
from recert.rules.model import CertificationIn, CreditIn, Decision, Evaluation


def _certifications():
    # The person's CPR/AED record fills every certification's cpr_aed_valid_until.
    return (Certification.objects.select_related("program__body", "professional__cpr_aed")
            .prefetch_related(
                Prefetch("cycles", queryset=Cycle.objects.filter(closed_at__isnull=True)))
            .order_by("certified_on", "id"))


def certifications_of(professional: Professional) -> list[Certification]:
    """Live certifications with program, body and open cycles: two queries."""
    return list(_certifications().filter(professional=professional))


def certifications_by_professional(ids: list[int]) -> dict[int, list[Certification]]:
    """`certifications_of` for many professionals at once (by id): two queries."""
    out: dict[int, list[Certification]] = {}
    for certification in _certifications().filter(professional_id__in=ids):
        out.setdefault(certification.professional_id, []).append(certification)
    return out


def credits_of(professional: Professional) -> list[CreditEntry]:
    """Live credit entries in date order, with their per-body decisions: two queries."""
    return list(
        CreditEntry.objects.filter(professional=professional)
        .prefetch_related(Prefetch("decisions",
                                   queryset=CreditDecision.objects.select_related("body")))
        .order_by("earned_on", "id")
    )


def claimed_by_late_renewals(professional: Professional) -> dict[int, tuple[str, ...]]:
    """{certification id: ids of credits that a completed renewal of it claimed although
    they were earned after the cycle it renewed (in grace, ACSM-GRACE-2)}: one query.
    Those credits do not count again in the next cycle."""
    return claimed_by_professional([professional.pk]).get(professional.pk, {})


def claimed_by_professional(ids: list[int]) -> dict[int, dict[int, tuple[str, ...]]]:
    """`claimed_by_late_renewals` of many professionals (by id), keyed by professional: one
    query."""
    # The renewal's professional too: the planner then starts from their few renewals
    # instead of scanning every claimed credit (72 ms → 0.4 ms at 165,000 claims).
    rows = (CreditEntry.objects.filter(
        professional_id__in=ids, claims__renewal__professional_id__in=ids,
        claims__renewal__professional_id=F("professional_id"),
        claims__renewal__status="completed",
        earned_on__gt=F("claims__renewal__cycle_end"))
        .values_list("professional_id", "claims__renewal__items__certification_id", "pk")
        .distinct())
    claimed: dict[int, dict[int, list[str]]] = {}
    for professional_id, certification_id, pk in rows:
        claimed.setdefault(professional_id, {}).setdefault(certification_id, []).append(str(pk))
    return {p: {k: tuple(sorted(v)) for k, v in by_certification.items()}
            for p, by_certification in claimed.items()}


def certification_input(certification: Certification,
                        claimed: tuple[str, ...] = ()) -> CertificationIn:
    cycle = certification.current_cycle()
    return CertificationIn(
        id=str(certification.pk),
        body=certification.program.body.code,
        program=certification.program.code,
        certified_on=certification.certified_on,
        cycle_start=cycle.start if cycle else None,
        cycle_end=cycle.end if cycle else None,
        cpr_aed_valid_until=certification.cpr_aed_valid_until,
        claimed_credits=tuple(claimed),
    )


def decisions_input(entry: CreditEntry) -> dict[str, Decision]:
    """{body code: Decision} of the entry's per-body decisions (REVIEW-1)."""
    if entry.pk is None:
        return {}
    return {d.body.code: Decision(outcome=d.outcome, counted_as=d.counted_as, reason=d.reason)
            for d in entry.decisions.all()}


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
        decisions=decisions_input(entry),
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
    from recert.core.policies import current_policies
    from recert.rules import evaluate

    certifications = certifications_of(professional)
    credits = credits_of(professional)
    claimed = claimed_by_late_renewals(professional)
    evaluation = evaluate(
        current_policies(),
        [certification_input(c, claimed.get(c.pk, ())) for c in certifications],
        [credit_input(e) for e in credits],
        as_of,
    )
    return Standing(evaluation, certifications, credits)


@dataclass(frozen=True)
class Evaluated:
    """An evaluation with what pages need of the credits besides it (no rows): what the
    cache keeps per professional and version."""

    evaluation: Evaluation
    credit_dates: dict[str, date]  # {credit id: date earned}
    credit_count: int

    def rows(self, certifications: list[Certification]):
        """(certification row, its CertificationResult) in the order of the rows."""
        by_id = {r.id: r for r in self.evaluation.certifications}
        return [(c, by_id.get(str(c.pk))) for c in certifications]


def credit_inputs(professional: Professional) -> list[CreditIn]:
    """The engine's input of every live credit entry, without model instances: two
    queries (entries, decisions), a fraction of the cost of `credits_of` at 1,000 entries."""
    return credit_inputs_by_professional([professional.pk]).get(professional.pk, [])


def credit_inputs_by_professional(ids: list[int]) -> dict[int, list[CreditIn]]:
    """`credit_inputs` of many professionals (by id) in the same two queries: {professional
    id: their inputs in date order}; someone without live entries is absent."""
    decisions: dict[int, dict[str, Decision]] = {}
    for entry_id, body, outcome, counted_as, reason in (
            CreditDecision.objects.filter(credit_entry__professional_id__in=ids,
                                          credit_entry__deleted_at__isnull=True)
            .values_list("credit_entry_id", "body__code", "outcome", "counted_as", "reason")):
        decisions.setdefault(entry_id, {})[body] = Decision(outcome=outcome,
                                                            counted_as=counted_as, reason=reason)
    rows = (CreditEntry.objects.filter(professional_id__in=ids)
            .order_by("professional_id", "earned_on", "id")
            .values_list("professional_id", "id", "earned_on", "format", "amount", "unit",
                         "awarded_by", "title", "provider", "course_number", "grade",
                         "published_on", "petition"))
    out: dict[int, list[CreditIn]] = {}
    for (professional_id, pk, earned_on, fmt, amount, unit, awarded_by, title, provider,
         course_number, grade, published_on, petition) in rows:
        out.setdefault(professional_id, []).append(CreditIn(
            id=str(pk), earned_on=earned_on, format=fmt, amount=amount, unit=unit,
            awarded_by=awarded_by, title=title, provider=provider or None,
            course_number=course_number or None, grade=grade or None,
            published_on=published_on, petition=petition or None,
            decisions=decisions.get(pk, {})))
    return out


@functools.cache
def code_digest() -> str:
    """A digest of the application's code and templates, once per process: what the cache
    keeps (an evaluation pickled, pages' HTML) was built by the code of one deploy, and a
    deploy with other code never reads it."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for pattern in ("*.py", "*.html") for p in root.rglob(pattern)
                       if "migrations" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _cache_key(professional: Professional, version: int, as_of: date) -> str:
    from recert.core.policies import current_fingerprint

    # created_at too: an id that SQLite hands out again never meets the old person's entry.
    created = professional.created_at.timestamp() if professional.created_at else 0
    return (f"recert:evaluation:{professional.pk}:{created:.6f}:{version}:"
            f"{as_of.isoformat()}:{current_fingerprint()}:{code_digest()}")


def page_key(professional: Professional, as_of: date, what: str) -> str:
    """The cache key of what a page shows of the evaluation (`what`: the page's own name):
    the evaluation's key at the version of the `professional` row as read by the request.

    A page that reads the row, then builds what it shows on a miss, may store a newer state
    under an older version (a change committed in between), never an older state under a
    newer version: once the change commits, every request reads the new version's key."""
    return f"{_cache_key(professional, professional.evaluation_version, as_of)}:{what}"


def evaluated_of(professional: Professional, as_of: date
                 ) -> tuple[list[Certification], Evaluated]:
    """The live certifications (two queries) and their evaluation on `as_of`, from the
    cache when the professional's evaluation version is the one cached (three more
    queries when not).

    The version is read with the certifications (their `professional`), in the same query,
    so a change committed before this call is always seen: the key of any earlier state is
    never asked for again (recert.core.signals moves the version with every change)."""
    from recert.core.policies import current_policies
    from recert.rules import evaluate

    certifications = certifications_of(professional)
    version = (certifications[0].professional.evaluation_version if certifications
               else professional.evaluation_version)
    key = _cache_key(professional, version, as_of)
    cached = cache.get(key)
    if cached is not None:
        return certifications, cached
    credits = credit_inputs(professional)
    claimed = claimed_by_late_renewals(professional) if certifications else {}
    evaluation = evaluate(
        current_policies(),
        [certification_input(c, claimed.get(c.pk, ())) for c in certifications],
        credits, as_of)
    evaluated = Evaluated(evaluation, {c.id: c.earned_on for c in credits}, len(credits))
    cache.set(key, evaluated, settings.EVALUATION_CACHE_SECONDS)
    return certifications, evaluated


def evaluate_professional(professional: Professional, as_of: date) -> Evaluation:
    """Where each of the professional's certifications stands on `as_of` (five queries)."""
    return standing_of(professional, as_of).evaluation


def preview_of(professional: Professional, as_of: date, draft: CreditIn,
               replaces: int | None = None) -> Standing:
    """Where each certification would stand with `draft` logged (replacing entry `replaces`
    when editing), by the same engine: nothing is written."""
    from recert.core.policies import current_policies
    from recert.rules import evaluate

    certifications = certifications_of(professional)
    credits = credits_of(professional)
    claimed = claimed_by_late_renewals(professional)
    inputs = [credit_input(e) for e in credits if e.pk != replaces]
    evaluation = evaluate(
        current_policies(),
        [certification_input(c, claimed.get(c.pk, ())) for c in certifications],
        [*inputs, draft],
        as_of,
    )
    return Standing(evaluation, certifications, credits)
