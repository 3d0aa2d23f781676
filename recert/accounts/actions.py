"""Writes of the accounts app: log-in lock-outs recorded and lifted, sign-up, e-mail
verification and address changes (each with a history row), and claim links for accounts that
staff, an import or a provider invitation created without a password (the person follows the
link once and sets their own; no password is ever derived or sent)."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from recert.accounts import verification
from recert.accounts.lockouts import locked_until, normalize
from recert.accounts.models import ClaimToken, VerifiedAddress, hash_token
from recert.core.actions import history
from recert.core.models import History, Professional

log = logging.getLogger("recert.security")


def _user_named(username: str):
    return get_user_model().objects.annotate(name=Lower("username")).filter(
        name=normalize(username)).first()


def _professional_of(user):
    return Professional.objects.filter(user=user).first() if user else None


def _record(action, username: str, ip, failures, *, actor, reason: str = "",
            attempt=None) -> None:
    user = _user_named(username)
    subject = user or attempt
    if subject is None:
        return
    changes = {"username": [None, normalize(username)], "address": [None, ip],
               "failures": [None, failures]}
    if reason:
        changes["reason"] = [None, reason]
    history.record(action, subject, actor=actor, professional=_professional_of(user),
                   changes=changes)


@transaction.atomic
def do_record_lockout(username: str, ip: str | None) -> None:
    """Logs a new lock-out of (username, ip), and keeps it in the history of the account
    of that username if there is one (a stranger's made-up usernames are only logged)."""
    until = locked_until(username, ip)
    log.warning("Log-in locked out: username %r from %s until %s", normalize(username), ip,
                until.isoformat() if until else "?")
    failures = sum(AccessAttempt.objects.filter(
        username=normalize(username), ip_address=ip).values_list("failures_since_start",
                                                                 flat=True))
    _record(History.Action.LOCK_OUT, username, ip, failures, actor=None)


def _lift(rows, *, actor, reason: str) -> int:
    pairs = {}
    for row in rows.select_for_update():
        pairs.setdefault((row.username, row.ip_address), []).append(row)
    for (username, ip), attempts in pairs.items():
        failures = sum(a.failures_since_start for a in attempts)
        log.warning("Log-in lock-out lifted (%s): username %r from %s", reason, username, ip)
        _record(History.Action.LIFT_LOCKOUT, username, ip, failures, actor=actor,
                reason=reason, attempt=attempts[0])
        AccessAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    return len(pairs)


@transaction.atomic
def do_lift_lockout(attempt: AccessAttempt, *, actor) -> int:
    """Staff lift the lock-out of one (username, address): its failures are forgotten.
    Returns how many pairs were lifted (0 when it was lifted or expired meanwhile)."""
    rows = AccessAttempt.objects.filter(username=attempt.username,
                                        ip_address=attempt.ip_address)
    return _lift(rows, actor=actor, reason="lifted by staff")


@transaction.atomic
def do_lift_lockouts_of(user, *, actor, reason: str = "password reset") -> int:
    """A new password (a reset by e-mail) lifts every lock-out of the user's username."""
    rows = AccessAttempt.objects.filter(username=normalize(user.get_username()))
    return _lift(rows, actor=actor, reason=reason)


# -- e-mail verification and sign-up (issue 11 item 5) ------------------------------------

def _send(kind: str, user, address: str, context: dict, *, actor=None) -> None:
    from recert.core.mail import send_message

    send_message(kind, user, context, to=address, actor=actor)


def do_send_verification(user, address: str | None = None, *, actor=None) -> None:
    """Mails the link that proves `address` (the user's current one when None) is theirs:
    the only message an unverified address receives."""
    from recert.accounts.verification import current_address, make_token
    from recert.core.mail import link

    address = verification.normalize(address) or current_address(user)
    if not address:
        return
    _send("verify_email", user, address, {
        "address": address, "days": settings.EMAIL_VERIFY_DAYS,
        "verify_url": link("verify_email", token=make_token(user, address))}, actor=actor)


def do_send_password_reset(user, address: str, *, uid: str, token: str) -> None:
    """Mails the link to choose a new password (Django's reset token, to a verified
    address: RecertPasswordResetForm chose the users)."""
    from recert.core.mail import link

    _send("password_reset", user, address, {
        "username": user.get_username(),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "reset_url": link("password_reset_confirm", uidb64=uid, token=token)}, actor=user)


@transaction.atomic
def do_verify_email(user, address: str, *, actor) -> bool:
    """Marks `address` verified for `user` if it is still their address (a link for an
    address they changed away from does nothing). True when it is verified now."""
    address = verification.normalize(address)
    if address != verification.current_address(user):
        return False
    row, created = VerifiedAddress.objects.get_or_create(user=user, email=address)
    if created:
        history.record(History.Action.VERIFY_EMAIL, user, actor=actor,
                       professional=_professional_of(user), changes={"email": [None, address]})
    return True


def _someone_else_with(address: str, user=None):
    """The account (other than `user`'s) whose address is `address`, or None."""
    others = get_user_model().objects.filter(
        Q(email__iexact=address) | Q(professional__email__iexact=address))
    if user is not None:
        others = others.exclude(pk=user.pk)
    return others.first()


def _tell_owner(owner, address: str, *, actor=None) -> None:
    """Someone asked for an account (or an address change) with `address`, which belongs
    to `owner`: the address learns it, nobody else does."""
    from recert.core.mail import link

    if verification.is_verified(owner, address):
        _send("account_exists", owner, address, {
            "address": address, "username": owner.get_username(),
            "login_url": link("login"), "reset_url": link("password_reset")}, actor=actor)
    else:
        # An address not proven yet gets nothing but its verification message.
        do_send_verification(owner, address, actor=actor)


@transaction.atomic
def do_sign_up(*, username: str, email: str, full_name: str, password: str):
    """Sign-up that answers alike whether the username or the address is taken: a new
    account gets its verification message; a taken address gets "you already have an
    account"; a taken username, a message to the (free) address asking for another one.
    Returns the new Professional, or None (the caller must not tell the difference)."""
    from django.contrib.auth.hashers import make_password

    from recert.core.actions.professionals import do_create_professional
    from recert.core.mail import link

    email = verification.normalize(email)
    owner = _someone_else_with(email)
    if owner is not None:
        make_password(password)  # the same work as creating an account, for the timing
        _tell_owner(owner, email)
        return None
    User = get_user_model()
    if User.objects.filter(username__iexact=username.strip()).exists():
        make_password(password)
        _send("username_taken", None, email, {
            "username": username.strip(), "signup_url": link("signup")})
        return None
    professional = do_create_professional(username=username.strip(), email=email,
                                          full_name=full_name, password=password, actor=None)
    do_send_verification(professional.user, email, actor=None)
    return professional


@transaction.atomic
def do_change_email(user, address: str, *, actor) -> None:
    """The user's address becomes `address` (the account's and the contact address), used
    for nothing but its verification message until its link is followed. An address that
    belongs to another account is not taken: its owner is told instead, and the answer
    to the user is the same."""
    from recert.core.actions.professionals import do_update_professional

    address = verification.normalize(address)
    if address == verification.current_address(user):
        if not verification.is_verified(user, address):
            do_send_verification(user, address, actor=actor)
        return
    owner = _someone_else_with(address, user)
    if owner is not None:
        _tell_owner(owner, address, actor=actor)
        return
    user.email = address
    user.save(update_fields=["email"])
    professional = _professional_of(user)
    if professional is not None:
        do_update_professional(professional, actor=actor, email=address)
    do_send_verification(user, address, actor=actor)


# --- Claim links ---------------------------------------------------------------------------

class ClaimRefused(Exception):
    """The claim link cannot be used; the message says why, for the person holding it."""


@transaction.atomic
def issue_claim_token(user, *, actor=None) -> tuple[ClaimToken, str]:
    """A new one-time token for `user` (earlier unused ones stop working): (row, raw token).
    The raw token is stored nowhere, only its hash. Callers record the history of what the
    link is for (do_issue_claim_link for a professional, a provider's invitation)."""
    now = timezone.now()
    ClaimToken.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    raw = secrets.token_urlsafe(32)
    token = ClaimToken.objects.create(
        user=user, token_hash=hash_token(raw), created_at=now,
        expires_at=now + timedelta(days=settings.CLAIM_LINK_DAYS), created_by=actor)
    return token, raw


@transaction.atomic
def do_issue_claim_link(professional: Professional, *, actor) -> str:
    """A new one-time token for the professional's account (earlier unused ones stop
    working); returns the raw token, which is stored nowhere (only its hash is)."""
    token, raw = issue_claim_token(professional.user, actor=actor)
    history.record(History.Action.ISSUE_CLAIM_LINK, professional, actor=actor,
                   professional=professional,
                   changes={"expires_at": [None, token.expires_at.isoformat()]})
    return raw


def check_claim_token(user_id: int, raw_token: str) -> ClaimToken:
    """The token row if it can be used by this user now; ClaimRefused otherwise."""
    token = ClaimToken.objects.select_related("user").filter(
        token_hash=hash_token(raw_token)).first()
    if token is None or token.user_id != user_id:
        raise ClaimRefused("This claim link is not valid. Ask staff for a new one.")
    if token.used_at is not None:
        raise ClaimRefused("This claim link was already used. Log in, or reset your password.")
    if token.is_expired:
        raise ClaimRefused("This claim link has expired. Ask staff for a new one.")
    return token


@transaction.atomic
def do_claim_account(user_id: int, raw_token: str, password: str):
    """Sets the password of the account the token was issued for and spends the token."""
    token = check_claim_token(user_id, raw_token)
    # Lock the row so that two simultaneous claims cannot both succeed.
    token = ClaimToken.objects.select_for_update().get(pk=token.pk)
    if token.used_at is not None:
        raise ClaimRefused("This claim link was already used. Log in, or reset your password.")
    user = token.user
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise ClaimRefused(" ".join(e.messages)) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])
    # The link reached the person at their address (mailed, or handed on by staff to the
    # address on record): claiming verifies it (issue 11 item 5).
    do_verify_email(user, verification.current_address(user), actor=user)
    professional = Professional.objects.filter(user=user).first()
    if professional is not None:
        history.record(History.Action.CLAIM_ACCOUNT, professional, actor=user,
                       professional=professional)
    return user


# -- second factor (issue 11 item 6) ------------------------------------------------------

RECOVERY_CODES = 10


@transaction.atomic
def do_enrol_second_factor(user, device, *, actor) -> list[str]:
    """Confirms `device` (an authenticator the user just proved with a code) as the user's
    second factor, replacing any earlier one, with new recovery codes; returns the codes
    (shown once)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    history.record(History.Action.ENROL_SECOND_FACTOR, user, actor=actor,
                   professional=_professional_of(user),
                   changes={"second_factor": [None, "authenticator app"],
                            "recovery_codes": [None, RECOVERY_CODES]})
    return codes
