"""E-mail verification: which address of a user may be written to.

A user's address is the professional's contact address, else the account's. A new or
changed address is used for nothing but its verification message until the link in that
message is followed (issue 11 item 5): `verified_email(user)` is the address when it is
verified, else None. Everything that writes to people or matches them by address (the mail
layer, password reset, provider rosters) asks it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist

from recert.accounts.models import VerifiedAddress

SALT = "recert.accounts.verify-email"


def normalize(address: str | None) -> str:
    return (address or "").strip().lower()


def current_address(user) -> str:
    """The address the user gave last: the professional's contact address, else the
    account's (verified or not)."""
    if user is None:
        return ""
    try:
        contact = user.professional.email
    except (AttributeError, ObjectDoesNotExist):
        contact = ""
    return normalize(contact or user.email)


def is_verified(user, address: str) -> bool:
    address = normalize(address)
    if not address:
        return False
    # A batch (the nightly run) prefetches `verified_addresses` for all its users at once.
    prefetched = getattr(user, "_prefetched_objects_cache", {}).get("verified_addresses")
    if prefetched is not None:
        return any(v.email == address for v in prefetched)
    return VerifiedAddress.objects.filter(user=user, email=address).exists()


def verified_email(user) -> str | None:
    """The user's address if they proved they read it, else None."""
    if user is None or not getattr(user, "pk", None):
        return None
    address = current_address(user)
    return address if is_verified(user, address) else None


def make_token(user, address: str) -> str:
    return signing.dumps([user.pk, normalize(address)], salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, address) of a token younger than EMAIL_VERIFY_DAYS, else None."""
    try:
        user_id, address = signing.loads(token, salt=SALT,
                                         max_age=settings.EMAIL_VERIFY_DAYS * 24 * 3600)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(address, str):
        return None
    return user_id, address
