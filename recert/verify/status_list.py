"""The badges' status (W3C Bitstring Status List v1.0): each body publishes numbered lists of
131,072 bits (16 KiB, the specification's minimum), one bit per issued badge, set when the
badge does not stand now: its certification is not active by the engine today (in grace or
invalid), was deleted, or its holder opted out of public verification.

The purpose is "suspension", not "revocation": a bit clears again when the certification is
renewed or the holder is listed again. A list is computed on request from the badges it
covers and the engine's evaluation of their holders; the signed list is cached under a key
that moves with everything it reads (the holders' evaluation versions, deletions, opt-outs,
the day, the policies and the signing key), read in one query, so a change shows on the
next request and an unchanged list costs that one query.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import random
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from recert.core.evaluation import evaluated_of
from recert.core.models import CertifyingBody, Professional
from recert.core.policies import current_fingerprint
from recert.rules import model as rules_model
from recert.verify import badges
from recert.verify.models import IssuedBadge

LIST_BITS = 131_072
# A list takes new badges until this share of it is used; indexes are drawn at random
# among the free ones (the specification's advice: the index must not tell the order of
# issue), so a list is never packed full.
FILL = 0.5
STANDING = {rules_model.ACTIVE, rules_model.RENEWAL_OPEN}
MAX_LIST_CHARS = 200_000  # a compressed 16 KiB list is a few hundred characters
LISTING = "certification__professional__public_listing"


def exists(body: CertifyingBody | None, number: int) -> bool:
    """Whether `body` has a list `number` (one badge in it at least)."""
    return (body is not None and 0 <= number < 2**31
            and IssuedBadge.objects.filter(body=body, status_list=number).exists())


def free_index(body: CertifyingBody) -> tuple[int, int]:
    """(list number, index) for a new badge of `body`: a random free index of the newest
    list that is not yet FILL used, or of a new list."""
    newest = (IssuedBadge.objects.filter(body=body).order_by("-status_list")
              .values_list("status_list", flat=True).first()) or 0
    taken = set(IssuedBadge.objects.filter(body=body, status_list=newest)
                .values_list("status_index", flat=True))
    if len(taken) >= LIST_BITS * FILL:
        newest, taken = newest + 1, set()
    while True:
        index = random.SystemRandom().randrange(LIST_BITS)
        if index not in taken:
            return newest, index


def encode(bits: set[int], size: int = LIST_BITS) -> str:
    """The encodedList: multibase "u" + base64url (no padding) of the GZIP-compressed
    bitstring, index 0 the most significant bit of the first byte."""
    raw = bytearray(size // 8)
    for index in bits:
        raw[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(raw), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The bitstring of an encodedList; ValueError when it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u") or len(
            encoded) > MAX_LIST_CHARS:
        raise ValueError("the status list is not a multibase base64url string")
    text = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
            raw = stream.read(LIST_BITS * 64 // 8 + 1)  # refuse anything absurdly large
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"the status list does not decode ({error})") from None
    if len(raw) < LIST_BITS // 8 or len(raw) > LIST_BITS * 64 // 8:
        raise ValueError("the status list has the wrong length")
    return raw


def bit(raw: bytes, index: int) -> bool:
    if not 0 <= index < len(raw) * 8:
        raise ValueError("the status index is outside the list")
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def _state(body: CertifyingBody, number: int) -> dict:
    """What a list is computed from, summed up in one query: badges are only ever added
    (count), evaluation versions only grow (their sum moves with any holder's change, a
    deletion too), and an opt-out or a return moves the sum of the opted-out listings."""
    return IssuedBadge.objects.filter(body=body, status_list=number).aggregate(
        badges=Count("id"), live=Count("certification"),
        versions=Sum("certification__professional__evaluation_version"),
        certifications=Max("certification__updated_at"),
        listings=Max(f"{LISTING}__updated_at"),
        opted_out=Sum(f"{LISTING}__pk", filter=Q(**{f"{LISTING}__opted_out": True})))


def _rows(body: CertifyingBody, number: int) -> list[tuple]:
    return list(IssuedBadge.objects.filter(body=body, status_list=number).order_by(
        "status_index").values_list(
        "status_index", "certification_id", "certification__deleted_at",
        "certification__professional_id",
        "certification__professional__evaluation_version",
        "certification__professional__public_listing__opted_out"))


def set_bits(rows: list[tuple], as_of: date) -> set[int]:
    """The indexes of the badges that do not stand on `as_of`."""
    bits: set[int] = set()
    to_evaluate: dict[int, list[tuple[int, int]]] = {}
    for index, certification_id, deleted_at, professional_id, _version, opted_out in rows:
        if certification_id is None or deleted_at is not None or opted_out:
            bits.add(index)
        else:
            to_evaluate.setdefault(professional_id, []).append((index, certification_id))
    for professional in Professional.objects.filter(pk__in=to_evaluate):
        _certifications, evaluated = evaluated_of(professional, as_of)
        status = {r.id: r.status for r in evaluated.evaluation.certifications}
        for index, certification_id in to_evaluate[professional.pk]:
            if status.get(str(certification_id)) not in STANDING:
                bits.add(index)
    return bits


def credential_jwt(body: CertifyingBody, number: int) -> str | None:
    """The signed BitstringStatusListCredential of `body`'s list `number` (None when badges
    are not configured)."""
    key = badges.signing_key()
    if key is None:
        return None
    now = timezone.now()
    as_of = timezone.localdate()
    state = hashlib.sha256(repr((_state(body, number), as_of, current_fingerprint(),
                                 key.key_id, settings.SITE_URL)).encode()).hexdigest()
    cache_key = f"recert:badge-status:{body.code}:{number}:{state}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    rows = _rows(body, number)
    url = badges.status_list_url(body, number)
    ttl = settings.BADGE_STATUS_CACHE_SECONDS
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": badges.issuer_profile(body),
        "validFrom": badges._instant(now),
        "validUntil": badges._instant(now + timedelta(days=1)),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "suspension",
            "encodedList": encode(set_bits(rows, as_of)),
            "ttl": ttl * 1000,
        },
    }
    signed = badges.sign(document, key)
    cache.set(cache_key, signed, ttl)
    return signed

