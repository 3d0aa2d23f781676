"""Parallel wrong passwords are counted one by one (issue 11 item 2): 30 at once against a
real threaded server on PostgreSQL check the password at most LOGIN_FAILURE_LIMIT times."""

from __future__ import annotations

import http.client
import re
import threading
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.backends import ModelBackend
from django.db import connection

PARALLEL = 30


def _form(url) -> tuple[str, str]:
    """(CSRF cookie, form token) of a fresh visitor of the log-in page."""
    jar = CookieJar()
    page = build_opener(HTTPCookieProcessor(jar)).open(url, timeout=60).read().decode()
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return cookie, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def test_thirty_parallel_wrong_passwords_check_the_password_five_times_at_most(
        transactional_db, live_server, alice, settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    checks, lock = [], threading.Lock()
    real = ModelBackend.authenticate

    def counted(self, request, username=None, password=None, **kwargs):
        with lock:
            checks.append(username)
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counted)
    url = f"{live_server.url}/accounts/login/"
    server = urlsplit(live_server.url)
    forms = [_form(url) for _ in range(PARALLEL)]
    # Every connection is open (accepted, its server thread waiting) before any guess is
    # sent, so all 30 arrive together and none waits in the listen queue.
    connections = []
    for _ in range(PARALLEL):
        conn = http.client.HTTPConnection(server.hostname, server.port, timeout=120)
        conn.connect()
        connections.append(conn)
    barrier = threading.Barrier(PARALLEL)
    statuses = []

    def guess(conn, form, n):
        cookie, token = form
        body = urlencode({"username": "alice", "password": f"wrong-{n}",
                          "csrfmiddlewaretoken": token})
        barrier.wait(timeout=60)
        conn.request("POST", "/accounts/login/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}"})
        status = conn.getresponse().status
        conn.close()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess, args=(connections[n], forms[n], n))
               for n in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(statuses) == PARALLEL
    limit = settings.LOGIN_FAILURE_LIMIT
    assert len(checks) <= limit, f"{len(checks)} passwords checked, the limit is {limit}"
    # Four "wrong password" pages, then the lock-out for everyone else.
    assert sorted(statuses).count(200) == limit - 1
    assert statuses.count(429) == PARALLEL - (limit - 1)
    assert sum(AccessAttempt.objects.filter(username="alice").values_list(
        "failures_since_start", flat=True)) == limit
