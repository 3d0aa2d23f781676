"""The people of the providers' tests: pat works for Fit Ed (ACE and ACSM approved), quinn
for Other Org; erin is ACE education staff, oscar ACSM education staff, vic an ACE viewer;
alice (ACE Personal Trainer and ACSM CPT) and bob are professionals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from recert.core.actions.staff import do_grant_staff_role
from recert.core.models import CertifyingBody, ProviderMembership


def _user(django_user_model, name, password):
    from recert.accounts.models import VerifiedAddress

    user = django_user_model.objects.create_user(name, f"{name}@example.com", password)
    VerifiedAddress.objects.create(user=user, email=user.email)  # e-mail verified (issue 11)
    user.raw_password = password
    return user


@pytest.fixture
def bodies(programs):
    return {b.code: b for b in CertifyingBody.objects.all()}


@pytest.fixture
def erin(db, bodies, django_user_model, password):
    user = _user(django_user_model, "erin", password)
    do_grant_staff_role(user, bodies["ACE"], "education", actor=None)
    return user


@pytest.fixture
def oscar(db, bodies, django_user_model, password):
    user = _user(django_user_model, "oscar", password)
    do_grant_staff_role(user, bodies["ACSM"], "education", actor=None)
    return user


@pytest.fixture
def vic(db, bodies, django_user_model, password):
    user = _user(django_user_model, "vic", password)
    do_grant_staff_role(user, bodies["ACE"], "viewer", actor=None)
    return user


@pytest.fixture
def fit_ed(bodies, erin, oscar):
    from recert.providers.actions import do_approve_provider, do_create_provider

    provider = do_create_provider(actor=erin, body=bodies["ACE"], approved_from=date(2024, 1, 1),
                                  name="Fit Ed", city="Springfield", postal_code="62701")
    do_approve_provider(provider, bodies["ACSM"], approved_from=date(2024, 1, 1),
                        provider_number="ACSM-P-77", actor=oscar)
    return provider


@pytest.fixture
def other_org(bodies, erin):
    from recert.providers.actions import do_create_provider

    return do_create_provider(actor=erin, body=bodies["ACE"], approved_from=date(2024, 1, 1),
                              name="Other Org")


@pytest.fixture
def pat(fit_ed, django_user_model, password):
    user = _user(django_user_model, "pat", password)
    ProviderMembership.objects.create(user=user, provider=fit_ed)
    return user


@pytest.fixture
def quinn(other_org, django_user_model, password):
    user = _user(django_user_model, "quinn", password)
    ProviderMembership.objects.create(user=user, provider=other_org)
    return user


@pytest.fixture
def ace_course(fit_ed, bodies, pat, erin):
    """Fit Ed's approved ACE course CA54321 (0.8 CECs, 8 ACSM CECs)."""
    from recert.providers.actions import do_approve_course, do_save_course, do_submit_course

    course = do_save_course(fit_ed, actor=pat, body=bodies["ACE"], title="Kettlebell Flow",
                            description="Swings, cleans and presses for group classes.",
                            format="workshop", credits=Decimal("0.8"), course_number="",
                            other_credits={bodies["ACSM"]: Decimal("8")})
    do_submit_course(course, actor=pat)
    return do_approve_course(course, actor=erin, course_number="CA54321",
                             approved_from=date(2024, 1, 1))


@pytest.fixture
def event(ace_course, pat):
    from recert.providers.actions import do_save_event

    zone = ZoneInfo("America/Chicago")
    return do_save_event(ace_course, actor=pat, delivery="in_person",
                         starts_at=datetime(2027, 3, 6, 9, 0, tzinfo=zone),
                         ends_at=datetime(2027, 3, 6, 17, 0, tzinfo=zone),
                         time_zone="America/Chicago", venue="Fit Ed Studio",
                         city="Springfield", postal_code="62701", capacity=20,
                         registration_url="https://fited.example.org/register")
