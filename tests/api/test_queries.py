"""The API's lists cost the same number of queries for 3 entries as for 30 (issue 15, and
issue 16's pinned query counts)."""

from datetime import date, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import log


def _count(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


@time_machine.travel("2026-12-01 12:00:00 +0000", tick=False)
def test_lists_do_not_grow_with_the_log(alice_api, alice, alice_cpt):
    for i in range(3):
        log(alice, date(2026, 1, 1) + timedelta(days=i), "1")
    alice_api.get("/me")  # the token's last use is written at most once a minute: now
    few = {path: _count(alice_api, path, {"limit": 100} if path == "/credits" else None)
           for path in ("/credits", "/certifications", "/evaluation", "/invoices")}
    for i in range(27):
        log(alice, date(2026, 2, 1) + timedelta(days=i), "1")
    many = {path: _count(alice_api, path, {"limit": 100} if path == "/credits" else None)
            for path in few}
    assert many == few
