"""`recert demo --no-serve` loads a realistic demo; running it again duplicates nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from recert.cli import main
from recert.core.actions.credits import do_create_credit_entry
from recert.core.evaluation import evaluate_professional
from recert.core.models import (
    Certification,
    CertifyingBody,
    CreditEntry,
    Cycle,
    History,
    MemberId,
    Professional,
    Program,
)
from recert.rules.model import FORMATS

MODELS = [get_user_model(), Professional, MemberId, CertifyingBody, Program, Certification,
          Cycle, CreditEntry]


def counts():
    return {m.__name__: m._default_manager.count() for m in MODELS}


def printed_passwords(out: str) -> dict[str, str]:
    lines = [line.split() for line in out.splitlines() if line.startswith("  ")]
    return {parts[0]: parts[1] for parts in lines}


@pytest.mark.django_db(transaction=True)
def test_demo_twice_keeps_counts_and_user_data(capsys):
    assert main(["demo", "--no-serve"]) == 0
    first_out = capsys.readouterr().out
    first = counts()
    assert "http://127.0.0.1:8000/" in first_out
    passwords = printed_passwords(first_out)
    assert {"demo", "staff"} <= set(passwords)

    demo = Professional.objects.get(user__username="demo")
    added = do_create_credit_entry(demo, actor=demo.user, earned_on=timezone.localdate(),
                                   title="My own entry", format="course",
                                   amount=Decimal("2"), unit="hour")
    history_before = History.objects.count()

    assert main(["demo", "--no-serve"]) == 0
    second_out = capsys.readouterr().out
    after = counts()
    assert after == {**first, "CreditEntry": first["CreditEntry"] + 1}
    assert CreditEntry.objects.filter(pk=added.pk).exists()
    assert History.objects.count() == history_before
    # Passwords are new on every run and work.
    second = printed_passwords(second_out)
    assert second["demo"] != passwords["demo"]
    User = get_user_model()
    assert User.objects.get(username="demo").check_password(second["demo"])
    assert not User.objects.get(username="demo").check_password(passwords["demo"])


@pytest.mark.django_db(transaction=True)
def test_demo_with_password_and_content(capsys, password):
    assert main(["demo", "--no-serve", f"--password={password}"]) == 0
    out = capsys.readouterr().out
    assert set(printed_passwords(out).values()) == {password}
    User = get_user_model()
    staff = User.objects.get(username="staff")
    assert not staff.is_superuser and User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="demo").check_password(password)

    assert Professional.objects.count() >= 5
    assert {c.program.body.code for c in Certification.objects.filter(
        professional__user__username="demo")} == {"ACSM", "ACE"}
    assert set(CreditEntry.objects.values_list("format", flat=True)) == set(FORMATS)
    bodies = set(Certification.objects.values_list("program__body__code", flat=True))
    assert bodies == {"ACSM", "ACE"}

    today = timezone.localdate()
    statuses, blockers, nothing_yet = set(), set(), False
    for professional in Professional.objects.all():
        evaluation = evaluate_professional(professional, today)
        for result in evaluation.certifications:
            statuses.add(result.status)
            blockers.update(result.renewal.blockers)
        if not professional.credit_entries.exists():
            nothing_yet = True
        if professional.user.username == "demo":
            for result in evaluation.certifications:
                assert result.cycle.start < today < result.cycle.end
                assert result.status == "active"
    assert {"renewal_open", "grace", "active"} <= statuses
    assert "cpr_aed_not_current" in blockers
    assert nothing_yet


def test_demo_dates_follow_today(db):
    from recert.demo.people import load_demo

    load_demo(date(2031, 3, 1), password=None)
    riley = Professional.objects.get(user__username="riley")
    result = evaluate_professional(riley, date(2031, 3, 1)).certifications[0]
    assert result.status == "renewal_open"
    grace = Professional.objects.get(user__username="grace")
    statuses = {r.program: r.status for r in evaluate_professional(
        grace, date(2031, 3, 1)).certifications}
    assert statuses["EP"] == "grace"


def test_every_demo_page_renders(db, client):
    from django.urls import reverse

    from recert.demo.people import load_demo

    load_demo(timezone.localdate())
    for professional in Professional.objects.select_related("user"):
        client.force_login(professional.user)
        assert client.get(reverse("dashboard")).status_code == 200
        for certification in professional.certifications.all():
            url = reverse("certification", args=[certification.pk])
            assert client.get(url).status_code == 200
