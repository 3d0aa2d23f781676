"""Idempotency-Key on POST: the first response to a key is kept for a day per owner (token,
or signed-in user) and returned again for the same request; the same key with a different
request is refused (422), and while the first is still running a second gets 409.

The key is claimed by inserting its row before the handler runs: the unique (owner, key)
constraint lets exactly one of several concurrent requests through, on every database.
Only a success (2xx) is kept: after a refusal (4xx) nothing changed, and the key is free to
be used again with corrected input."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from recert.api.models import IdempotencyRecord
from recert.api.problems import ApiProblem, from_problem

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
REPLAYED = "Idempotent-Replayed"


def request_digest(request) -> str:
    """What makes two requests the same: method, path and body (for multipart: the fields
    and each file's name and SHA-256, since a client's boundary changes between tries)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    if (request.content_type or "").startswith("multipart/"):
        fields = sorted((k, v) for k, vs in request.POST.lists() for v in vs)
        digest.update(json.dumps(fields).encode())
        for name, files in sorted(request.FILES.lists()):
            for uploaded in files:
                content = hashlib.sha256()
                for chunk in uploaded.chunks():
                    content.update(chunk)
                uploaded.seek(0)
                digest.update(f"{name}:{uploaded.name}:{content.hexdigest()}\n".encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status,
                            content_type=record.content_type)
    for name, value in (record.headers or {}).items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


def _claim(owner: str, key: str, digest: str) -> IdempotencyRecord | HttpResponse:
    IdempotencyRecord.objects.filter(owner=owner, created_at__lt=timezone.now() - KEEP).delete()
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(owner=owner, key=key,
                                                        request_hash=digest)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if existing is None:
            continue  # released in between: try again
        if existing.request_hash != digest:
            raise ApiProblem(422, f"This {HEADER} was already used with a different request "
                                  "in the last 24 hours. Use a new key for a new request.",
                             errors=[{"field": HEADER,
                                      "message": "Already used for another request."}])
        if existing.status is None:
            raise ApiProblem(409, f"A request with this {HEADER} is still running. Retry in "
                                  "a moment to get its response.",
                             headers={"Retry-After": "1"})
        return _replay(existing)
    raise ApiProblem(409, f"A request with this {HEADER} is still running.")


def _check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise ApiProblem(422, f"{HEADER}: send 1 to 255 printable characters, like a UUID.",
                         errors=[{"field": HEADER, "message": "1 to 255 printable characters, "
                                                              "like a UUID."}])
    return key


def idempotent(view):
    """For a POST handler that returns an HttpResponse (or raises ApiProblem)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return view(request, *args, **kwargs)
        key = _check_key(raw)
        claimed = _claim(request.auth.owner_key, key, request_digest(request))
        if isinstance(claimed, HttpResponse):
            return claimed
        try:
            response = view(request, *args, **kwargs)
        except ApiProblem as problem:
            claimed.delete()
            return from_problem(problem)
        except BaseException:
            claimed.delete()
            raise
        if 200 <= response.status_code < 300:
            claimed.status = response.status_code
            claimed.body = response.content
            claimed.content_type = response["Content-Type"]
            claimed.headers = {name: response[name] for name in ("Location", "ETag")
                               if response.has_header(name)}
            claimed.save(update_fields=["status", "body", "content_type", "headers"])
        else:
            claimed.delete()
        return response

    return wrapper
