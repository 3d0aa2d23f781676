"""The production access log never holds a capability URL's secret."""

from __future__ import annotations

from types import SimpleNamespace

from recert.lib.access_log import RedactingLogger, redact


def test_secret_paths_lose_their_token() -> None:
    assert redact("GET /calendar/Zx9_abc-DEF.ics HTTP/1.1") == "GET /calendar/[token].ics HTTP/1.1"
    assert redact("/accounts/claim/42/k8s-Secret_1/") == "/accounts/claim/42/[token]/"
    assert redact("/accounts/reset/MQ/cxyz-123abc/") == "/accounts/reset/MQ/[token]/"
    # Django's own redirect target already hides the token: leave it readable.
    assert redact("/accounts/reset/MQ/set-password/") == "/accounts/reset/MQ/set-password/"
    assert redact("GET /credits/?tab=all HTTP/1.1") == "GET /credits/?tab=all HTTP/1.1"


def test_the_gunicorn_logger_redacts_what_it_writes() -> None:
    cfg = SimpleNamespace(access_log_format='%(h)s "%(r)s" %(s)s', accesslog="-")
    logger = RedactingLogger.__new__(RedactingLogger)
    logger.cfg = cfg
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/calendar/s3cret.ics",
               "PATH_INFO": "/calendar/s3cret.ics", "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    req = SimpleNamespace(headers=[], uri="/calendar/s3cret.ics", path="/calendar/s3cret.ics",
                          query="", method="GET", version=(1, 1))
    resp = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    atoms = logger.atoms(resp, req, environ, SimpleNamespace(seconds=0, microseconds=1000,
                                                             total_seconds=lambda: 0.001))
    assert "s3cret" not in atoms["r"] and "s3cret" not in atoms["U"]
    assert atoms["r"] == "GET /calendar/[token].ics HTTP/1.1"
