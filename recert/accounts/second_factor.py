"""A second factor (django-otp: TOTP with static recovery codes) for staff and provider
accounts, and the idle timeout of their sessions (issue 11 item 6).

`needs_second_factor(user)` says who must use one. `SecondFactorMiddleware` sends such a
user, signed in with a password only, to enter a code (or to enrol, the first time) before
any page under SECOND_FACTOR_PATHS, and logs them out after STAFF_SESSION_IDLE_SECONDS
without a request. Whether the session passed the second factor is django-otp's session
key (set by `django_otp.login`), read without a query.
"""

from __future__ import annotations

import base64
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

NEEDED = "recert_second_factor_needed"
LAST_SEEN = "recert_last_seen"
# The idle clock is written to the session at most this often (not on every request).
LAST_SEEN_STEP = 60


def needs_second_factor(user) -> bool:
    """Whether `user` must log in with a second factor: Django staff or superusers, staff
    of a certifying body (core.StaffMembership) and provider staff (core.ProviderMembership).
    A new kind of privileged account is added here."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    from recert.core.models import StaffMembership
    from recert.core.models.providers import ProviderMembership

    return (StaffMembership.objects.filter(user=user).exists()
            or ProviderMembership.objects.filter(user=user).exists())


def passed_second_factor(request) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


@receiver(user_logged_in)
def _remember_need(sender, request, user, **kwargs):
    """Decided once at log-in, so that other requests ask no query."""
    if request is not None and hasattr(request, "session"):
        request.session[NEEDED] = needs_second_factor(user)
        request.session[LAST_SEEN] = int(time.time())


def _protected(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.SECOND_FACTOR_PATHS)


class SecondFactorMiddleware:
    """Guards SECOND_FACTOR_PATHS and times out idle privileged sessions (after the
    authentication middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            protected = _protected(request.path_info)
            needed = request.session.get(NEEDED) or (protected and needs_second_factor(user))
            if needed:
                if self._idle_too_long(request):
                    logout(request)
                    return redirect_to_login(request.get_full_path())
                if protected and not passed_second_factor(request):
                    step = ("second_factor" if user_has_device(user)
                            else "second_factor_setup")
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse(step)}?{query}")
        return self.get_response(request)

    @staticmethod
    def _idle_too_long(request) -> bool:
        now = int(time.time())
        last = request.session.get(LAST_SEEN)
        if last is not None and now - int(last) > settings.STAFF_SESSION_IDLE_SECONDS:
            return True
        if last is None or now - int(last) >= LAST_SEEN_STEP:
            request.session[LAST_SEEN] = now
        return False


# -- second factor devices (issue 11 item 6) ----------------------------------------------

def pending_device(user):
    """The user's authenticator being enrolled (unconfirmed), made on first need."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app",
                                           confirmed=False)
    return device


def key_of(device) -> str:
    """The secret as an authenticator app takes it typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def qr_svg(device) -> str:
    """The otpauth:// address as an inline SVG QR code (no script, no inline style: the
    site's Content Security Policy allows neither)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, dark="#000", light="#fff", title="QR code of your Recert key")
