"""Typed readers for environment variables; a bad value stops start-up with a clear message.

Each reader names the variable and what it accepts, so an operator can fix it at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("0", "false", "no", "off", "")


def env(name: str, default: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The variable as a string, or `default` when it is not set."""
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"{name} is required and is not set.")
        return default
    return value


def envbool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    accepted = ", ".join(v for v in TRUE_VALUES + FALSE_VALUES if v)
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; accepted values: {accepted} (or empty for false)."
    )


def envint(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    minimum: int | None = None,
) -> int:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    # Strict: ASCII digits with an optional minus sign (int() would also take "1_000",
    # "+5" and non-ASCII digits).
    if not re.fullmatch(r"-?[0-9]+", raw.strip()):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not an integer; give a whole number written with digits 0-9."
        )
    value = int(raw.strip())
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is too small; give a number >= {minimum}.")
    return value


def envlist(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blanks around items are dropped."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str, *, name: str = "DATABASE_URL") -> dict:
    """Django DATABASES['default'] from a URL.

    Accepted: sqlite:///relative/path, sqlite:////absolute/path, postgres://... and
    postgresql://user:password@host:port/dbname?sslmode=require
    """
    accepted = "sqlite:///PATH, postgres://USER:PASSWORD@HOST:PORT/NAME or postgresql://..."
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = parts.path
        if path.startswith("/"):
            path = path[1:]  # sqlite:///data/x -> data/x ; sqlite:////abs -> /abs
        if not path:
            raise ImproperlyConfigured(
                f"{name}={url!r} names no SQLite file; accepted: {accepted}."
            )
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if scheme in ("postgres", "postgresql", "pgsql"):
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise ImproperlyConfigured(f"{name}={url!r} names no database; accepted: {accepted}.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={url!r} has a bad port; accepted: {accepted}."
            ) from None
        options = dict(parse_qsl(parts.query))
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
        if options:
            config["OPTIONS"] = options
        return config
    raise ImproperlyConfigured(
        f"{name}={url!r} has an unsupported scheme {scheme or '(none)'!r}; accepted: {accepted}."
    )
