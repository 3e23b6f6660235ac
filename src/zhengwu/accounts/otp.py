"""Second factor for staff (动态口令, TOTP RFC 6238, django-otp): enrolment, verification, the rule
of who must have one. 等保三级 8.1.4.1 d): administrators authenticate with two factors.

- Any staff member may enrol an authenticator app (账户与安全 → 动态口令).
- Administrators (superusers and the 系统管理员 role) must, when ``ZHENGWU_ADMIN_TOTP_REQUIRED``
  (default on): until they have a device they are sent to enrolment before anything else
  (:class:`~zhengwu.accounts.middleware_security.SecondFactorMiddleware`).
- A user with a device is asked for the code after the password, before anything else.
- Wrong codes count as login failures for django-axes (5 lock the account for 30 minutes from that
  address) and the session is ended at the lockout.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.core import audit


def is_admin(user) -> bool:
    from zhengwu.org.permissions import is_sysadmin

    return bool(user and user.is_authenticated and (user.is_superuser or is_sysadmin(user)))


def may_enrol(user) -> bool:
    return bool(user and user.is_authenticated and (user.kind == "staff" or user.is_superuser))


def totp_required(user) -> bool:
    return bool(settings.ZHENGWU_ADMIN_TOTP_REQUIRED and may_enrol(user) and is_admin(user))


def device_of(user) -> TOTPDevice | None:
    if not may_enrol(user):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled (unconfirmed), made on first call: its secret is shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    return device


def otpauth_url(device: TOTPDevice) -> str:
    return device.config_url


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (segno; no image request, no script)."""
    return segno.make(otpauth_url(device), error="m").svg_inline(scale=4, title="动态口令二维码")


def _clean(token: str) -> str:
    return "".join((token or "").split())


def _throttled(request, device) -> bool:
    """django-otp slows guessing down (1 s, 2 s, 4 s … after wrong codes): say so, not "wrong"."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return False
    wait = ""
    if info and info.get("locked_until"):
        from django.utils import timezone

        wait = f"{max(1, int((info['locked_until'] - timezone.now()).total_seconds()) + 1)}秒"
    request._zw_otp_error = f"动态口令尝试过于频繁：请{wait or '稍候'}后再试"
    _failed(request)  # a try all the same (django-axes counts it)
    return True


def last_error(request) -> str:
    return getattr(request, "_zw_otp_error", "")


def confirm(request, device: TOTPDevice, token: str) -> bool:
    """Enrolment: the first code from the app confirms the device; the session counts as verified."""
    token = _clean(token)
    if _throttled(request, device):
        return False
    if not (token.isdigit() and len(token) == 6) or not device.verify_token(token):
        _failed(request)
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record("accounts.otp_enrol", actor=request.user, obj=request.user, after={"device": device.pk})
    otp_login(request, device)
    return True


def verify(request, token: str) -> bool:
    """Login step 2: the code of the user's confirmed device."""
    device = device_of(request.user)
    token = _clean(token)
    if device is not None and _throttled(request, device):
        return False
    if device is None or not (token.isdigit() and len(token) == 6) or not device.verify_token(token):
        _failed(request)
        return False
    otp_login(request, device)
    audit.record("accounts.otp_verify", actor=request.user, obj=request.user)
    return True


def remove(request) -> bool:
    """Staff who are not required to keep one may remove their device (after a verified login)."""
    if totp_required(request.user):
        return False
    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=request.user).delete()
        audit.record("accounts.otp_remove", actor=request.user, obj=request.user)
    return bool(deleted)


def _failed(request) -> None:
    """A wrong code is a failed login for django-axes (same username and address counting)."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.get_username()},
                           request=request)
    audit.record("accounts.otp_failed", actor=request.user, obj=request.user)


def locked(request) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, {"username": request.user.get_username()})
