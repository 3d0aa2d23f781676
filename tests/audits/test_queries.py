"""Query counts of the audit pages are pinned: more credits, documents or cases cost no
more queries (issue 13)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recert.audits.models import AuditItem
from recert.core.actions.credits import do_attach_document
from tests.audits.conftest import NOTICE_ON, PDF, at
from tests.factories import log

pytestmark = pytest.mark.django_db


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(case, alice, n=4):
    """n more credits in the case, each with two documents offered."""
    for i in range(n):
        entry = log(alice, date(2024, 6, 1 + i), "1", "ACSM")
        item = AuditItem.objects.create(case=case, credit_entry=entry)
        for j in range(2):
            item.documents.add(do_attach_document(
                entry, SimpleUploadedFile(f"p{i}{j}.pdf", PDF), actor=alice.user))


@pytest.mark.parametrize("who", ["alice", "ann"])
def test_case_pages_do_not_grow_with_credits(client, alice, ann, case, who):
    user = alice.user if who == "alice" else ann
    url = f"/audits/{case.pk}/" if who == "alice" else f"/staff/audits/cases/{case.pk}/"
    client.force_login(user)
    with at(NOTICE_ON):
        client.get(url)  # warm caches (policies, content types)
        before = count(client, url)
        grow(case, alice)
        after = count(client, url)
    assert before == after
    assert after == {"alice": 9, "ann": 15}[who]


def test_audit_page_does_not_grow_with_cases(client, ann, started, bob_renewed):
    from recert.audits.actions import do_open_case

    url = f"/staff/audits/{started.pk}/"
    client.force_login(ann)
    client.get(url)
    before = count(client, url)
    with at(NOTICE_ON):
        do_open_case(started, bob_renewed[2], "EP", actor=ann, today=NOTICE_ON)
    assert count(client, url) == before == 6
