"""The provider demo (issue 14): `provider` with courses, upcoming events, a roster already
reported (Dana Demo's confirmed credit) and Morgan's pending ACE petition; loading twice
changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from recert.core.models import Course, CreditEntry
from recert.demo.people import load_demo
from recert.demo.providers import load_demo_providers
from recert.providers.models import Event, Petition, RosterRow

pytestmark = pytest.mark.django_db


def test_demo_provider_loads_twice(client):
    today = date.today()
    load_demo(today)
    accounts = load_demo_providers(today, password="demo-pass-1234")
    load_demo_providers(today, password="demo-pass-1234")
    assert [a.username for a in accounts] == ["provider"]
    courses = Course.objects.filter(provider__name="Peak Performance Education")
    assert sorted(courses.values_list("title", "status")) == [
        ("Kettlebell Coaching Certificate", "approved"), ("Pilates for Back Health", "submitted"),
        ("Youth Sport Nutrition", "approved")]
    assert Event.objects.filter(course__in=courses, ends_on__gte=today).count() == 4
    credited = RosterRow.objects.get(state="credited")
    assert credited.professional.user.username == "demo"
    assert credited.credit_entry.source == CreditEntry.PROVIDER
    assert RosterRow.objects.filter(state="held").count() == 1
    petition = Petition.objects.get()
    assert (petition.professional.user.username, petition.state) == ("morgan", "pending")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="provider")
    assert user.check_password("demo-pass-1234")
    client.force_login(user)
    assert "Kettlebell Coaching Certificate" in client.get("/provider/").content.decode()
    assert "Kettlebell Coaching Certificate" in client.get("/events/").content.decode()
