"""Dated policy values set by the policy role (issue 12): read by the engine like the
shipped files' entries (the latest start on or before the day wins), never overwriting one,
shown with their history; bad input refused field by field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from recert.core.actions.policies import do_set_policy_value
from recert.core.actions.staff import do_grant_staff_role
from recert.core.evaluation import evaluate_professional
from recert.core.models import CertifyingBody, History, PolicyValue
from recert.core.policies import current_policies, forget_loaded
from recert.renewals.quotes import quote_renewal
from recert.rules import PolicyError, load_policies
from recert.rules.parameters import Program, build, raw
from recert.rules.policy import DatedValue
from tests.factories import log

pytestmark = pytest.mark.django_db

TODAY = date(2028, 4, 10)
NEXT_MONTH = date(2028, 5, 1)
SHIPPED_SOURCE = "003 ACSM Recertification, CEC Requirements and Recertification Fees"
BOARD = "ACSM Board minutes 2028-03-20, item 4 (fee schedule 2028)"


@pytest.fixture
def acsm(programs):
    return CertifyingBody.objects.get(code="ACSM")


@pytest.fixture
def policy_staff(db, programs, django_user_model, acsm):
    user = django_user_model.objects.create_user("pol", "pol@example.com", "x")
    do_grant_staff_role(user, acsm, "policy", actor=None)
    return user


def _set(acsm, key="programs.CPT.fee", value="50.00", starts_on=NEXT_MONTH, *, actor=None,
         today=TODAY, reason="Board raised the fee", source=BOARD):
    return do_set_policy_value(acsm, key, value, starts_on, reason, source, actor=actor,
                               today=today)


# --- the rules layer ----------------------------------------------------------------------


def test_raw_is_the_inverse_of_build():
    program = load_policies().bodies["ACSM"].program("EP", date(2026, 1, 1))
    assert build(Program, raw(program)) == program


def test_extra_dated_values_join_the_history_without_changing_the_shipped_policies():
    shipped = load_policies()
    value = raw(shipped.bodies["ACSM"].program("CPT", NEXT_MONTH)) | {"fee": "50.00"}
    policies = shipped.with_values([DatedValue("ACSM", "programs.CPT", NEXT_MONTH, value, BOARD)])
    body = policies.bodies["ACSM"]
    assert body.program("CPT", date(2028, 4, 30)).fee == Decimal("45.00")
    assert body.program("CPT", NEXT_MONTH).fee == Decimal("50.00")
    assert body.source("programs.CPT", NEXT_MONTH) == BOARD
    assert shipped.bodies["ACSM"].program("CPT", NEXT_MONTH).fee == Decimal("45.00")


def test_extra_values_are_checked_like_the_files():
    shipped = load_policies()
    good = raw(shipped.bodies["ACSM"].program("CPT", NEXT_MONTH))
    cases = [
        (DatedValue("ACSM", "programs.CPT", NEXT_MONTH, good | {"fee": "ten"}, BOARD),
         "programs.CPT.2028-05-01.value: fee: not a decimal: 'ten'"),
        (DatedValue("ACSM", "programs.XYZ", NEXT_MONTH, good, BOARD), "unknown parameter"),
        (DatedValue("ACSM", "programs.CPT", date(1999, 1, 1), good, BOARD),
         "before the policy (its first value starts on 2000-01-01)"),
        (DatedValue("ACSM", "programs.CPT", NEXT_MONTH, good, ""), "source: required"),
    ]
    for entry, message in cases:
        with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
            shipped.with_values([entry])


# --- the engine reads recorded values (ACSM-REQ-1's fee) ------------------------------------


def test_fee_change_effective_next_month_changes_quotes_from_that_date_only(
        alice, alice_cpt, acsm, policy_staff):
    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(TODAY, tick=False):
        _set(acsm, actor=policy_staff)
    before = quote_renewal(alice, alice_cpt.pk, date(2028, 4, 30))
    after = quote_renewal(alice, alice_cpt.pk, NEXT_MONTH)
    assert before.can_renew and after.can_renew
    assert [(ln.amount, ln.source) for ln in before.lines] == [(Decimal("45.00"), SHIPPED_SOURCE)]
    assert [(ln.amount, ln.source) for ln in after.lines] == [(Decimal("50.00"), BOARD)]
    # The engine's own result cites it too, and the other programs keep their fees.
    line = evaluate_professional(alice, NEXT_MONTH).certifications[0].renewal.fee_lines[0]
    assert (line.amount, line.source) == (Decimal("50.00"), BOARD)
    assert current_policies().bodies["ACSM"].program("GEI", NEXT_MONTH).fee == Decimal("45.00")


def test_a_later_value_never_overwrites_an_earlier_one(acsm, policy_staff):
    _set(acsm, actor=policy_staff)
    _set(acsm, value="55.00", starts_on=date(2029, 1, 1), source="Fee schedule 2029",
         actor=policy_staff)
    # The same date again: the later recorded wins, the first is kept.
    _set(acsm, value="52.00", starts_on=NEXT_MONTH, source="Corrected schedule",
         actor=policy_staff)
    body = current_policies().bodies["ACSM"]
    assert [body.program("CPT", d).fee for d in (
        date(2028, 4, 30), NEXT_MONTH, date(2028, 12, 31), date(2029, 1, 1))] == [
        Decimal("45.00"), Decimal("52.00"), Decimal("52.00"), Decimal("55.00")]
    assert PolicyValue.objects.count() == 3
    # Each new value starts from the one in force on its date: the requirement is kept.
    assert body.program("CPT", date(2029, 1, 1)).required == Decimal("45")


def test_a_new_value_is_in_history_and_seen_by_a_process_that_loaded_before(acsm, policy_staff):
    assert current_policies().bodies["ACSM"].param("audit", NEXT_MONTH).rate == Decimal("0.10")
    row = _set(acsm, "audit.rate", "0.15", actor=policy_staff)
    entry = History.objects.of(row).get()
    assert entry.action == "create" and entry.actor == policy_staff
    assert entry.changes["rate"] == ["0.10", "0.15"]
    assert entry.changes["source"] == [None, BOARD]
    # Another process: its loaded copy is older than the version the action bumped.
    forget_loaded()
    assert current_policies().bodies["ACSM"].param("audit", NEXT_MONTH).rate == Decimal("0.15")


def test_policy_values_are_append_only(acsm, policy_staff):
    from recert.core.models.policies import PolicyValueIsAppendOnly

    row = _set(acsm, actor=policy_staff)
    with pytest.raises(PolicyValueIsAppendOnly):
        row.save()
    with pytest.raises(PolicyValueIsAppendOnly):
        row.delete()


@pytest.mark.parametrize(("key", "value", "starts_on", "today", "field", "message"), [
    ("programs.CPT.fee", "ten", NEXT_MONTH, TODAY, "value", "not a decimal: 'ten'"),
    ("programs.CPT.fee", "-5", NEXT_MONTH, TODAY, "value", "must be at least 0"),
    ("programs.CPT.required", "0", NEXT_MONTH, TODAY, "value", "must be greater than 0"),
    ("audit.rate", "1.5", NEXT_MONTH, TODAY, "value", "at most 1"),
    ("grace.months", "six", NEXT_MONTH, TODAY, "value", "not a whole number: 'six'"),
    ("cpr_aed_required.required", "maybe", NEXT_MONTH, TODAY, "value", "not true/false"),
    ("programs.CPT.fee", "45.00", NEXT_MONTH, TODAY, "value", "is already 45.00"),
    ("programs.CPT.name", "X", NEXT_MONTH, TODAY, "parameter", "Unknown parameter"),
    ("cycle.months", "12", NEXT_MONTH, TODAY, "parameter", "accepted: programs.GEI.fee"),
    ("programs.CPT.fee", "50", date(2028, 4, 9), TODAY, "starts_on", "cannot be in the past"),
    ("programs.CPT.fee", "50", date(1999, 12, 1), date(1999, 1, 1), "starts_on",
     "the policy starts on 01/01/2000"),
])
def test_bad_input_is_refused_naming_the_field(acsm, policy_staff, key, value, starts_on,
                                               today, field, message):
    with pytest.raises(ValidationError) as caught:
        _set(acsm, key, value, starts_on, today=today, actor=policy_staff)
    assert message in " ".join(caught.value.message_dict[field])
    assert not PolicyValue.objects.exists()


# --- the console ----------------------------------------------------------------------------


def test_policy_staff_set_a_fee_and_see_its_history(client, policy_staff, acsm):
    client.force_login(policy_staff)
    index = client.get(reverse("staff:policy"))
    assert index.status_code == 200
    assert b"ACSM Certified Personal Trainer: Recertification fee ($)" in index.content
    url = reverse("staff:set_policy_value", args=["ACSM", "programs.CPT.fee"])
    with time_machine.travel(TODAY, tick=False):
        client.force_login(policy_staff)
        response = client.post(url, {"value": "50.00", "starts_on": "2028-05-01",
                                     "reason": "Board raised the fee", "source": BOARD})
        assert response["Location"] == reverse("staff:policy_parameter",
                                               args=["ACSM", "programs.CPT.fee"])
        page = client.get(response["Location"])
        index = client.get(reverse("staff:policy")).content.decode()
    text = page.content.decode()
    assert "policy file" in text and BOARD in text and "Board raised the fee" in text
    assert "50.00" in text and "05/01/2028" in text and "(in force today)" in text
    assert "50.00 from 05/01/2028" in index


def test_form_errors_name_the_field(client, policy_staff):
    url = reverse("staff:set_policy_value", args=["ACSM", "programs.CPT.fee"])
    with time_machine.travel(TODAY, tick=False):
        client.force_login(policy_staff)
        response = client.post(url, {"value": "ten", "starts_on": "31/31/2028", "reason": "",
                                     "source": BOARD})
        assert response.status_code == 400
        form = response.context["form"]
        assert form.errors["starts_on"] == ["Enter a date as MM/DD/YYYY."]
        assert "reason" in form.errors
        response = client.post(url, {"value": "ten", "starts_on": "2028-05-01",
                                     "reason": "r", "source": BOARD})
        assert response.status_code == 400
        assert response.context["form"].errors["value"] == [
            "ACSM Certified Personal Trainer: Recertification fee ($): not a decimal: 'ten'"]
    assert not PolicyValue.objects.exists()


def test_unknown_parameter_is_a_404_and_other_roles_read_only(client, policy_staff,
                                                              django_user_model, acsm):
    client.force_login(policy_staff)
    assert client.get(reverse("staff:policy_parameter", args=["ACSM", "programs.ZZ.fee"])
                      ).status_code == 404
    assert client.get(reverse("staff:policy_parameter", args=["ACE", "programs.CPT.fee"])
                      ).status_code == 404
    viewer = django_user_model.objects.create_user("view", "view@example.com", "x")
    do_grant_staff_role(viewer, acsm, "viewer", actor=None)
    client.force_login(viewer)
    page = client.get(reverse("staff:policy_parameter", args=["ACSM", "programs.CPT.fee"]))
    assert page.status_code == 200 and b"needs the policy role" in page.content
    response = client.post(reverse("staff:set_policy_value", args=["ACSM", "programs.CPT.fee"]),
                           {"value": "50", "starts_on": "2028-05-01", "reason": "r",
                            "source": "s"})
    assert response.status_code == 403
    assert not PolicyValue.objects.exists()


def test_the_audit_selection_reads_a_recorded_rate(acsm, policy_staff):
    from recert.audits.selection import audit_policy

    _set(acsm, "audit.rate", "0.15", actor=policy_staff)
    assert audit_policy(acsm, date(2028, 4, 30)).rate == Decimal("0.10")
    assert audit_policy(acsm, NEXT_MONTH).rate == Decimal("0.15")
