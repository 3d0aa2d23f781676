"""Checking a badge (a VC-JWT that this site signed): its signature by the key its `kid`
names (the signing key or a retired one), the claims against the credential (OB 3.0
§8.2.5), its dates, and its bit in the status list this site publishes (decoded from the
signed list, as any verifier would). One outcome in words, never an exception."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import jwt
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from recert.core.models import CertifyingBody
from recert.verify import badges, status_list

MAX_CHARS = 64_000  # a badge is about 3,000 characters

VALID = "valid"
SUSPENDED = "suspended"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
BAD_SIGNATURE = "bad_signature"
UNKNOWN_KEY = "unknown_key"
MALFORMED = "malformed"

WORDS = {
    VALID: "Valid: this badge was issued by this site, is unchanged, and the certification "
           "is in good standing today.",
    SUSPENDED: "Not valid now: the certification behind this badge is not active today (it "
               "lapsed, is in its grace period or was withdrawn), or its holder has withdrawn "
               "it from public verification.",
    EXPIRED: "Expired: the badge's valid-until date has passed. The holder can download a "
             "new badge after renewing.",
    NOT_YET_VALID: "Not valid yet: the badge's valid-from date is in the future.",
    BAD_SIGNATURE: "Bad signature: the badge has been changed since it was signed, or was not "
                   "signed by this site. Do not rely on it.",
    UNKNOWN_KEY: "Unknown key: the badge names a signing key this site does not publish, so "
                 "it cannot be checked here.",
    MALFORMED: "Not a badge: this is not a signed Open Badge (a text of three parts "
               "separated by dots, as downloaded from this site).",
}


@dataclass(frozen=True)
class Verdict:
    outcome: str
    detail: str = ""  # what exactly was wrong, for MALFORMED and BAD_SIGNATURE
    facts: dict = field(default_factory=dict)  # what the badge says, once its signature holds
    identifier: tuple = ()

    @property
    def valid(self) -> bool:
        return self.outcome == VALID

    @property
    def valid_from(self) -> datetime | None:
        return _when(self.facts.get("validFrom"))

    @property
    def valid_until(self) -> datetime | None:
        return _when(self.facts.get("validUntil"))

    @property
    def words(self) -> str:
        return WORDS[self.outcome] + (f" ({self.detail})" if self.detail else "")

    def as_json(self) -> dict:
        return {"outcome": self.outcome, "valid": self.valid, "message": self.words,
                "credential": self.facts or None}


def _when(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else None


def _signed(text: str) -> tuple[str, dict | None, str]:
    """(outcome, payload, detail) of the signature check alone."""
    try:
        header = jwt.get_unverified_header(text)
    except jwt.PyJWTError as error:
        return MALFORMED, None, str(error)
    if header.get("alg") != badges.ALGORITHM:
        return BAD_SIGNATURE, None, f"signed with {str(header.get('alg'))[:20]!r}, not EdDSA"
    key_id = badges.key_id_of(header.get("kid"))
    key = badges.key_by_id(key_id) if key_id else None
    if key is None:
        return UNKNOWN_KEY, None, ""
    try:
        payload = jwt.decode(text, key.public, algorithms=[badges.ALGORITHM],
                             options={"verify_exp": False, "verify_nbf": False,
                                      "verify_iat": False, "verify_aud": False,
                                      "verify_iss": False, "verify_sub": False,
                                      "verify_jti": False})
    except jwt.InvalidSignatureError:
        return BAD_SIGNATURE, None, ""
    except jwt.PyJWTError as error:
        return MALFORMED, None, str(error)
    return VALID, payload, ""


def _consistent(payload: dict) -> str:
    """What in the claims does not match the credential (OB 3.0 §8.2.5), or ""."""
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = payload.get("credentialSubject")
    checks = [
        ("iss", issuer_id), ("jti", payload.get("id")),
        ("sub", subject.get("id") if isinstance(subject, dict) else None),
    ]
    for claim, expected in checks:
        if payload.get(claim) is None or payload.get(claim) != expected:
            return f"the {claim} claim does not match the credential"
    types = payload.get("type")
    if not isinstance(types, list) or "OpenBadgeCredential" not in types and (
            "AchievementCredential" not in types):
        return "it is not an OpenBadgeCredential"
    valid_from = _when(payload.get("validFrom"))
    if valid_from is None or payload.get("nbf") != int(valid_from.timestamp()):
        return "the nbf claim does not match validFrom"
    if "validUntil" in payload:
        valid_until = _when(payload.get("validUntil"))
        if valid_until is None or payload.get("exp") != int(valid_until.timestamp()):
            return "the exp claim does not match validUntil"
    return ""


def _list_of(url: object) -> tuple[CertifyingBody, int] | None:
    """The body and number of one of this site's status lists at `url`, or None."""
    if not isinstance(url, str) or not url.startswith(settings.SITE_URL + "/"):
        return None
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.url_name != "badge_status_list":
        return None
    body = CertifyingBody.objects.filter(code=match.kwargs["body_code"]).first()
    number = match.kwargs["list_number"]
    return (body, number) if status_list.exists(body, number) else None


def _suspended(entry: object) -> str | bool:
    """True when the badge's bit is set, False when not, a sentence when it can't be read."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return "it has no status entry of this site"
    found = _list_of(entry.get("statusListCredential"))
    index = entry.get("statusListIndex")
    if found is None or not isinstance(index, str) or not index.isdigit():
        return "its status entry does not point to a status list of this site"
    signed = status_list.credential_jwt(*found)
    outcome, document, _ = _signed(signed or "")
    if outcome != VALID:
        return "the status list could not be read"
    subject = document.get("credentialSubject") or {}
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        return "the status entry's purpose is not the list's"
    try:
        return status_list.bit(status_list.decode(subject.get("encodedList")), int(index))
    except ValueError as error:
        return str(error)


def _facts(payload: dict) -> dict:
    subject = payload.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, dict) else {}
    issuer = payload.get("issuer")
    return {
        "id": payload.get("id"),
        "achievement": (achievement or {}).get("name") if isinstance(achievement, dict)
        else None,
        "issuer": issuer.get("name") if isinstance(issuer, dict) else issuer,
        "validFrom": payload.get("validFrom"),
        "validUntil": payload.get("validUntil"),
    }


def verify_badge(text: object) -> Verdict:
    """Where a badge stands now, in one outcome (see WORDS)."""
    if not isinstance(text, str) or not text.strip():
        return Verdict(MALFORMED, "nothing was given")
    text = text.strip()
    if len(text) > MAX_CHARS:
        return Verdict(MALFORMED, f"longer than {MAX_CHARS:,} characters")
    outcome, payload, detail = _signed(text)
    if outcome != VALID:
        return Verdict(outcome, detail)
    problem = _consistent(payload)
    if problem:
        return Verdict(MALFORMED, problem)
    facts = _facts(payload)
    identifier = (payload.get("credentialSubject") or {}).get("identifier") or []
    now = timezone.now()
    if _when(payload["validFrom"]) > now:
        return Verdict(NOT_YET_VALID, facts=facts)
    valid_until = _when(payload.get("validUntil")) if "validUntil" in payload else None
    if valid_until is not None and valid_until < now:
        return Verdict(EXPIRED, facts=facts)
    suspended = _suspended(payload.get("credentialStatus"))
    if suspended is True:
        return Verdict(SUSPENDED, facts=facts, identifier=tuple(identifier))
    if suspended is not False:
        return Verdict(MALFORMED, suspended, facts=facts)
    return Verdict(VALID, facts=facts, identifier=tuple(identifier))
