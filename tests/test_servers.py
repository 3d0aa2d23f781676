"""Several `recert serve` processes behind a balancer behave as one: a professional who logs
in through one server is logged in on the other, a log-out on either ends it everywhere, and a
Redis that lost its keys logs nobody out (sessions are written through to the database).

Two real gunicorn servers on the test database (PostgreSQL only) and a real Redis; see
tests/processes.py. One cookie jar for both servers, as a browser behind a balancer has.
"""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.processes import environment, recert, redis_url_or_skip, require_postgresql, wait_until

pytestmark = pytest.mark.processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Follows redirects and keeps cookies for 127.0.0.1 whichever server answers."""

    def __init__(self):
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, url: str) -> tuple[str, str]:
        with self.opener.open(url, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def post(self, url: str, fields: dict[str, str]) -> tuple[str, str]:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(url, data=data, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_share_the_log_in(alice, tmp_path):
    import redis

    require_postgresql()
    url = redis_url_or_skip()
    secret = environment(url, tmp_path)["SECRET_KEY"]  # one key for every server
    servers = []
    with_http = {"SECRET_KEY": secret, "ALLOWED_HOSTS": "127.0.0.1",
                 "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
                 "CSRF_COOKIE_SECURE": "0"}
    from contextlib import ExitStack

    with ExitStack() as stack:
        for name in ("a", "b"):
            port = _free_port()
            log = tmp_path / f"serve-{name}.log"
            environ = environment(url, tmp_path / name)
            environ.update(with_http)
            process = stack.enter_context(recert(
                ["serve", "--no-migrate", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
                environ, log))
            servers.append((f"http://127.0.0.1:{port}", process, log))
        for base, process, log in servers:
            wait_until(lambda b=base, p=process: p.poll() is not None
                       or _answers(f"{b}/accounts/login/"),
                       seconds=120, what=f"recert serve at {base} did not answer", log=log)
            assert process.poll() is None, log.read_text()
        (a, _, _), (b, _, _) = servers

        browser = Browser()
        _, page = browser.get(f"{a}/accounts/login/")
        landed, page = browser.post(f"{a}/accounts/login/", {
            "csrfmiddlewaretoken": browser.csrf(page), "username": "alice",
            "password": alice.user.raw_password})
        assert landed == f"{a}/" and "Alice Archer" in page

        # The other server knows the session: no log-in page.
        landed, page = browser.get(f"{b}/")
        assert landed == f"{b}/" and "Alice Archer" in page

        # Redis loses its keys (restart, eviction): the session is still in the database.
        client = redis.Redis.from_url(url)
        keys = client.keys("*django.contrib.sessions.cached_db*")
        assert keys, "the session is cached in Redis"
        client.delete(*keys)
        landed, page = browser.get(f"{a}/")
        assert landed == f"{a}/" and "Alice Archer" in page

        # Logging out through one server logs out everywhere.
        browser.post(f"{b}/accounts/logout/", {"csrfmiddlewaretoken": browser.csrf(page)})
        landed, _ = browser.get(f"{a}/")
        assert landed.startswith(f"{a}/accounts/login/")
