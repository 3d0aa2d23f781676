"""The client's address, for log-in lock-outs and per-address rate limits: one helper, so
that every counter agrees on who the client is."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str | None) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n > 0 the entry of
    X-Forwarded-For that the outermost of our n proxies saw (the n-th from the right).

    Entries further left are written by the client and are never believed. A header shorter
    than n (a request that did not come through every proxy) or an entry that is not an
    address falls back to REMOTE_ADDR."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in
                 request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return _address(forwarded[-proxies]) or remote
