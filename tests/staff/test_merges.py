"""Merging duplicate profiles (issue 12): candidates by e-mail, member ID and similar
name; a preview of what moves; the merge keeps one account and its undo restores every row
exactly (full snapshots of all tables before and after)."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from recert.accounts.actions import do_issue_claim_link
from recert.core.access import staff_bodies
from recert.core.actions.certifications import do_create_certification
from recert.core.actions.credits import do_attach_document
from recert.core.actions.merges import (
    do_merge_profiles,
    do_undo_merge,
    find_candidates,
    preview_merge,
)
from recert.core.actions.professionals import do_set_cpr_aed, do_set_member_id
from recert.core.actions.staff import do_grant_staff_role
from recert.core.models import (
    CertifyingBody,
    CreditEntry,
    History,
    MemberId,
    MemberIdAlias,
    Professional,
    ProfileMerge,
)
from tests.conftest import _professional
from tests.factories import log

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 certificate of completion"


def _staff(django_user_model, name, body, role):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "x")
    do_grant_staff_role(user, CertifyingBody.objects.get(code=body), role, actor=None)
    return user


@pytest.fixture
def registrar(programs, django_user_model):
    return _staff(django_user_model, "reg", "ACSM", "registrar")


@pytest.fixture
def twins(alice, alice_cpt, programs, sam, password, media):
    """alice (ACSM CPT, member ID 111, CPR/AED, a credit with a document) and her duplicate
    "Alice Archer" imported under another account with the same e-mail (ACSM GEI, member ID
    222, a credit with a document, a CPR/AED record, a claim link and an API token)."""
    from recert.api.actions import do_create_access_token

    acsm = CertifyingBody.objects.get(code="ACSM")
    twin = _professional("alice2", "Alice  Archer", password)
    Professional.objects.filter(pk=twin.pk).update(email=alice.email)
    twin.refresh_from_db()
    do_create_certification(twin, programs[("ACSM", "GEI")], date(2024, 2, 1), actor=sam)
    do_set_member_id(alice, acsm, "111", actor=sam)
    do_set_member_id(twin, acsm, "222", actor=sam)
    do_set_cpr_aed(twin, actor=sam, valid_until=date(2027, 1, 31), provider="Red Cross")
    for person in (alice, twin):
        entry = log(person, date(2025, 5, 1), "3")
        do_attach_document(entry, SimpleUploadedFile("c.pdf", PDF, "application/pdf"),
                           actor=person.user)
    CreditEntry.objects.filter(pk=log(twin, date(2025, 6, 1), "2").pk).update(
        deleted_at="2025-06-02T00:00:00Z")  # a removed credit moves too
    # A roster row held for the twin, and a petition of the twin's (ACE, about a credit).
    from recert.core.models import Course, Provider
    from recert.providers.models import Petition, Roster, RosterRow

    course = Course.objects.create(
        body=acsm, course_number="ACSM-1", title="A catalog course",
        provider=Provider.objects.get_or_create(name="ACSM")[0], credits="2",
        approved_from=date(2020, 1, 1), status=Course.APPROVED)
    roster = Roster.objects.create(course=course, file_name="r.csv", sha256="0")
    RosterRow.objects.create(roster=roster, course=course, line=2, email=twin.email,
                             completed_on=date(2026, 2, 1), state=RosterRow.HELD,
                             professional=twin)
    Petition.objects.create(credit_entry=CreditEntry.objects.filter(professional=twin).first(),
                            body=acsm, professional=twin, description="agenda", hours="6")
    do_issue_claim_link(twin, actor=sam)
    do_create_access_token(twin.user, name="sync", scope="read", expires_at=None,
                           actor=twin.user)
    return alice, twin


def _snapshot() -> dict:
    """Every row of every table (soft-deleted ones included), but the merge's own records."""
    skip = {"core.profilemerge", "sessions.session", "core.history"}
    out = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skip or model._meta.proxy:
            continue
        out[label] = sorted(models.QuerySet(model=model).values_list(), key=repr)
    return out


def _history(pks=None) -> list:
    rows = models.QuerySet(model=History)
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    return sorted(rows.values_list(), key=repr)


def test_candidates_by_email_member_id_and_similar_name(twins, bob, programs, sam, password):
    alice, twin = twins
    people = Professional.objects.all()
    found = {(c.first, c.second): c.reasons for c in find_candidates(people)}
    assert "same e-mail" in found[(alice.pk, twin.pk)]
    assert "similar name" in found[(alice.pk, twin.pk)]
    # The same member ID at two bodies; a name one letter off.
    carl = _professional("carl", "Carl Kent", password)
    karl = _professional("karl", "Dora Lee", password)
    kent = _professional("kent", "Karl Kent", password)
    do_set_member_id(carl, CertifyingBody.objects.get(code="ACE"), "X-9", actor=sam)
    do_set_member_id(karl, CertifyingBody.objects.get(code="ACSM"), "x-9", actor=sam)
    found = {(c.first, c.second): c.reasons for c in find_candidates(Professional.objects.all())}
    assert found[(carl.pk, karl.pk)] == ("same member ID",)
    assert found[(carl.pk, kent.pk)] == ("similar name",)
    assert not any(bob.pk in pair for pair in found)


def test_preview_shows_what_moves_and_the_member_id_choice(twins, registrar):
    alice, twin = twins
    preview = preview_merge(alice, twin, actor_bodies=staff_bodies(registrar, "registrar"))
    assert not preview.refusals
    moves = dict(preview.moves)
    assert moves["certifications"] == 1 and moves["credit entries"] == 2
    assert moves["documents (with their credits)"] == 1
    assert moves["claim tokens of the account"] == 1 and moves["access tokens of the account"] == 1
    # alice has her own CPR/AED record: the twin's stays with the twin's profile.
    assert "CPR/AED certifications" not in moves
    assert preview.stays == ["CPR/AED certification"]
    assert moves["history"] >= 5
    assert moves["roster rows"] == 1 and moves["petitions"] == 1
    [(body, kept_id, merged_id)] = preview.member_id_conflicts
    assert (body.code, kept_id.member_id, merged_id.member_id) == ("ACSM", "111", "222")


def test_merge_moves_everything_and_undo_restores_the_exact_previous_state(twins, registrar):
    alice, twin = twins
    before, history_before = _snapshot(), [r[0] for r in _history()]
    history_rows = _history()
    acsm = CertifyingBody.objects.get(code="ACSM")
    merge = do_merge_profiles(alice, twin, member_ids={acsm.pk: "merged"},
                              reason="Same person, imported twice", actor=registrar,
                              actor_bodies=staff_bodies(registrar, "registrar"))
    # One account: everything is alice's, the twin's account no longer logs in.
    assert CreditEntry.all_objects.filter(professional=twin).count() == 0
    assert CreditEntry.all_objects.filter(professional=alice).count() == 3
    assert alice.certifications.count() == 2 and twin.certifications.count() == 0
    assert list(MemberId.objects.filter(professional=alice).values_list("member_id",
                                                                          flat=True)) == ["222"]
    assert list(MemberIdAlias.objects.values_list("member_id", flat=True)) == ["111"]
    assert twin.cpr_aed.provider == "Red Cross" and alice.cpr_aed.provider != "Red Cross"
    twin.user.refresh_from_db()
    assert not twin.user.is_active
    assert History.objects.filter(professional=twin).count() == 0
    from recert.providers.models import Petition, RosterRow

    assert RosterRow.objects.get().professional == alice
    assert Petition.objects.get().professional == alice
    entry = History.objects.of(merge).get()
    assert entry.action == "merge_profiles" and entry.professional == alice
    assert _snapshot() != before

    do_undo_merge(merge, actor=registrar)
    assert _snapshot() == before
    # History rows are as they were (the merge and its undo are two new rows).
    assert _history(history_before) == history_rows
    assert list(History.objects.of(merge).values_list("action", flat=True)) == [
        "merge_profiles", "undo_merge"]
    with pytest.raises(ValidationError, match="undone already"):
        do_undo_merge(merge, actor=registrar)


def test_merge_refusals_name_the_field(twins, registrar, programs, sam, django_user_model):
    alice, twin = twins
    bodies = staff_bodies(registrar, "registrar")
    with pytest.raises(ValidationError) as caught:
        do_merge_profiles(alice, twin, member_ids={}, reason="", actor=registrar,
                          actor_bodies=bodies)
    assert set(caught.value.message_dict) == {"reason", "member_id_ACSM"}
    with pytest.raises(ValidationError) as caught:
        do_merge_profiles(alice, alice, member_ids={}, reason="x", actor=registrar,
                          actor_bodies=bodies)
    assert "two different profiles" in caught.value.message_dict["merged"][0]
    # A certification of a body the registrar does not cover.
    do_create_certification(twin, programs[("ACE", "PT")], date(2024, 2, 1), actor=sam)
    with pytest.raises(ValidationError) as caught:
        do_merge_profiles(alice, twin, member_ids={bodies.get().pk: "kept"}, reason="x",
                          actor=registrar, actor_bodies=bodies)
    assert "ACE" in caught.value.message_dict["merged"][0]
    assert not ProfileMerge.objects.exists()


def test_registrar_merges_and_undoes_from_the_pages(client, twins, registrar):
    alice, twin = twins
    client.force_login(registrar)
    index = client.get(reverse("staff:merges")).content.decode()
    assert f"?keep={alice.pk}&amp;merge={twin.pk}" in index and "same e-mail" in index
    preview = client.get(reverse("staff:merge_preview"), {"keep": alice.pk, "merge": twin.pk})
    assert preview.status_code == 200
    assert b"Both have a ACSM member ID" in preview.content
    refused = client.post(reverse("staff:merge_profiles"), {"keep": alice.pk,
                                                            "merge": twin.pk, "reason": ""})
    assert refused.status_code == 400 and b"choose the one that stays" in refused.content
    done = client.post(reverse("staff:merge_profiles"), {
        "keep": alice.pk, "merge": twin.pk, "reason": "Same person", "member_id_ACSM": "kept"})
    merge = ProfileMerge.objects.get()
    assert done["Location"] == reverse("staff:merge", args=[merge.pk])
    page = client.get(reverse("staff:professional", args=[alice.pk])).content.decode()
    assert reverse("staff:merge", args=[merge.pk]) in page
    record = client.get(reverse("staff:merge", args=[merge.pk])).content.decode()
    assert "Undo the merge" in record and "Same person" in record
    assert client.post(reverse("staff:merge_undo", args=[merge.pk])).status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert twin.certifications.count() == 1


def test_who_may_merge(client, twins, programs, django_user_model):
    alice, twin = twins
    client.force_login(_staff(django_user_model, "vic", "ACSM", "viewer"))
    assert client.get(reverse("staff:merges")).status_code == 403
    client.force_login(_staff(django_user_model, "ace", "ACE", "registrar"))
    assert client.get(reverse("staff:merge_preview"), {"keep": alice.pk, "merge": twin.pk}
                      ).status_code == 404
    assert client.post(reverse("staff:merge_profiles"), {
        "keep": alice.pk, "merge": twin.pk, "reason": "x", "member_id_ACSM": "kept"}
    ).status_code == 404
    assert client.get(reverse("staff:merge_preview"), {"keep": "x"}).status_code == 404
    client.force_login(alice.user)
    assert client.get(reverse("staff:merges")).status_code == 403
    assert not ProfileMerge.objects.exists()
