"""The Ed25519 keys that sign Open Badges (issue 15), read from one environment variable.

RECERT_BADGE_KEYS is a comma-separated list of `KEY_ID:PRIVATE` items, newest first. The
first item signs new badges and must carry a private key; the ones after it only verify the
badges they signed before a rotation, and may carry the public key alone as
`KEY_ID:public:PUBLIC`. PRIVATE is the 32-byte Ed25519 seed and PUBLIC the 32-byte public
key, both in base64url (the JWK's "d" and "x"). `recert manage badge_key` prints a new item.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.exceptions import ImproperlyConfigured

KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")
FORMAT = ("KEY_ID:PRIVATE[,KEY_ID:PRIVATE or KEY_ID:public:PUBLIC ...], newest first; "
          "KEY_ID is 1-40 letters, digits, '.', '_' or '-'; PRIVATE and PUBLIC are 32 bytes "
          "in base64url (run `recert manage badge_key` for a new one)")


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None = None  # None: a retired key that only verifies

    @property
    def x(self) -> str:
        """The public key in base64url, the JWK's "x"."""
        return b64url(self.public.public_bytes(Encoding.Raw, PublicFormat.Raw))

    def jwk(self, kid: str) -> dict:
        """The public JWK (RFC 8037) under `kid`; never the private part."""
        return {"kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": kid, "alg": "EdDSA",
                "use": "sig"}


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _raw32(text: str, name: str, key_id: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text) or len(raw) != 32:
        raise ImproperlyConfigured(
            f"{name}: the {what} of key {key_id!r} is not 32 bytes in base64url; "
            f"accepted: {FORMAT}.")
    return raw


def parse_signing_keys(raw: str, name: str = "RECERT_BADGE_KEYS") -> list[SigningKey]:
    """The keys of `raw` (empty: none configured), the signing one first."""
    keys: list[SigningKey] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        parts = item.split(":")
        key_id = parts[0].strip()
        if not KEY_ID.fullmatch(key_id) or len(parts) not in (2, 3) or (
                len(parts) == 3 and parts[1] != "public"):
            raise ImproperlyConfigured(f"{name}: {item[:20]!r}… is not a key; accepted: "
                                       f"{FORMAT}.")
        if any(k.key_id == key_id for k in keys):
            raise ImproperlyConfigured(f"{name}: the key id {key_id!r} is given twice; each "
                                       "key needs its own id.")
        if len(parts) == 3:
            if not keys:
                raise ImproperlyConfigured(
                    f"{name}: the first key ({key_id!r}) signs new badges and needs its "
                    f"private part, not public only; accepted: {FORMAT}.")
            public = Ed25519PublicKey.from_public_bytes(
                _raw32(parts[2].strip(), name, key_id, "public key"))
            keys.append(SigningKey(key_id, public))
        else:
            private = Ed25519PrivateKey.from_private_bytes(
                _raw32(parts[1].strip(), name, key_id, "private key"))
            keys.append(SigningKey(key_id, private.public_key(), private))
    return keys


def new_key_item(key_id: str | None = None) -> str:
    """A fresh `KEY_ID:PRIVATE` item for RECERT_BADGE_KEYS (random; never derived)."""
    key_id = key_id or f"key-{secrets.token_hex(4)}"
    if not KEY_ID.fullmatch(key_id):
        raise ValueError(f"{key_id!r} is not a key id: 1-40 letters, digits, '.', '_' or '-'.")
    return f"{key_id}:{b64url(secrets.token_bytes(32))}"
