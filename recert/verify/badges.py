"""Open Badges 3.0 (issue 15): the OpenBadgeCredential of a certification, signed as a
VC-JWT (EdDSA, Ed25519 keys from RECERT_BADGE_KEYS), and the documents a verifier
dereferences from it: the issuer's profile (the certifying body), the achievement (the
program) and the public keys.

The JOSE header and the JWT claims follow OB 3.0 §8.2 (JSON Web Token Proof Format): the
payload is the credential itself plus `iss`, `sub`, `jti`, `nbf` and `exp`; the header is
`alg`, `kid` (a URL that returns the public JWK) and `typ` "JWT". What the credential says
of its holder is no more than the public verification page shows: the program, the body and
the valid-until date; the holder is named only by salted hashes of their name and e-mail
address (OB 3.0 IdentityObject), which someone who already knows them can check.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import UTC, date, datetime, time

import jwt
from django.conf import settings
from django.urls import reverse

from recert.core.models import Certification, CertifyingBody, Program
from recert.lib.signing_keys import SigningKey

CONTEXT = ["https://www.w3.org/ns/credentials/v2",
           "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
SCHEMA = {"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                "ob_v3p0_achievementcredential_schema.json",
          "type": "1EdTechJsonSchemaValidator2019"}
ALGORITHM = "EdDSA"
MEDIA_TYPE = "application/vc+jwt"
NOT_CONFIGURED = ("Open Badges are not configured on this site: the operator has not set a "
                  "signing key (RECERT_BADGE_KEYS). Your certification can still be checked "
                  "on the public verification page.")


def signing_key() -> SigningKey | None:
    """The key that signs new badges (the first configured), or None: badges not offered."""
    keys = settings.BADGE_KEYS
    return keys[0] if keys and keys[0].private is not None else None


def key_by_id(key_id: str) -> SigningKey | None:
    return next((k for k in settings.BADGE_KEYS if k.key_id == key_id), None)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def key_url(key_id: str) -> str:
    """The `kid` of a key: a URL that returns its public JWK (OB 3.0 §8.2.3)."""
    return absolute(reverse("badge_key", args=[key_id]))


def key_id_of(kid: object) -> str | None:
    """The configured key a `kid` header names (one of this site's key URLs), or None."""
    if not isinstance(kid, str):
        return None
    return next((k.key_id for k in settings.BADGE_KEYS if key_url(k.key_id) == kid), None)


def issuer_url(body: CertifyingBody) -> str:
    return absolute(reverse("badge_issuer", args=[body.code]))


def achievement_url(program: Program) -> str:
    return absolute(reverse("badge_achievement", args=[program.body.code, program.code]))


def status_list_url(body: CertifyingBody, number: int) -> str:
    return absolute(reverse("badge_status_list", args=[body.code, number]))


def issuer_profile(body: CertifyingBody) -> dict:
    """The certifying body as an OB 3.0 Profile (the credential's issuer)."""
    return {"id": issuer_url(body), "type": ["Profile"], "name": body.name,
            "url": settings.SITE_URL}


def achievement(program: Program) -> dict:
    body = program.body
    return {
        "id": achievement_url(program),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": program.full_name,
        "description": f"{program.full_name}, a certification of {body.name} that the "
                       f"holder keeps by earning continuing education each cycle.",
        "criteria": {"narrative": f"Certified by {body.name} and in good standing: the "
                                  "continuing education of the current cycle is on track "
                                  "and the certification has not lapsed."},
        "creator": issuer_profile(body),
        "humanCode": f"{body.code} {program.code}",
    }


def _identity(kind: str, value: str, salt: str) -> dict:
    """An OB 3.0 IdentityObject: sha256 of the value and the salt (IdentityHash)."""
    digest = hashlib.sha256((value + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "hashed": True, "identityHash": f"sha256${digest}",
            "identityType": kind, "salt": salt}


def normal_name(name: str) -> str:
    """The form a name is hashed in: NFC, single spaces, case-folded ("alice archer")."""
    return " ".join(unicodedata.normalize("NFC", name or "").split()).casefold()


def normal_email(email: str) -> str:
    return (email or "").strip().lower()


def holder_matches(identifier: list, name: str = "", email: str = "") -> bool | None:
    """Whether a typed name or e-mail address is the holder's (None: nothing to compare)."""
    typed = {"name": normal_name(name), "emailAddress": normal_email(email)}
    compared = False
    for entry in identifier if isinstance(identifier, list) else []:
        if not isinstance(entry, dict) or not typed.get(entry.get("identityType")):
            continue
        salt = entry.get("salt") if isinstance(entry.get("salt"), str) else ""
        mine = _identity(entry["identityType"], typed[entry["identityType"]], salt)
        compared = True
        if secrets.compare_digest(str(entry.get("identityHash", "")), mine["identityHash"]):
            return True
    return False if compared else None


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_of(day: date) -> datetime:
    """The credential's validUntil for a certification valid through `day` (UTC)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def credential(*, uuid: str, subject_uuid: str, certification: Certification,
               valid_until: date, issued_at: datetime, status_list: int,
               status_index: int) -> dict:
    """The OpenBadgeCredential (OB 3.0 AchievementCredential) of one certification."""
    program = certification.program
    body = program.body
    professional = certification.professional
    salt = secrets.token_hex(16)
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": program.full_name,
        "description": f"{program.full_name}, certified by {body.name}.",
        "issuer": issuer_profile(body),
        "validFrom": _instant(issued_at),
        "validUntil": _instant(end_of(valid_until)),
        "awardedDate": _instant(datetime.combine(certification.certified_on, time(),
                                                 tzinfo=UTC)),
        "credentialSubject": {
            "id": f"urn:uuid:{subject_uuid}",
            "type": ["AchievementSubject"],
            "achievement": achievement(program),
            "identifier": [
                _identity("name", normal_name(professional.full_name), salt),
                _identity("emailAddress", normal_email(professional.user.email), salt),
            ],
        },
        "credentialStatus": {
            "id": f"{status_list_url(body, status_list)}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url(body, status_list),
        },
        "credentialSchema": [SCHEMA],
    }


def claims(document: dict) -> dict:
    """The JWT claims OB 3.0 §8.2.4 asks for, taken from the credential."""
    issuer = document["issuer"]
    found = {
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": document["id"],
        "nbf": int(datetime.fromisoformat(document["validFrom"]).timestamp()),
        "sub": document["credentialSubject"]["id"],
    }
    if "validUntil" in document:
        found["exp"] = int(datetime.fromisoformat(document["validUntil"]).timestamp())
    return found


def sign(document: dict, key: SigningKey) -> str:
    """The credential as a Compact JWS (VC-JWT): the credential and its claims, signed."""
    return jwt.encode({**document, **claims(document)}, key.private, algorithm=ALGORITHM,
                      headers={"kid": key_url(key.key_id), "typ": "JWT"})


def jwks() -> dict:
    """Every configured public key (the signing one and the retired ones that still verify
    old badges), each under its `kid` URL."""
    return {"keys": [k.jwk(key_url(k.key_id)) for k in settings.BADGE_KEYS]}
