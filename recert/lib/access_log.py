"""Gunicorn access logging without secrets: capability URLs lose their token in the log.

A private calendar address, an account claim link and a password-reset link each carry a
secret in the path; an access log that keeps them hands that secret to whoever reads logs.
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

SECRET_PATHS = (
    (re.compile(r"/calendar/[^/\s?]+\.ics"), "/calendar/[token].ics"),
    (re.compile(r"/accounts/claim/(\d+)/[^/\s?]+/"), r"/accounts/claim/\1/[token]/"),
    (re.compile(r"/accounts/reset/([^/\s?]+)/(?!set-password/)[^/\s?]+/"),
     r"/accounts/reset/\1/[token]/"),
)


def redact(text: str) -> str:
    for pattern, replacement in SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


class RedactingLogger(Logger):
    """Gunicorn's logger, with the request line and path redacted (`--logger-class`)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
