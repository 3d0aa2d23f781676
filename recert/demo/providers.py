"""The demo's provider: an organization approved by ACE and ACSM with a staff account
(`provider`), courses (approved and one waiting for ACE), upcoming events, a roster already
reported for Dana Demo, and a pending ACE petition of Morgan Multi. Loading it twice
changes nothing (natural keys: names and titles); passwords are new on every load."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from recert.core.actions.credits import do_create_credit_entry
from recert.core.models import (
    CertifyingBody,
    Course,
    CreditEntry,
    Professional,
    Provider,
    ProviderMembership,
)
from recert.demo.people import DemoAccount
from recert.providers.actions import (
    bodies_waiting_for_petition,
    do_approve_course,
    do_approve_provider,
    do_create_provider,
    do_file_petition,
    do_save_course,
    do_save_event,
    do_submit_course,
    do_upload_roster,
)
from recert.providers.models import Petition

NAME = "Peak Performance Education"
ZONE = "America/Indiana/Indianapolis"


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(ZONE))


def _course(provider, user, body, title, **fields):
    course = Course.objects.filter(provider=provider, title=title).first()
    if course is None:
        other = fields.pop("other_credits", None)
        course = do_save_course(provider, actor=user, body=body, title=title,
                                other_credits=other, course_number="", **fields)
    return course


@transaction.atomic
def load_demo_providers(today: date, *, password: str | None = None) -> list[DemoAccount]:
    User = get_user_model()
    bodies = {b.code: b for b in CertifyingBody.objects.all()}
    staff = User.objects.filter(username="ace-education").first()
    acsm_staff = User.objects.filter(username="acsm-education").first()
    provider = Provider.objects.filter(name=NAME).first()
    if provider is None:
        provider = do_create_provider(
            actor=staff, body=bodies["ACE"], approved_from=today - timedelta(days=730),
            approved_until=today + timedelta(days=365), name=NAME,
            email="education@peak.example.org", website="https://peak.example.org",
            city="Indianapolis", postal_code="46204")
        do_approve_provider(provider, bodies["ACSM"], approved_from=today - timedelta(days=730),
                            provider_number="ACSM-AP-1042", actor=acsm_staff)
    user = User.objects.filter(username="provider").first()
    if user is None:
        user = User(username="provider", email="provider@example.com", first_name="Pia",
                    last_name="Provider")
    pw = password or secrets.token_urlsafe(9)
    user.set_password(pw)
    user.save()
    ProviderMembership.objects.get_or_create(user=user, provider=provider)

    kettlebell = _course(provider, user, bodies["ACE"], "Kettlebell Coaching Certificate",
                         description="Swings, cleans, snatches and how to coach them in "
                                     "small groups.", format="workshop",
                         credits=Decimal("0.8"), other_credits={bodies["ACSM"]: Decimal("8")})
    if kettlebell.status == Course.DRAFT:
        do_submit_course(kettlebell, actor=user)
        kettlebell = do_approve_course(kettlebell, actor=staff, course_number="CA61234",
                                       approved_from=today - timedelta(days=365))
    nutrition = _course(provider, user, bodies["ACSM"], "Youth Sport Nutrition",
                        description="Fueling young athletes: energy needs, hydration, "
                                    "supplements.", format="online_course",
                        credits=Decimal("6"))
    if nutrition.status == Course.DRAFT:
        do_submit_course(nutrition, actor=user)
    pilates = _course(provider, user, bodies["ACE"], "Pilates for Back Health",
                      description="Mat Pilates progressions for clients with low-back pain.",
                      format="course", credits=Decimal("1.2"))
    if pilates.status == Course.DRAFT:
        do_submit_course(pilates, actor=user)  # waits for ACE's education staff

    if not kettlebell.events.exists():
        for days, delivery, city in ((20, "in_person", "Indianapolis"),
                                     (48, "in_person", "Carmel"), (35, "live_online", "")):
            day = today + timedelta(days=days)
            do_save_event(kettlebell, actor=user, delivery=delivery, starts_at=_at(day, 9),
                          ends_at=_at(day, 17), time_zone=ZONE,
                          venue="Peak Studio" if city else "", city=city,
                          postal_code={"Indianapolis": "46204", "Carmel": "46032"}.get(city, ""),
                          capacity=24, registration_url="https://peak.example.org/register")
    if not nutrition.events.exists():
        do_save_event(nutrition, actor=user, delivery="online",
                      starts_at=_at(today + timedelta(days=1), 0),
                      ends_at=_at(today + timedelta(days=120), 23), time_zone=ZONE,
                      registration_url="https://peak.example.org/youth-nutrition")

    if not kettlebell.rosters.exists():
        day = today - timedelta(days=12)
        text = ("member id,email,name,completion date\n"
                f"ACE-0042017,demo@example.com,Dana Demo,{day:%m/%d/%Y}\n"
                f"ACE-0099999,,Sam Someone,{day:%m/%d/%Y}\n")
        do_upload_roster(kettlebell, SimpleUploadedFile("kettlebell-roster.csv", text.encode()),
                         actor=user, today=today)

    morgan = Professional.objects.filter(user__username="morgan").first()
    if morgan is not None:
        entry = CreditEntry.objects.filter(professional=morgan,
                                           title="Barre Fundamentals Workshop").first()
        if entry is None:
            entry = do_create_credit_entry(
                morgan, actor=morgan.user, earned_on=today - timedelta(days=30),
                reported_on=today - timedelta(days=30), title="Barre Fundamentals Workshop",
                format="workshop", amount=Decimal("6"), unit="hour", awarded_by="OTHER",
                provider="Barre Studio Collective")
        if not Petition.objects.filter(credit_entry=entry).exists() and (
                "ACE" in bodies_waiting_for_petition(entry, today)):
            do_file_petition(entry, bodies["ACE"], actor=morgan.user,
                             description="Barre technique and programming: 9:00-12:00 "
                                         "posture and alignment, 13:00-16:00 class design.",
                             hours=Decimal("6"), note="Certificate on file with the studio.",
                             today=today)
    return [DemoAccount("provider", pw, f"provider staff: {NAME}")]
