"""A realistic demo data set, with dates relative to today; loading it twice changes nothing.

Rows are found by natural keys (username, professional + program, professional + credit
title), so what a user added or deleted in the demo is left as it is. Passwords are
never stored in clear: every load sets new ones and returns them to be printed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from recert.accounts.actions import do_verify_email
from recert.accounts.verification import current_address
from recert.core.actions.certifications import do_create_certification
from recert.core.actions.credits import do_create_credit_entry
from recert.core.actions.policies import sync_policies
from recert.core.actions.professionals import do_create_professional, do_set_member_id
from recert.core.actions.staff import do_grant_staff_role
from recert.core.catalog import load_demo_catalog
from recert.core.models import Certification, CertifyingBody, CreditEntry, Professional, Program
from recert.core.models.staff import ROLES


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str


def _c(days_ago: int, title: str, fmt: str, amount: str, unit: str, awarded_by: str = "OTHER",
       **extra) -> dict:
    return {"days_ago": days_ago, "title": title, "format": fmt, "amount": Decimal(amount),
            "unit": unit, "awarded_by": awarded_by, **extra}


def _people(today: date) -> list[dict]:
    """The demo professionals. Cycles are computed by the engine from the certified-on date,
    except where a record says otherwise (see `cycle`)."""
    y = today.year
    in_a_year = today + timedelta(days=365)
    if today.month <= 6:
        # ACSM grace: the cycle ended on Dec 31 of last year, six months of grace follow.
        grace_cert = {"program": ("ACSM", "EP"), "certified_on": date(y - 4, 4, 12),
                      "cycle": (date(y - 4, 4, 12), date(y - 1, 12, 31)), "cpr": in_a_year}
    else:
        # From July on no ACSM cycle can be in grace under the policy's schedule; the demo
        # record carries an extension granted by staff that ended six weeks ago.
        grace_cert = {"program": ("ACSM", "EP"), "certified_on": date(y - 3, 4, 12),
                      "cycle": (date(y - 3, 4, 12), today - timedelta(days=42)), "cpr": in_a_year}
    return [
        {
            "username": "demo", "full_name": "Dana Demo", "email": "demo@example.com",
            "city": "Indianapolis", "region": "IN", "country": "United States",
            "member_ids": {"ACSM": "ACSM-100200", "ACE": "ACE-0042017"},
            "certifications": [
                {"program": ("ACSM", "CPT"), "certified_on": date(y - 1, 3, 15),
                 "cpr": in_a_year},
                {"program": ("ACE", "PT"), "certified_on": today - timedelta(days=300),
                 "cpr": in_a_year},
            ],
            "credits": [
                _c(200, "Strength and Conditioning Workshop", "workshop", "10", "hour",
                   provider="Midwest Fitness Education"),
                _c(150, "ACE Functional Training Course", "online_course", "0.7", "cec", "ACE",
                   provider="ACE", course_number="CEP123456"),
                _c(90, "NASM Optima Conference", "conference", "1.2", "ceu", "NASM",
                   provider="NASM"),
                _c(40, "Nutrition for Trainers Webinar", "webinar", "2", "hour",
                   provider="Nutrition Academy"),
                _c(20, "Heartsaver CPR/AED", "cpr", "1", "item",
                   provider="American Heart Association", credit_type="none"),
            ],
        },
        {
            "username": "riley", "full_name": "Riley Ready", "email": "riley@example.com",
            "city": "Austin", "region": "TX", "country": "United States",
            "member_ids": {"ACSM": "ACSM-100201"},
            "certifications": [
                {"program": ("ACSM", "CPT"), "certified_on": date(y - 3, 6, 1),
                 "cpr": in_a_year},
                {"program": ("ACSM", "GEI"), "certified_on": date(y - 3, 9, 20),
                 "cpr": in_a_year},
            ],
            "credits": [
                _c(700, "ACSM Annual Meeting", "conference", "20", "cec", "ACSM", provider="ACSM"),
                _c(400, "Exercise is Medicine Course", "course", "15", "cec", "ACSM",
                   provider="ACSM"),
                _c(120, "Kinesiology 340", "college_course", "1", "semester_hour",
                   provider="University of Texas", grade="B+", credit_type="credit_hour"),
                _c(60, "Certified News, spring issue", "self_test", "1", "item", "ACSM",
                   provider="ACSM", published_on=today - timedelta(days=150)),
                _c(30, "Teaching Group Cycling Basics", "teaching", "3", "hour",
                   provider="City Recreation Center"),
            ],
        },
        {
            "username": "grace", "full_name": "Grace Gill", "email": "grace@example.com",
            "city": "Denver", "region": "CO", "country": "United States",
            "member_ids": {"ACSM": "ACSM-100202", "ACE": "ACE-0042018"},
            "certifications": [
                grace_cert,
                {"program": ("ACE", "GFI"), "certified_on": today - timedelta(days=500),
                 "cpr": in_a_year},
            ],
            "credits": [
                _c(500, "Clinical Exercise Testing Workshop", "workshop", "12", "hour",
                   provider="Mountain Clinical Education"),
                _c(380, "Published article: Balance training in older adults", "publication",
                   "1", "item", credit_type="none"),
                _c(260, "Regional chapter lecture", "lecturing", "2", "hour",
                   provider="RMACSM"),
                _c(140, "Community 5K volunteer coach", "volunteering", "6", "hour",
                   provider="Denver Runs", credit_type="none"),
            ],
        },
        {
            "username": "casey", "full_name": "Casey Lapsed", "email": "casey@example.com",
            "city": "Portland", "region": "OR", "country": "United States",
            "member_ids": {"ACSM": "ACSM-100203", "ACE": "ACE-0042019"},
            "certifications": [
                {"program": ("ACSM", "CPT"), "certified_on": date(y - 3, 2, 2),
                 "cpr": today - timedelta(days=60)},
                {"program": ("ACE", "HC"), "certified_on": today - timedelta(days=400),
                 "cpr": today - timedelta(days=60)},
            ],
            "credits": [
                _c(650, "NSCA National Conference", "conference", "2", "cec", "NSCA",
                   provider="NSCA"),
                _c(420, "Advanced Cardiac Life Support", "acls", "3", "hour",
                   provider="American Heart Association"),
                _c(300, "Behavior Change Coaching", "online_course", "1.5", "cec", "ACE",
                   provider="ACE", course_number="CA23456"),
                _c(200, "First Aid Basics", "first_aid", "4", "hour", provider="Red Cross"),
                _c(100, "BLS for Healthcare Providers", "bls", "1", "item",
                   provider="American Heart Association", credit_type="none"),
                _c(90, "AED refresher", "aed", "1", "item", provider="Red Cross",
                   credit_type="none"),
            ],
        },
        {
            "username": "nora", "full_name": "Nora New", "email": "nora@example.com",
            "city": "Columbus", "region": "OH", "country": "United States",
            "member_ids": {},
            "certifications": [
                {"program": ("ACE", "GFI"), "certified_on": today - timedelta(days=20),
                 "cpr": in_a_year},
                {"program": ("ACSM", "GEI"), "certified_on": today - timedelta(days=10),
                 "cpr": in_a_year},
            ],
            "credits": [],
        },
        {
            "username": "morgan", "full_name": "Morgan Multi", "email": "morgan@example.com",
            "city": "Boston", "region": "MA", "country": "United States",
            "member_ids": {"ACSM": "ACSM-100204", "ACE": "ACE-0042020"},
            "certifications": [
                {"program": ("ACSM", "EP"), "certified_on": date(y - 2, 1, 10),
                 "cpr": in_a_year},
                {"program": ("ACSM", "CET"), "certified_on": date(y - 2, 5, 5),
                 "cpr": in_a_year},
                {"program": ("ACE", "MES"), "certified_on": today - timedelta(days=250),
                 "cpr": in_a_year},
            ],
            "credits": [
                _c(600, "ACSM Clinical Exercise Physiologist", "new_certification", "1", "item",
                   "ACSM", provider="ACSM", course_number="CEP", credit_type="none"),
                _c(500, "State licensing exam", "exam", "1", "item", credit_type="none"),
                _c(450, "ACSM professional membership", "membership", "1", "item", "ACSM",
                   credit_type="none"),
                _c(350, "Chapter education committee", "committee", "5", "hour",
                   credit_type="none"),
                _c(200, "Cancer Exercise Course", "course", "8", "hour", provider="Oncology Fit",
                   petition="pending"),
                _c(150, "Group HIIT class", "workout", "1", "hour", provider="Gym", ),
                _c(60, "Podcast series on aging", "other", "2", "hour", provider="Aging Well"),
            ],
        },
        {
            # Morgan again, imported under another account (issue 12): a candidate on the
            # staff console's merge page (a similar name; both have an ACSM member ID).
            "username": "mmulti", "full_name": "Morgan  Multi",
            "email": "morgan.multi@example.com",
            "city": "Boston", "region": "MA", "country": "United States",
            "member_ids": {"ACSM": "ACSM-100299"},
            "certifications": [
                {"program": ("ACSM", "GEI"), "certified_on": today - timedelta(days=300),
                 "cpr": in_a_year},
            ],
            "credits": [
                _c(40, "Group fitness leadership", "course", "3", "hour",
                   provider="Midwest Fitness Education"),
            ],
        },
    ]


def _password(fixed: str | None) -> str:
    return fixed if fixed is not None else secrets.token_urlsafe(12)


def _demo_user(username: str, first: str, last: str, password: str | None, *,
               superuser: bool = False):
    """A staff or admin account of the demo with a new password (staff hold roles through
    memberships, not is_staff: the admin is for superusers only)."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com", "first_name": first,
                                     "last_name": last})
    user.is_staff = user.is_superuser = superuser
    pw = _password(password)
    user.set_password(pw)
    user.save()
    return user, pw


def _enrol_demo_authenticator(users) -> None:
    """The demo's staff and admin accounts share one authenticator key, new on every run
    and printed by `recert demo` (docs/decisions.md: the second factor in the demo)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

    key = default_key()
    for user in users:
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key,
                                  confirmed=True)


def demo_authenticator_key() -> str:
    """The key of the demo staff accounts' authenticator, base32 as apps take it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from recert.accounts.second_factor import key_of

    device = TOTPDevice.objects.filter(user__username="staff", confirmed=True).first()
    return key_of(device) if device else ""


@transaction.atomic
def load_demo(today: date, *, password: str | None = None) -> list[DemoAccount]:
    """Loads (or completes) the demo; returns every demo account with its new password."""
    sync_policies()
    load_demo_catalog()
    User = get_user_model()
    accounts: list[DemoAccount] = []

    staff, pw = _demo_user("staff", "Sam", "Staff", password)
    accounts.append(DemoAccount("staff", pw, "staff: every role of every body"))
    admin, pw = _demo_user("admin", "Ada", "Admin", password, superuser=True)
    accounts.append(DemoAccount("admin", pw, "superuser: the admin at /admin/"))
    for body in CertifyingBody.objects.all():
        for role in ROLES:
            do_grant_staff_role(staff, body, role, actor=admin)
            username = f"{body.code.lower()}-{role}"
            user, pw = _demo_user(username, body.code, role.capitalize(), password)
            do_grant_staff_role(user, body, role, actor=admin)
            accounts.append(DemoAccount(username, pw, f"staff: {role} at {body.code}"))

    _enrol_demo_authenticator([User.objects.get(username=a.username) for a in accounts])

    programs = {(p.body.code, p.code): p for p in Program.objects.select_related("body")}
    bodies = {b.code: b for b in CertifyingBody.objects.all()}
    for person in _people(today):
        pw = _password(password)
        user = User.objects.filter(username=person["username"]).first()
        if user is None:
            professional = do_create_professional(
                username=person["username"], email=person["email"],
                full_name=person["full_name"], password=pw, actor=staff,
                city=person["city"], region=person["region"], country=person["country"],
            )
        else:
            user.set_password(pw)
            user.save(update_fields=["password"])
            professional = Professional.objects.filter(user=user).first()
            if professional is None:
                professional = Professional.objects.create(
                    user=user, full_name=person["full_name"], email=user.email)
        accounts.append(DemoAccount(person["username"], pw, "professional"))
        # The demo's people read their (made-up) mailboxes: their addresses are verified.
        do_verify_email(professional.user, current_address(professional.user), actor=staff)

        for body_code, member_id in person["member_ids"].items():
            if not professional.member_ids.filter(body__code=body_code).exists():
                do_set_member_id(professional, bodies[body_code], member_id, actor=staff)

        for cert in person["certifications"]:
            program = programs[cert["program"]]
            exists = Certification.all_objects.filter(professional=professional,
                                                      program=program).exists()
            if not exists:
                do_create_certification(
                    professional, program, cert["certified_on"], actor=staff,
                    cpr_aed_valid_until=cert["cpr"], cycle=cert.get("cycle"),
                )

        for credit in person["credits"]:
            fields = dict(credit)
            earned_on = today - timedelta(days=fields.pop("days_ago"))
            # Keyed by title only: the dates move with today, the entry must not repeat.
            exists = CreditEntry.all_objects.filter(
                professional=professional, title=fields["title"]
            ).exists()
            if not exists:
                do_create_credit_entry(professional, actor=professional.user,
                                       earned_on=earned_on, reported_on=earned_on, **fields)
    return accounts
