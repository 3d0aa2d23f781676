"""Synthetic data at any size, for benchmarks and load tests (issue 16).

Professionals with accounts (unusable passwords), member ids, CPR/AED records,
certifications of both bodies at every stage (current, ended or in grace, lapsed) with
cycles from the rules layer's cycle helpers, credits of every format weighted as people
log them, completed renewals with their claimed credits and paid invoices, open invoices,
ACE petitions at every state (with the body's decision or question), provider
organizations with approved courses and the completion rosters they uploaded (credited and
held rows), this year's audit of each audited body with cases at every stage, and the
history rows the actions would have written. The same seed gives the same data.

The rows are written in bulk (PostgreSQL: COPY; other databases: bulk_create), not through
the actions: at 100,000 professionals the actions would take hours. Rows are generated as
plain values with their ids allocated up front, so no row is read back. On PostgreSQL the
ids come from the tables' own sequences in blocks and several worker processes write
batches at once (the database's index upkeep, not Python, is most of the cost); the
application may keep running meanwhile. Elsewhere (SQLite, in the tests) one process takes
ids from the largest existing ones, so nothing else may write meanwhile there.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import multiprocessing
import operator
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from recert.audits import selection
from recert.audits.models import Audit, AuditCase, AuditItem, AuditReminder
from recert.core.models import (
    Certification,
    CertifyingBody,
    Course,
    CprAed,
    CreditDecision,
    CreditEntry,
    Cycle,
    History,
    MemberId,
    Professional,
    Program,
    Provider,
    ProviderApproval,
    ProviderMembership,
)
from recert.providers.models import Petition, PetitionMessage, Roster, RosterRow
from recert.renewals.models import (
    ClaimedCredit,
    Invoice,
    InvoiceLine,
    Payment,
    Renewal,
    RenewalItem,
)
from recert.rules import evaluate
from recert.rules import model as rules_model
from recert.rules.cycles import first_cycle, grace_ends, next_cycle, window_opens
from recert.rules.model import Cycle as RulesCycle

PREFIX_RE = re.compile(r"^[a-z][a-z0-9]{0,11}$")

STAGES = ("current", "ended", "lapsed")

FIRST_NAMES = ("Alex", "Blake", "Casey", "Dana", "Eli", "Frankie", "Gale", "Harper", "Indy",
               "Jordan", "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn",
               "Riley", "Sage", "Taylor", "Uma", "Val", "Wren", "Yael", "Zion")
FAMILY_NAMES = ("Abbott", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad",
                "Ito", "Johnson", "Kowalski", "Lopez", "Moreau", "Nguyen", "Okafor", "Patel",
                "Quintero", "Rossi", "Singh", "Tanaka", "Usman", "Varga", "Williams", "Xu",
                "Yilmaz", "Zimmer")
CITIES = (("Indianapolis", "IN"), ("Austin", "TX"), ("Denver", "CO"), ("Portland", "OR"),
          ("Columbus", "OH"), ("Boston", "MA"), ("Atlanta", "GA"), ("Phoenix", "AZ"),
          ("Seattle", "WA"), ("Chicago", "IL"), ("Miami", "FL"), ("San Diego", "CA"))
PROVIDERS = ("Midwest Fitness Education", "Nutrition Academy", "Mountain Clinical Education",
             "City Recreation Center", "Oncology Fit", "Aging Well", "Coastal Strength",
             "Mind & Motion", "Prairie Performance", "Metro Wellness Institute")
TOPICS = ("Strength and Conditioning", "Functional Training", "Nutrition for Trainers",
          "Behavior Change Coaching", "Older Adults", "Youth Fitness", "Mobility",
          "Cardiac Rehabilitation", "Group Cycling", "Kettlebell Basics", "Prenatal Exercise",
          "Sports Injury Prevention", "Pilates Mat", "HIIT Programming", "Yoga for Athletes")

# Program mix per body: (code, weight).
ACSM_PROGRAMS = (("CPT", 40), ("GEI", 15), ("EP", 20), ("CEP", 10), ("RCEP", 3))
ACSM_SPECIALTIES = (("CIFT", 4), ("CET", 4), ("PAPHS", 2))
ACE_PROGRAMS = (("PT", 50), ("GFI", 25), ("HC", 15), ("MES", 10))

# How often the rarer records occur. Petitions: of an ACE holder's course or workshop entries
# without a course number (about 1 in 100 people has one). Providers and rosters: per 1,000
# professionals of a run, each roster listing about 1 in 30 of its third of them, plus a few
# rows it could not match. Audits: the policy's own rate of last year's renewals.
PETITION_SHARE = 0.0015
PROVIDERS_PER_1000 = 3
ROSTERS_PER_1000 = 3
ROSTER_SHARE = 1 / 30
COURSE_TOPICS = ("Program Design for Older Adults", "Corrective Exercise Strategies",
                 "Coaching Behavior Change", "Youth Strength Training",
                 "Nutrition for Performance", "Functional Movement Screening",
                 "Cardiac Rehabilitation Update", "Kettlebell Instructor Course")


def _ri(rng: random.Random, low: int, high: int) -> int:
    """random.randint's range from one random() call (randint is a third of the run)."""
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: random.Random, values):
    """random.choice from one random() call (choice's getrandbits loop was a tenth of the run)."""
    return values[int(rng.random() * len(values))]


@functools.cache
def _steps(low: str, high: str, step: str) -> tuple[Decimal, ...]:
    low_d, high_d, step_d = Decimal(low), Decimal(high), Decimal(step)
    return tuple(low_d + step_d * i for i in range(int((high_d - low_d) / step_d) + 1))


def _d(rng: random.Random, low: str, high: str, step: str = "1") -> Decimal:
    """A Decimal between low and high in steps of `step`."""
    return _pick(rng, _steps(low, high, step))


def _topic(rng: random.Random) -> str:
    return _pick(rng, TOPICS)


# Each format: (weight, maker). A maker returns the entry's facts beside the date.
def _course(rng, online=False):
    kind = rng.random()
    if kind < 0.45:  # an ACE-approved course: CECs in tenths, a course number
        return {"unit": "cec", "amount": _d(rng, "0.1", "2.0", "0.1"), "awarded_by": "ACE",
                "provider": "ACE", "course_number": f"CEP{_ri(rng, 100000, 999999)}"}
    if kind < 0.7:
        return {"unit": "cec", "amount": _d(rng, "1", "15"), "awarded_by": "ACSM",
                "provider": "ACSM"}
    if kind < 0.8:
        return {"unit": "cec", "amount": _d(rng, "0.1", "1.5", "0.1"),
                "awarded_by": _pick(rng, ("NSCA", "NASM")), "provider": "NASM"}
    return {"unit": "hour", "amount": _d(rng, "1", "8", "0.5"), "provider": _pick(rng, PROVIDERS)}


def _hours(low: str, high: str, step: str = "0.5", **extra):
    def make(rng):
        return {"unit": "hour", "amount": _d(rng, low, high, step),
                "provider": _pick(rng, PROVIDERS), **extra}
    return make


def _item(**extra):
    def make(rng):
        return {"unit": "item", "amount": Decimal("1"), "credit_type": "none", **extra}
    return make


def _conference(rng):
    if rng.random() < 0.5:
        return {"unit": "cec", "amount": _d(rng, "5", "20"), "awarded_by": "ACSM",
                "provider": "ACSM"}
    return {"unit": "ceu", "amount": _d(rng, "0.5", "2.0", "0.1"),
            "awarded_by": _pick(rng, ("NSCA", "NASM", "OTHER")), "provider": "NSCA"}


def _college(rng):
    return {"unit": _pick(rng, ("semester_hour",) * 4 + ("quarter_hour",)),
            "amount": Decimal(_ri(rng, 1, 4)), "credit_type": "credit_hour",
            "grade": _pick(rng, ("A", "A-", "B+", "B", "B", "C", "C-", "D")),
            "provider": "State University"}


def _self_test(rng):
    return {"unit": "item", "amount": Decimal("1"), "awarded_by": "ACSM", "provider": "ACSM"}


FORMATS: tuple[tuple[str, float, Callable], ...] = (
    ("course", 18, _course),
    ("online_course", 18, lambda rng: _course(rng, online=True)),
    ("webinar", 14, _hours("1", "3")),
    ("conference", 10, _conference),
    ("workshop", 10, _hours("2", "12")),
    ("self_test", 4, _self_test),
    ("teaching", 3, _hours("1", "6")),
    ("workout", 3, _hours("1", "2")),
    ("college_course", 2, _college),
    ("lecturing", 2, _hours("1", "3")),
    ("volunteering", 2, _hours("2", "10", "1", credit_type="none")),
    ("cpr", 2, _item(provider="American Heart Association")),
    ("first_aid", 2, _hours("2", "6", "1", provider="Red Cross")),
    ("other", 2, _hours("1", "4")),
    ("acls", 1, _hours("3", "8", "1", provider="American Heart Association")),
    ("aed", 1, _item(provider="Red Cross")),
    ("bls", 1, _item(provider="American Heart Association")),
    ("publication", 1, _item()),
    ("membership", 1, _item(awarded_by="ACSM")),
    ("committee", 1, _hours("2", "10", "1", credit_type="none")),
    ("new_certification", 0.3, _item(awarded_by="ACSM", provider="ACSM")),
    ("exam", 0.3, _item()),
)
assert {f for f, _, _ in FORMATS} == set(rules_model.FORMATS), "a format has no maker"
_FORMAT_NAMES = [f for f, _, _ in FORMATS]
_FORMAT_CUM = []
_total = 0.0
for _f, _w, _m in FORMATS:
    _total += _w
    _FORMAT_CUM.append(_total)
_MAKERS = {f: m for f, _, m in FORMATS}


@dataclass
class Summary:
    """What a run wrote: rows per table and the time it took."""

    professionals: int = 0
    rows: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def __str__(self) -> str:
        counts = ", ".join(f"{n:,} {name}" for name, n in sorted(self.rows.items()))
        return (f"{self.professionals:,} professionals in {self.seconds:.1f} s "
                f"({self.rows.get('credit entries', 0) / max(self.seconds, 1e-9):,.0f} "
                f"credit entries/s): {counts}")


class _Writer:
    """Writes rows (dicts of column → value) in bulk: COPY on PostgreSQL, bulk_create
    elsewhere. Ids come from the generator, so the rows are never read back."""

    def __init__(self, using: str):
        self.connection = connections[using]
        self.using = using
        self.postgres = self.connection.vendor == "postgresql"

    def write(self, model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        if not self.postgres:
            model._base_manager.using(self.using).bulk_create(
                [model(**row) for row in rows], batch_size=500)
            return
        # Columns this generator does not know (added by later features) get their field's
        # default, as Django would write it: COPY does not apply Django's defaults.
        missing = [f for f in model._meta.concrete_fields
                   if f.attname not in rows[0] and not f.primary_key]
        defaults = tuple(f.get_default() for f in missing)
        names = list(rows[0])
        qn = self.connection.ops.quote_name
        columns = ", ".join(qn(model._meta.get_field(n).column)
                            for n in [*names, *(f.attname for f in missing)])
        json_at = [i for i, n in enumerate(names)
                   if isinstance(model._meta.get_field(n), models.JSONField)]
        values = operator.itemgetter(*names) if len(names) > 1 else (
            lambda row, n=names[0]: (row[n],))
        sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in rows:
                row = values(row)
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i])
                    write_row([*row, *defaults])
                else:
                    write_row(row + defaults)

    def analyze(self, model_list: list[type[models.Model]]) -> None:
        if not self.postgres:
            return
        # Fresh statistics: with none the planner guesses badly on the new rows (a page
        # took seconds on a sequential scan until autovacuum came by).
        with self.connection.cursor() as cursor:
            for model in model_list:
                cursor.execute(f"ANALYZE {self.connection.ops.quote_name(model._meta.db_table)}")


class _Ids:
    """Ids for new rows, allocated before the rows are written so that rows can point at
    each other without reading anything back.

    PostgreSQL: taken from each table's own sequence in blocks (`nextval` over a
    `generate_series`), so they never collide with rows written meanwhile by the
    application or by another worker of the same run; an unused rest of a block is a gap,
    as a rolled-back insert leaves one. Other databases (SQLite, for the tests): from the
    largest existing id; nothing else may write meanwhile there.
    """

    LARGEST_BLOCK = 65_536

    def __init__(self, model_list, using: str):
        self.using = using
        self.postgres = connections[using].vendor == "postgresql"
        self.next = {}
        self.free: dict[type, list[int]] = {}
        self.block = {}
        self.sequence = {}
        if not self.postgres:
            for model in model_list:
                last = model._base_manager.using(using).aggregate(m=models.Max("pk"))["m"]
                self.next[model] = (last or 0) + 1
        self.forget()

    def forget(self) -> None:
        """Drops the blocks taken so far (a forked worker must take its own)."""
        self.free = {}
        self.block = {}

    def take(self, model) -> int:
        if not self.postgres:
            value = self.next[model]
            self.next[model] = value + 1
            return value
        free = self.free.get(model)
        if not free:
            free = self._reserve(model)
        return free.pop()

    def _reserve(self, model) -> list[int]:
        size = self.block.get(model, 256)
        self.block[model] = min(2 * size, self.LARGEST_BLOCK)
        connection = connections[self.using]
        if model not in self.sequence:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)",
                               [connection.ops.quote_name(model._meta.db_table),
                                model._meta.pk.column])
                self.sequence[model] = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                           [self.sequence[model], size])
            # Reversed: pop() from the end hands them out in increasing order.
            self.free[model] = [row[0] for row in reversed(cursor.fetchall())]
        return self.free[model]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC) + timedelta(
        minutes=_ri(rng, 0, 600))


class Generator:
    """One run: `professionals(start, count)` writes a batch; `finish()` resets sequences."""

    def __init__(self, *, credits_per: int, seed: int, prefix: str, as_of: date,
                 using: str = DEFAULT_DB_ALIAS):
        from recert.core.actions.policies import sync_policies
        from recert.core.policies import current_policies
        from recert.rules import load_policies

        self.credits_per = credits_per
        self.seed = seed
        self.prefix = prefix
        self.as_of = as_of
        self.using = using
        sync_policies()
        self.policies = load_policies()
        # What the nightly job evaluates with (the stored policies, staff edits included).
        self.evaluated_policies = current_policies()
        self.bodies = {b.code: b.pk for b in CertifyingBody.objects.using(using)}
        self.programs = {(p.body.code, p.code): p.pk
                         for p in Program.objects.using(using).select_related("body")}
        self.models = _models()
        self.writer = _Writer(using)
        self.ids = _Ids(_all_models(), using)
        self.summary = Summary()
        self.password = self._unusable_password
        self.now = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
        self.latest = self.now + timedelta(hours=20)  # nothing happens after the day's end
        # Professional index → (course, roster id, line, completed on, uploaded at): set by
        # providers_and_rosters() before the batches, read by every worker.
        self.roster_of: dict[int, tuple] = {}

    @staticmethod
    def _unusable_password() -> str:
        # Django's own unusable value ("!" and random characters): nobody can log in as a
        # synthetic person, and no password is ever derived from the data.
        user = get_user_model()()
        user.set_unusable_password()
        return user.password

    # -- one professional ---------------------------------------------------------------

    def _certifications(self, rng: random.Random) -> list[tuple[str, str, str]]:
        """(body, program, stage) of one person's certifications."""
        r = rng.random()
        bodies = ["ACSM"] if r < 0.55 else ["ACE"] if r < 0.85 else ["ACSM", "ACE"]
        chosen = []
        for body in bodies:
            table = ACSM_PROGRAMS if body == "ACSM" else ACE_PROGRAMS
            codes = [rng.choices([c for c, _ in table], [w for _, w in table])[0]]
            if body == "ACSM" and rng.random() < 0.1:
                codes.append(rng.choices([c for c, _ in ACSM_SPECIALTIES],
                                         [w for _, w in ACSM_SPECIALTIES])[0])
            if body == "ACE" and rng.random() < 0.1:
                other = _pick(rng, [c for c, _ in ACE_PROGRAMS if c != codes[0]])
                codes.append(other)
            for code in codes:
                s = rng.random()
                stage = "current" if s < 0.75 else "ended" if s < 0.85 else "lapsed"
                chosen.append((body, code, stage))
        return chosen

    def _cycles(self, body_code: str, stage: str, rng: random.Random
                ) -> tuple[date, list[RulesCycle], RulesCycle, str]:
        """certified_on, the renewed (closed) cycles, the open cycle and the stored status."""
        body = self.policies.bodies[body_code]
        as_of = self.as_of
        if stage == "current":
            certified_on = as_of - timedelta(days=_ri(rng, 20, 12 * 365))
        else:
            # Old enough that the first cycle (up to four years) and its grace have ended.
            low = 8 * 365 if stage == "lapsed" else 5 * 365
            certified_on = as_of - timedelta(days=_ri(rng, low, 14 * 365))
        cycles = [first_cycle(body, certified_on)]
        if stage == "current":
            while as_of > cycles[-1].end:
                cycles.append(next_cycle(body, certified_on, cycles[-1]))
            return certified_on, cycles[:-1], cycles[-1], rules_model.ACTIVE
        while next_cycle(body, certified_on, cycles[-1]).end < as_of:
            cycles.append(next_cycle(body, certified_on, cycles[-1]))
        if stage == "lapsed":
            # Lapsed: the open cycle's grace ended months or years ago.
            while len(cycles) > 1 and (grace_ends(body, cycles[-1]) >= as_of - timedelta(days=90)
                                       or rng.random() < 0.3):
                cycles.pop()
        open_cycle = cycles[-1]
        if (stage == "ended" and as_of > grace_ends(body, open_cycle)
                and body.param("grace", open_cycle.end).months > 0):
            # Outside the body's grace season: an extension granted by staff that ended a
            # few weeks ago (as the demo's grace record), so that a professional in grace
            # exists on every day of the year.
            open_cycle = RulesCycle(open_cycle.start, max(
                open_cycle.start, as_of - timedelta(days=_ri(rng, 10, 150))))
            cycles[-1] = open_cycle
        status = rules_model.GRACE if as_of <= grace_ends(body, open_cycle) else rules_model.INVALID
        return certified_on, cycles[:-1], open_cycle, status

    def _credit(self, rng: random.Random, professional_id: int, earned_on: date,
                when: datetime, petitionable: bool) -> dict:
        fmt = _FORMAT_NAMES[_bisect(_FORMAT_CUM, rng.random() * _total)]
        facts = _MAKERS[fmt](rng)
        row = {
            "id": self.ids.take(CreditEntry), "professional_id": professional_id,
            "earned_on": earned_on,
            "reported_on": min(self.as_of, earned_on + timedelta(days=_ri(rng, 0, 45))),
            "title": f"{_topic(rng)} {fmt.replace('_', ' ')}", "format": fmt,
            "amount": facts["amount"], "unit": facts["unit"],
            "awarded_by": facts.get("awarded_by", "OTHER"),
            "provider": facts.get("provider", ""), "course_number": facts.get("course_number", ""),
            "credit_type": facts.get("credit_type", "cec"), "grade": facts.get("grade", ""),
            "published_on": (earned_on - timedelta(days=_ri(rng, 0, 300))
                             if fmt == "self_test" else None),
            "petition": "", "source": CreditEntry.SELF_REPORTED, "staff_reason": "",
            "deleted_at": None, "created_at": when, "updated_at": when,
        }
        s = rng.random()
        if s < 0.10:
            row["source"] = CreditEntry.PROVIDER
        elif s < 0.12:
            row["source"] = CreditEntry.STAFF
            row["staff_reason"] = "Corrected from the certificate"
        if (petitionable and fmt in ("course", "workshop") and not row["course_number"]
                and rng.random() < PETITION_SHARE):
            row["petition"] = _pick(rng, rules_model.PETITION_STATES)
        return row

    def _petition(self, rng, out, pid, row, when) -> None:
        """The ACE petition behind an entry's petition state, with its decision (a
        CreditDecision, as do_approve/do_deny_petition write) or the reviewer's question."""
        state = row["petition"]
        if state == Petition.PENDING and rng.random() < 0.3:
            state = Petition.MORE_INFORMATION  # the entry stays "pending" meanwhile
        decided = state in (Petition.APPROVED, Petition.DENIED)
        decided_at = min(when + timedelta(days=_ri(rng, 1, 30)), self.latest) if decided \
            else None
        granted = _d(rng, "0.2", "1.0", "0.1") if state == Petition.APPROVED else None
        reason = ("Content within the scope of practice; CECs granted for the hours shown."
                  if state == Petition.APPROVED else
                  "The agenda does not show the hours of structured learning." if decided
                  else "")
        petition_id = self.ids.take(Petition)
        hours = row["amount"] if row["unit"] == "hour" else Decimal("1")
        out[Petition].append({
            "id": petition_id, "credit_entry_id": row["id"], "body_id": self.bodies["ACE"],
            "professional_id": pid, "state": state,
            "description": f"{row['title']}: {format(hours.normalize(), 'f')} hours of "
                           "lectures and practical sessions led by a certified instructor.",
            "hours": hours, "certificate_id": None, "note": "", "credits_granted": granted,
            "reason": reason, "decided_by_id": None, "decided_at": decided_at,
            "promoted_course_id": None, "filed_at": when})
        for object_type, object_id in (("petition", petition_id), ("creditentry", row["id"])):
            self._history(out, History.Action.FILE_PETITION, object_type, object_id, pid, when,
                          {"state": [None, Petition.PENDING], "hours": [None, str(hours)]})
        if state == Petition.MORE_INFORMATION:
            asked = min(when + timedelta(days=_ri(rng, 1, 10)), self.latest)
            question = "Please attach the agenda with the times of each session."
            out[PetitionMessage].append({
                "id": self.ids.take(PetitionMessage), "petition_id": petition_id,
                "kind": PetitionMessage.QUESTION, "author_id": None, "text": question,
                "at": asked})
            self._history(out, History.Action.ASK_MORE_INFORMATION, "petition", petition_id,
                          pid, asked, {"state": [Petition.PENDING, state],
                                       "question": [None, question]})
        if decided:
            outcome = (CreditDecision.ACCEPTED if state == Petition.APPROVED
                       else CreditDecision.REJECTED)
            out[CreditDecision].append({
                "id": self.ids.take(CreditDecision), "credit_entry_id": row["id"],
                "body_id": self.bodies["ACE"], "outcome": outcome, "counted_as": granted,
                "reason": reason, "note": "", "decided_by_id": None, "decided_at": decided_at})
            self._history(out, History.Action.APPROVE if state == Petition.APPROVED
                          else History.Action.DECIDE, "petition", petition_id, pid, decided_at,
                          {"state": [Petition.PENDING, state], "reason": [None, reason]})
            return rules_model.Decision(outcome=outcome, counted_as=granted, reason=reason)
        return None

    def _renewal_open(self, rng, out, pid, open_now, credit_rows, decisions,
                      cpr_aed_valid_until) -> None:
        """Stores "renewal open" where the nightly job would have: a certification in its
        renewal window whose credits are complete (the engine decides, as the job does).
        The engine runs only for people with a certification whose window is open."""
        window = [c for c in open_now if self.as_of >= window_opens(
            self.policies.bodies[c[1]], c[3])]
        if not window:
            return
        certifications = [rules_model.CertificationIn(
            id=str(row["id"]), body=body, program=program, certified_on=row["certified_on"],
            cycle_start=cycle.start, cycle_end=cycle.end,
            cpr_aed_valid_until=cpr_aed_valid_until) for row, body, program, cycle in window]
        credits = [rules_model.CreditIn(
            id=str(r["id"]), earned_on=r["earned_on"], format=r["format"], amount=r["amount"],
            unit=r["unit"], awarded_by=r["awarded_by"], title=r["title"],
            provider=r["provider"] or None, course_number=r["course_number"] or None,
            grade=r["grade"] or None, published_on=r["published_on"],
            petition=r["petition"] or None,
            decisions={"ACE": decisions[r["id"]]} if r["id"] in decisions else {})
            for r in credit_rows]
        results = {r.id: r.status for r in evaluate(self.evaluated_policies, certifications,
                                                     credits, self.as_of).certifications}
        for row, body, _, cycle in window:
            status = results[str(row["id"])]
            if status == row["status"]:
                continue
            row["status"] = status
            on = max(window_opens(self.policies.bodies[body], cycle),
                     self.as_of - timedelta(days=_ri(rng, 0, 120)))
            self._history(out, History.Action.STATUS_CHANGE, "certification", row["id"], pid,
                          _at(min(on, self.as_of), rng),
                          {"status": [rules_model.ACTIVE, status]})

    def _roster_credit(self, out, pid, username, name, roster) -> dict:
        """The credit a provider's roster reported (source provider), and its roster row,
        as do_process_roster writes them."""
        course, roster_id, line, completed_on, uploaded_at = roster
        entry_id = self.ids.take(CreditEntry)
        row = {
            "id": entry_id, "professional_id": pid, "earned_on": completed_on,
            "reported_on": uploaded_at.date(), "title": course["title"],
            "format": course["format"], "amount": course["credits"], "unit": "cec",
            "awarded_by": course["body"], "provider": course["provider"],
            "course_number": course["course_number"], "credit_type": "cec", "grade": "",
            "published_on": None, "petition": "", "source": CreditEntry.PROVIDER,
            "staff_reason": "", "deleted_at": None, "created_at": uploaded_at,
            "updated_at": uploaded_at}
        row_id = self.ids.take(RosterRow)
        out[RosterRow].append({
            "id": row_id, "roster_id": roster_id, "course_id": course["id"], "line": line,
            "member_id": "", "email": f"{username}@example.test", "name": name,
            "completed_on": completed_on, "credits": None, "state": RosterRow.CREDITED,
            "note": "credited", "professional_id": pid, "credit_entry_id": entry_id,
            "merged_from": {}, "updated_at": uploaded_at})
        self._history(out, History.Action.REPORT_COMPLETION, "rosterrow", row_id, pid,
                      uploaded_at, {"state": [None, RosterRow.CREDITED],
                                    "note": [None, "credited"],
                                    "credit_entry": [None, str(entry_id)]})
        return row

    def professional(self, index: int, out: dict[type, list[dict]]) -> None:
        rng = random.Random(self.seed * 100_000_003 + index)
        as_of = self.as_of
        User = get_user_model()
        user_id = self.ids.take(User)
        pid = self.ids.take(Professional)
        first, family = _pick(rng, FIRST_NAMES), _pick(rng, FAMILY_NAMES)
        city, region = _pick(rng, CITIES)
        username = f"{self.prefix}{index:06d}"
        joined = _at(as_of - timedelta(days=_ri(rng, 30, 15 * 365)), rng)
        out[User].append({
            "id": user_id, "username": username, "email": f"{username}@example.test",
            "first_name": first, "last_name": family, "password": self.password(),
            "is_staff": False, "is_superuser": False, "is_active": True,
            "date_joined": joined, "last_login": None})
        out[Professional].append({
            "id": pid, "user_id": user_id, "full_name": f"{first} {family}",
            "email": f"{username}@example.test", "phone": f"555-{_ri(rng, 1000, 9999)}",
            "address_line1": f"{_ri(rng, 1, 9999)} Main Street", "address_line2": "",
            "city": city, "region": region, "postal_code": f"{_ri(rng, 10000, 99999)}",
            "country": "United States", "optional_reminders": rng.random() < 0.9,
            "evaluation_version": 0,
            "created_at": joined, "updated_at": joined})
        self._history(out, History.Action.CREATE, "professional", pid, pid, joined,
                      {"full_name": [None, f"{first} {family}"]})
        valid_until = None
        if rng.random() < 0.92:
            valid_until = as_of + timedelta(days=_ri(rng, -400, 730))
            out[CprAed].append({
                "id": self.ids.take(CprAed), "professional_id": pid,
                "provider": _pick(rng, ("American Heart Association", "Red Cross")),
                "valid_until": valid_until, "card": "", "card_name": "",
                "card_content_type": "", "card_sha256": "", "updated_at": joined})

        certifications = self._certifications(rng)
        seen_bodies = []
        earliest = as_of
        renewal_cycles = []  # (body, program code, certification id, RulesCycle, completed)
        open_now = []  # (row, body, program code, open cycle) of the certifications stored active
        for body_code, program_code, stage in certifications:
            if body_code not in seen_bodies:
                seen_bodies.append(body_code)
                out[MemberId].append({
                    "id": self.ids.take(MemberId), "professional_id": pid,
                    "body_id": self.bodies[body_code],
                    "member_id": f"{self.prefix.upper()}-{body_code}-{index:07d}"})
            certified_on, renewed, open_cycle, status = self._cycles(body_code, stage, rng)
            earliest = min(earliest, certified_on)
            cid = self.ids.take(Certification)
            created = _at(certified_on, rng)
            out[Certification].append({
                "id": cid, "professional_id": pid,
                "program_id": self.programs[(body_code, program_code)],
                "certified_on": certified_on, "status": status, "deleted_at": None,
                "created_at": created, "updated_at": created})
            if status == rules_model.ACTIVE:
                open_now.append((out[Certification][-1], body_code, program_code, open_cycle))
            initial = renewed[0] if renewed else open_cycle
            self._history(out, History.Action.CREATE, "certification", cid, pid, created, {
                "program": [None, str(self.programs[(body_code, program_code)])],
                "certified_on": [None, certified_on.isoformat()],
                "cycle": [None, [initial.start.isoformat(), initial.end.isoformat()]]})
            for number, cycle in enumerate([*renewed, open_cycle], start=1):
                closed = cycle is not open_cycle
                cycle_id = self.ids.take(Cycle)
                closed_at = _at(min(as_of, cycle.end), rng) if closed else None
                out[Cycle].append({
                    "id": cycle_id, "certification_id": cid, "number": number,
                    "start": cycle.start, "end": cycle.end, "closed_at": closed_at,
                    "closed_reason": "renewed" if closed else ""})
                if closed:
                    renewal_cycles.append((body_code, program_code, cid, cycle_id, cycle, True))
                elif stage == "current" and as_of >= cycle.end - timedelta(days=300) \
                        and rng.random() < 0.3:
                    renewal_cycles.append((body_code, program_code, cid, cycle_id, cycle,
                                           False))
            if status != rules_model.ACTIVE:
                self._history(out, History.Action.STATUS_CHANGE, "certification", cid, pid,
                              _at(min(as_of, open_cycle.end + timedelta(days=1)), rng),
                              {"status": [rules_model.ACTIVE, status]})

        # Credits: most of them recent, spread back to a little before the first certification.
        span = max(30, (as_of - earliest).days + 180)
        credit_rows = []
        # Only ACE counts a credit through a petition (ACE-PETITION-1).
        petitionable = any(body_code == "ACE" for body_code, _, _ in certifications)
        roster = self.roster_of.get(index)
        decisions: dict[int, rules_model.Decision] = {}
        for k in range(self.credits_per):
            if roster is not None and k == self.credits_per - 1:
                # The last credit of a person on a provider's roster is the one it reported.
                row = self._roster_credit(out, pid, username, f"{first} {family}", roster)
                earned_on, when = row["earned_on"], row["created_at"]
            else:
                earned_on = as_of - timedelta(days=int(span * rng.random() ** 1.6))
                when = _at(min(as_of, earned_on + timedelta(days=_ri(rng, 0, 30))), rng)
                row = self._credit(rng, pid, earned_on, when, petitionable)
            credit_rows.append(row)
            self._history(out, History.Action.CREATE, "creditentry", row["id"], pid, when,
                          {"title": [None, row["title"]],
                           "earned_on": [None, earned_on.isoformat()],
                           "amount": [None, format(row["amount"].normalize(), "f")],
                           "unit": [None, row["unit"]]})
            if row["petition"]:
                decision = self._petition(rng, out, pid, row, when)
                if decision is not None:
                    decisions[row["id"]] = decision
        out[CreditEntry].extend(credit_rows)
        self._renewal_open(rng, out, pid, open_now, credit_rows, decisions, valid_until)

        for body_code, program_code, cid, cycle_id, cycle, completed in renewal_cycles:
            self._renewal(rng, out, pid, body_code, program_code, cid, cycle_id, cycle,
                          completed, credit_rows)

    def _renewal(self, rng, out, pid, body_code, program_code, cid, cycle_id, cycle,
                 completed, credit_rows) -> None:
        body = self.policies.bodies[body_code]
        program = body.program(program_code, cycle.start)
        requested_on = (min(self.as_of, cycle.end - timedelta(days=_ri(rng, 0, 60)))
                        if completed else self.as_of - timedelta(days=_ri(rng, 0, 20)))
        requested_on = max(requested_on, cycle.start)
        claimed = [r for r in credit_rows if cycle.start <= r["earned_on"] <= cycle.end
                   and r["unit"] != "item"][:40]
        total_claimed = sum((r["amount"] for r in claimed), Decimal("0"))
        rid = self.ids.take(Renewal)
        requested_at = _at(requested_on, rng)
        out[Renewal].append({
            "id": rid, "professional_id": pid, "body_id": self.bodies[body_code],
            "cycle_end": cycle.end, "required": program.required,
            "cecs_through_body": min(total_claimed, program.required),
            "cecs_other": max(Decimal("0"), program.required - total_claimed),
            "cpr_aed_valid_until": requested_on + timedelta(days=365),
            "confirmed_details": {"full_name": "as on file"},
            "acknowledged_at": requested_at, "requested_on": requested_on,
            "status": Renewal.COMPLETED if completed else Renewal.PENDING_PAYMENT,
            "completed_at": requested_at + timedelta(days=1) if completed else None,
            "created_at": requested_at})
        out[RenewalItem].append({"id": self.ids.take(RenewalItem), "renewal_id": rid,
                                 "certification_id": cid, "cycle_id": cycle_id,
                                 "active": True})
        for r in claimed:
            out[ClaimedCredit].append({"id": self.ids.take(ClaimedCredit), "renewal_id": rid,
                                       "credit_entry_id": r["id"], "counted": r["amount"]})
        iid = self.ids.take(Invoice)
        fee = program.fee
        out[Invoice].append({
            "id": iid, "number": f"{self.prefix.upper()}-{iid:08d}", "renewal_id": rid,
            "professional_id": pid, "issued_on": requested_on, "currency": "USD",
            "total": fee, "status": Invoice.PAID if completed else Invoice.OPEN,
            "gateway": "offline", "checkout_session_id": "", "checkout_url": "",
            "checkout_expires_at": None, "checkout_attempt": 0, "created_at": requested_at})
        out[InvoiceLine].append({
            "id": self.ids.take(InvoiceLine), "invoice_id": iid, "position": 0,
            "kind": InvoiceLine.Kind.FEE.value,
            "description": f"{body_code} {program.name} recertification fee", "amount": fee})
        self._history(out, History.Action.CREATE, "renewal", rid, pid, requested_at,
                      {"invoice": [None, f"{self.prefix.upper()}-{iid:08d}"],
                       "total": [None, format(fee, "f")]})
        if completed:
            paid_at = requested_at + timedelta(days=1)
            pay_id = self.ids.take(Payment)
            out[Payment].append({
                "id": pay_id, "invoice_id": iid, "gateway": "offline",
                "reference": f"check {_ri(rng, 1000, 99999)}", "amount": fee,
                "received_at": paid_at, "idempotency_key": f"synthetic-{self.prefix}-{iid}",
                "recorded_by_id": None})
            self._history(out, History.Action.RECORD_PAYMENT, "invoice", iid, pid, paid_at,
                          {"amount": [None, format(fee, "f")]})
            self._history(out, History.Action.COMPLETE, "renewal", rid, pid, paid_at,
                          {"status": [Renewal.PENDING_PAYMENT, Renewal.COMPLETED]})
            self._history(out, History.Action.RENEWED, "certification", cid, pid, paid_at,
                          {"cycle": [[cycle.start.isoformat(), cycle.end.isoformat()], None]})

    def _history(self, out, action, object_type, object_id, pid, at, changes) -> None:
        out[History].append({"id": self.ids.take(History), "actor_id": None, "at": at,
                             "action": action.value, "object_type": object_type,
                             "object_id": object_id, "professional_id": pid,
                             "changes": changes})

    # -- providers, rosters and audits (a few per thousand people) -------------------------

    def _write_all(self, out: dict[type, list[dict]]) -> Counter:
        with transaction.atomic(using=self.using):
            for model, rows in out.items():
                self.writer.write(model, rows)
        return Counter({str(model._meta.verbose_name_plural): len(rows)
                        for model, rows in out.items() if rows})

    def providers_and_rosters(self, professionals: int) -> Counter:
        """Provider organizations (an approval by one body, a staff account, approved
        courses) and the completion rosters they uploaded; which people each roster lists
        is decided here, so that every worker writes its own people's rows and credits."""
        if not professionals:
            return Counter()
        out: dict[type, list[dict]] = {model: [] for model in CATALOG_MODELS}
        # The seed alone decides (not the prefix, nor the numbers already taken): the same
        # seed gives the same courses and rosters.
        rng = random.Random(f"{self.seed}:providers")
        numbers = random.Random(f"{self.seed}:course numbers")
        ace_numbers = set(Course.objects.using(self.using).filter(
            body_id=self.bodies["ACE"]).values_list("course_number", flat=True))
        courses = []
        User = get_user_model()
        for i in range(math.ceil(professionals * PROVIDERS_PER_1000 / 1000)):
            city, region = _pick(rng, CITIES)
            name = f"{PROVIDERS[i % len(PROVIDERS)]} {city} {self.prefix.upper()}{i:03d}"
            since = self.as_of - timedelta(days=_ri(rng, 365, 8 * 365))
            created = _at(since, rng)
            provider_id, user_id = self.ids.take(Provider), self.ids.take(User)
            body = "ACE" if rng.random() < 0.6 else "ACSM"
            username = f"{self.prefix}provider{i:04d}"
            out[Provider].append({
                "id": provider_id, "name": name, "email": f"{username}@example.test",
                "website": "", "city": city, "postal_code": f"{_ri(rng, 10000, 99999)}",
                "created_at": created})
            out[ProviderApproval].append({
                "id": self.ids.take(ProviderApproval), "provider_id": provider_id,
                "body_id": self.bodies[body], "approved_from": since, "approved_until": None,
                "provider_number": f"{body}-{self.prefix.upper()}{i:04d}",
                "created_at": created})
            out[User].append({
                "id": user_id, "username": username, "email": f"{username}@example.test",
                "first_name": _pick(rng, FIRST_NAMES), "last_name": _pick(rng, FAMILY_NAMES),
                "password": self.password(), "is_staff": False, "is_superuser": False,
                "is_active": True, "date_joined": created, "last_login": None})
            out[ProviderMembership].append({
                "id": self.ids.take(ProviderMembership), "user_id": user_id,
                "provider_id": provider_id, "created_at": created})
            self._history(out, History.Action.CREATE, "provider", provider_id, None, created,
                          {"name": [None, name], "approved_by": [None, body]})
            for _ in range(2):
                number = ""
                while body == "ACE" and (not number or number in ace_numbers):
                    number = f"CS{_ri(numbers, 100000, 999999)}"
                ace_numbers.add(number)
                course = {
                    "id": self.ids.take(Course), "body_id": self.bodies[body],
                    "provider_id": provider_id, "course_number": number,
                    "title": _pick(rng, COURSE_TOPICS),
                    "description": "Lectures, demonstrations and supervised practice.",
                    "credits": (_d(rng, "0.5", "2.0", "0.1") if body == "ACE"
                                else _d(rng, "4", "15")),
                    "format": _pick(rng, ("course", "workshop", "online_course")),
                    "status": Course.APPROVED, "return_reason": "", "submitted_at": created,
                    "approved_from": since, "approved_until": None}
                out[Course].append(course)
                courses.append((course, name, user_id, body))
        span = math.ceil(professionals / math.ceil(professionals * ROSTERS_PER_1000 / 1000))
        for start in range(0, professionals, span):
            course, provider_name, user_id, body = _pick(rng, courses)
            facts = {"id": course["id"], "title": course["title"], "format": course["format"],
                     "credits": course["credits"], "body": body, "provider": provider_name,
                     "course_number": course["course_number"]}
            uploaded_at = _at(self.as_of - timedelta(days=_ri(rng, 1, 300)), rng)
            completed_on = uploaded_at.date() - timedelta(days=_ri(rng, 0, 14))
            roster_id = self.ids.take(Roster)
            line = 0
            for index in range(start, min(start + span, professionals)):
                # Its own stream per person: the same people whatever the batches.
                if self.credits_per and random.Random(
                        (self.seed * 100_000_003 + index) ^ 0x5EED).random() < ROSTER_SHARE:
                    line += 1
                    self.roster_of[index] = (facts, roster_id, line, completed_on, uploaded_at)
            for _ in range(_ri(rng, 0, 2)):  # people the roster names but nobody matches
                line += 1
                email = f"walk-in{roster_id}-{line}@example.test"
                note = f"no one has verified {email} yet; it is offered to them once they do"
                row_id = self.ids.take(RosterRow)
                out[RosterRow].append({
                    "id": row_id, "roster_id": roster_id, "course_id": course["id"],
                    "line": line, "member_id": "", "email": email,
                    "name": f"{_pick(rng, FIRST_NAMES)} {_pick(rng, FAMILY_NAMES)}",
                    "completed_on": completed_on, "credits": None, "state": RosterRow.HELD,
                    "note": note, "professional_id": None, "credit_entry_id": None,
                    "merged_from": {}, "updated_at": uploaded_at})
                self._history(out, History.Action.REPORT_COMPLETION, "rosterrow", row_id, None,
                              uploaded_at, {"state": [None, RosterRow.HELD], "note": [None, note]})
            file_name = f"completions-{completed_on:%Y-%m-%d}.csv"
            out[Roster].append({
                "id": roster_id, "course_id": course["id"], "uploaded_by_id": user_id,
                "uploaded_at": uploaded_at, "file_name": file_name,
                "sha256": hashlib.sha256(f"{self.prefix}:{roster_id}".encode()).hexdigest(),
                "row_count": line, "status": Roster.DONE})
            self._history(out, History.Action.CREATE, "roster", roster_id, None, uploaded_at,
                          {"file": [None, file_name], "rows": [None, line]})
        return self._write_all(out)

    def audits(self) -> Counter:
        """This year's audit of each audited body, as do_start_audit and open_cases make it
        (the policy's rate of last year's completed renewals in the whole database, one case
        per selected renewal, its claimed credits as items), with its cases at every stage;
        none for a body whose audit of the year exists already."""
        out: dict[type, list[dict]] = {model: [] for model in AUDIT_MODELS}
        year = self.as_of.year
        notice_on = max(self.as_of - timedelta(days=20), date(year, 1, 1))
        rng = random.Random(f"{self.seed}:{self.prefix}:audits")
        for body in CertifyingBody.objects.using(self.using).order_by("code"):
            rule = selection.audit_policy(body, notice_on)
            if rule is None or Audit.objects.using(self.using).filter(
                    body=body, year=year).exists():
                continue
            audit_seed = f"{self.prefix}{self.seed}"
            strata = selection.sample(selection.population(body, year - 1), rule.rate,
                                      audit_seed)
            selected = [(pk, s.program) for s in strata for pk in s.selected]
            if not selected:
                continue
            audit_id = self.ids.take(Audit)
            started_at = _at(notice_on, rng)
            out[Audit].append({
                "id": audit_id, "body_id": body.pk, "year": year, "seed": audit_seed,
                "rate": rule.rate, "response_days": rule.response_days,
                "replacement_days": rule.replacement_days,
                "inactive_months": rule.inactive_months, "rule": rule.rule,
                "notice_on": notice_on, "strata": [s.as_dict() for s in strata],
                "status": Audit.OPEN, "started_by_id": None, "started_at": started_at})
            self._history(out, History.Action.START_AUDIT, "audit", audit_id, None, started_at,
                          {"body": [None, body.code], "year": [None, year],
                           "seed": [None, audit_seed], "selected": [None, len(selected)]})
            ids = [pk for pk, _ in selected]
            owner = dict(Renewal.objects.using(self.using).filter(pk__in=ids)
                         .values_list("pk", "professional_id"))
            claims: dict[int, list[tuple[int, Decimal]]] = {}
            for renewal_id, entry_id, counted in (
                    ClaimedCredit.objects.using(self.using).filter(renewal_id__in=ids)
                    .order_by("renewal_id", "credit_entry_id")
                    .values_list("renewal_id", "credit_entry_id", "counted")):
                claims.setdefault(renewal_id, []).append((entry_id, counted))
            due_on = notice_on + timedelta(days=rule.response_days)
            for renewal_id, stratum in selected:
                self._case(rng, out, audit_id, renewal_id, owner[renewal_id], stratum,
                           notice_on, due_on, rule, claims.get(renewal_id, []), started_at)
        return self._write_all(out)

    def _case(self, rng, out, audit_id, renewal_id, pid, stratum, notice_on, due_on, rule,
              claims, started_at) -> None:
        r = rng.random()
        status = (AuditCase.AWAITING if r < 0.55 else AuditCase.SUBMITTED if r < 0.75
                  else AuditCase.PASSED if r < 0.9 else AuditCase.REPLACEMENT)
        if not claims:
            status = AuditCase.AWAITING
        case_id = self.ids.take(AuditCase)
        answered = status != AuditCase.AWAITING
        submitted_at = (min(_at(notice_on + timedelta(days=_ri(rng, 1, 15)), rng), self.latest)
                        if answered else None)
        reviewed_at = (min(submitted_at + timedelta(days=_ri(rng, 1, 4)), self.latest)
                       if status in (AuditCase.PASSED, AuditCase.REPLACEMENT) else None)
        out[AuditCase].append({
            "id": case_id, "audit_id": audit_id, "renewal_id": renewal_id,
            "professional_id": pid, "stratum": stratum, "status": status,
            "notified_on": notice_on, "due_on": due_on,
            "replacement_due_on": (reviewed_at.date() + timedelta(days=rule.replacement_days)
                                   if status == AuditCase.REPLACEMENT else None),
            "inactive_until": None, "submitted_at": submitted_at,
            "submissions": 1 if answered else 0, "note": "", "claimed_by_id": None,
            "claimed_until": None,
            "concluded_at": reviewed_at if status == AuditCase.PASSED else None})
        self._history(out, History.Action.SELECT_FOR_AUDIT, "auditcase", case_id, pid,
                      started_at, {"due_on": [None, due_on.isoformat()],
                                   "credits": [None, [str(e) for e, _ in claims]]})
        if answered:
            self._history(out, History.Action.SUBMIT_AUDIT, "auditcase", case_id, pid,
                          submitted_at, {"status": [AuditCase.AWAITING, AuditCase.SUBMITTED]})
        rejected = _ri(rng, 0, len(claims) - 1) if status == AuditCase.REPLACEMENT else None
        for n, (entry_id, counted) in enumerate(claims):
            outcome = (AuditItem.PENDING if reviewed_at is None
                       else AuditItem.REJECTED if n == rejected else AuditItem.ACCEPTED)
            out[AuditItem].append({
                "id": self.ids.take(AuditItem), "case_id": case_id, "credit_entry_id": entry_id,
                "counted": counted, "replacement": False,
                "locked_at_submission": submitted_at, "outcome": outcome,
                "reason": "length_not_shown" if outcome == AuditItem.REJECTED else "",
                "review_note": "", "reviewed_by_id": None, "reviewed_at": reviewed_at,
                "appeal": "", "appeal_note": "", "appeal_decided_by_id": None})
        reminder_on = due_on - timedelta(days=AuditReminder.DAYS_BEFORE[AuditReminder.DAYS_14])
        if status == AuditCase.AWAITING and reminder_on <= self.as_of:
            out[AuditReminder].append({
                "id": self.ids.take(AuditReminder), "case_id": case_id,
                "kind": AuditReminder.DAYS_14, "deadline": due_on,
                "sent_at": _at(reminder_on, rng)})

    # -- batches --------------------------------------------------------------------------

    def batch(self, start: int, count: int) -> Counter:
        """Generates and writes professionals start … start + count - 1 in one transaction;
        returns the rows written per table."""
        out: dict[type, list[dict]] = {model: [] for model in self.models}
        for index in range(start, start + count):
            self.professional(index, out)
        with transaction.atomic(using=self.using):
            if self.writer.postgres:
                # A lost batch after a crash is regenerated by running again with another
                # prefix; not waiting for each commit's flush is safe for that.
                with self.writer.connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            for model in self.models:  # parents before children
                self.writer.write(model, out[model])
        return Counter({str(model._meta.verbose_name_plural): len(rows)
                        for model, rows in out.items()})

    def finish(self) -> None:
        self.writer.analyze(_all_models())


# The run a forked worker serves (set in the parent just before the fork, inherited).
_RUN: Generator | None = None


def _start_worker() -> None:
    # The parent closed its connections before forking: each worker opens its own, and
    # takes its own blocks of ids.
    _RUN.ids.forget()


def _worker_batch(task: tuple[int, int]) -> tuple[Counter, int]:
    start, count = task
    return _RUN.batch(start, count), count


def _bisect(cumulative: list[float], x: float) -> int:
    lo, hi = 0, len(cumulative) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _models() -> list[type[models.Model]]:
    """What a batch writes, parents before children."""
    return [get_user_model(), Professional, MemberId, CprAed, Certification, Cycle,
            CreditEntry, CreditDecision, Petition, PetitionMessage, RosterRow, Renewal,
            RenewalItem, ClaimedCredit, Invoice, InvoiceLine, Payment, History]


CATALOG_MODELS = [get_user_model(), Provider, ProviderApproval, ProviderMembership, Course,
                  Roster, RosterRow, History]
AUDIT_MODELS = [Audit, AuditCase, AuditItem, AuditReminder, History]


def _all_models() -> list[type[models.Model]]:
    return list(dict.fromkeys([*_models(), *CATALOG_MODELS, *AUDIT_MODELS]))


class SyntheticError(ValueError):
    """A bad argument or a clash with existing data; the message names it."""


def generate(professionals: int, *, credits_per: int = 50, seed: int = 1,
             prefix: str = "syn", as_of: date | None = None, batch: int = 1000,
             workers: int | None = None, using: str = DEFAULT_DB_ALIAS,
             progress: Callable[[Summary], None] | None = None) -> Summary:
    """Writes `professionals` synthetic people (usernames prefix000000, prefix000001, …),
    in batches of `batch` per transaction, by `workers` processes on PostgreSQL (default:
    one per core, up to 4)."""
    global _RUN
    from django.utils import timezone

    if professionals < 0:
        raise SyntheticError("--professionals must be 0 or more")
    if credits_per < 0:
        raise SyntheticError("--credits-per must be 0 or more")
    if batch < 1:
        raise SyntheticError("--batch must be 1 or more")
    if not PREFIX_RE.match(prefix):
        raise SyntheticError("--prefix must be a lower-case letter then up to 11 lower-case "
                             f"letters or digits (got {prefix!r})")
    if get_user_model()._base_manager.using(using).filter(
            username__startswith=prefix, username__regex=rf"^{prefix}[0-9]{{6,}}$").exists():
        raise SyntheticError(f"synthetic people with the prefix {prefix!r} exist already; "
                             "choose another --prefix")
    if workers is not None and workers < 1:
        raise SyntheticError("--workers must be 1 or more")
    started = time.perf_counter()
    generator = Generator(credits_per=credits_per, seed=seed, prefix=prefix,
                          as_of=as_of or timezone.localdate(), using=using)
    summary = generator.summary
    summary.rows.update(generator.providers_and_rosters(professionals))
    tasks = [(start, min(batch, professionals - start))
             for start in range(0, professionals, batch)]
    # Workers (processes: the generating is Python, one core each) on PostgreSQL, outside a
    # transaction only: each writes its batches in transactions of its own connection.
    parallel = generator.writer.postgres and not connections[using].in_atomic_block
    if workers is None:
        workers = min(4, os.cpu_count() or 1) if parallel else 1
    if not parallel or workers == 1 or len(tasks) == 1:
        results = (generator.batch(start, count) for start, count in tasks)
        results = zip(results, (count for _, count in tasks), strict=True)
        pool = None
    else:
        _RUN = generator
        connections.close_all()
        pool = multiprocessing.get_context("fork").Pool(min(workers, len(tasks)),
                                                        initializer=_start_worker)
        results = pool.imap_unordered(_worker_batch, tasks)
    try:
        for rows, count in results:
            summary.rows.update(rows)
            summary.professionals += count
            summary.seconds = time.perf_counter() - started
            if progress:
                progress(summary)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
            _RUN = None
    if professionals:
        summary.rows.update(generator.audits())
    generator.finish()
    summary.seconds = time.perf_counter() - started
    return summary
