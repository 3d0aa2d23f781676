"""System checks for settings that Django cannot check itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


def _site_url_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"SITE_URL={value!r} is not an address like https://recert.example.org."
    if parts.query or parts.fragment:
        return f"SITE_URL={value!r} has a query or fragment; give only scheme, host and path."
    return None


@register(Tags.compatibility)
def site_url_is_an_address(app_configs, **kwargs):
    value = getattr(settings, "SITE_URL", "")
    problem = value and _site_url_problem(value)
    if problem:
        return [Error(problem, hint="Set SITE_URL to the address people open the site at.",
                      id="recert.E001")]
    return []


@register(Tags.security, deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Every link in an e-mail starts with SITE_URL; without it a message would carry no
    working link. `check --deploy` (and `recert serve` with DEBUG off) reports it."""
    if not settings.DEBUG and not getattr(settings, "SITE_URL", ""):
        return [Error(
            "SITE_URL is not set: e-mail needs it for the links it carries.",
            hint="Set SITE_URL to the address people open the site at, e.g. "
                 "https://recert.example.org (no trailing slash).",
            id="recert.E002")]
    return []
