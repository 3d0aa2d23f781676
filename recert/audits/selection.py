"""Who is audited: the renewals a body received in the previous calendar year, sampled per
stratum (the renewal's credential level: its highest program) at the policy's rate,
rounded up so that every non-empty stratum gives at least one (ACSM-AUDIT-1).

`sample()` is pure: the same seed and population give the same selection (each stratum
draws from its own generator seeded with the audit's seed and the program code, so adding
a program elsewhere changes nothing in this one)."""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from recert.core.models import CertifyingBody
from recert.core.policies import current_policies
from recert.renewals.models import Renewal


def new_seed() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Stratum:
    program: str
    population: int
    selected: tuple[int, ...]

    def as_dict(self) -> dict:
        return {"program": self.program, "population": self.population,
                "selected": list(self.selected)}


def stratum_size(population: int, rate: Decimal) -> int:
    """The policy's rate of a stratum, rounded up; at least one of a non-empty stratum."""
    if population == 0:
        return 0
    return min(population, max(1, math.ceil(Decimal(population) * rate)))


def sample(population: dict[str, list[int]], rate: Decimal, seed: str) -> list[Stratum]:
    """{program: renewal ids} → the strata with their selection, in program order."""
    out = []
    for program in sorted(population):
        ids = sorted(population[program])
        k = stratum_size(len(ids), rate)
        chosen = random.Random(f"{seed}:{program}").sample(ids, k)
        out.append(Stratum(program, len(ids), tuple(sorted(chosen))))
    return out


def audit_policy(body: CertifyingBody, on: date):
    """The body's `audit` parameter in force on `on`, or None (the body is not audited)."""
    policy = current_policies().bodies.get(body.code)
    return None if policy is None else policy.param("audit", on, default=None)


def population(body: CertifyingBody, year: int) -> dict[str, list[int]]:
    """{program code: ids of the completed renewals requested in `year`}, each renewal in
    the stratum of its highest program (the rank in the policy on the request day): two
    queries."""
    policy = current_policies().bodies[body.code]
    renewals = (Renewal.objects.filter(body=body, status=Renewal.COMPLETED,
                                       requested_on__year=year)
                .prefetch_related("items__certification__program").order_by("pk"))
    strata: dict[str, list[int]] = {}
    for renewal in renewals:
        programs = [i.certification.program.code for i in renewal.items.all() if i.active]
        if not programs:
            continue

        def rank(code: str, day: date = renewal.requested_on) -> int:
            try:
                return policy.program(code, day).rank
            except KeyError:
                return 0

        top = max(sorted(programs), key=rank)
        strata.setdefault(top, []).append(renewal.pk)
    return strata


def preview(body: CertifyingBody, year: int, seed: str, on: date) -> list[Stratum]:
    """The selection the audit of `year` would make with `seed`: nothing is written."""
    rule = audit_policy(body, on)
    if rule is None:
        return []
    return sample(population(body, year - 1), rule.rate, seed)
