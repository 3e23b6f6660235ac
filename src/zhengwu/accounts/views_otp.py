"""动态口令 (TOTP) pages: enrolment with a server-rendered QR code, the login step, removal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import otp

LOCKED_MESSAGE = "动态口令连续错误次数过多，账号已锁定30分钟。如需立即解锁，请联系系统管理员。"


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else default


def _home(request) -> str:
    from django.urls import reverse

    from zhengwu.org.permissions import is_staff_member

    return reverse("workbench:home") if is_staff_member(request.user) else reverse("portal:home")


def _wrong(request, template, context):
    if otp.locked(request):
        logout(request)
        messages.error(request, LOCKED_MESSAGE)
        return redirect("accounts:login")
    context["error"] = otp.last_error(request) or "动态口令不正确：请输入验证器应用当前显示的6位数字（每30秒更新）"
    return render(request, template, context, status=400)


@login_required
def setup(request):
    """绑定动态口令: scan the QR code (or type the secret) into an authenticator app, confirm a code."""
    if not otp.may_enrol(request.user):
        return HttpResponseForbidden("仅工作人员可以绑定动态口令")
    existing = otp.device_of(request.user)
    if existing is not None and not request.user.is_verified():
        return redirect("accounts:otp_verify")
    device = otp.pending_device(request.user)
    context = {"qr_svg": otp.qr_svg(device), "secret": _base32(device), "required": otp.totp_required(request.user),
               "replacing": existing is not None, "next": _next(request, "")}
    if request.method == "POST":
        if otp.confirm(request, device, request.POST.get("token", "")):
            _refresh_state(request)
            messages.success(request, "动态口令已绑定：以后登录时须在密码之后输入验证器应用显示的6位数字。")
            return redirect(_next(request, _home(request)))
        return _wrong(request, "accounts/otp_setup.html", context)
    return render(request, "accounts/otp_setup.html", context)


@login_required
def verify(request):
    """Login step 2: the 6-digit code of the user's authenticator app."""
    if request.user.is_verified() or otp.device_of(request.user) is None:
        _refresh_state(request)
        return redirect(_next(request, _home(request)))
    context = {"next": _next(request, "")}
    if request.method == "POST":
        if otp.verify(request, request.POST.get("token", "")):
            return redirect(_next(request, _home(request)))
        return _wrong(request, "accounts/otp_verify.html", context)
    return render(request, "accounts/otp_verify.html", context)


@login_required
@require_POST
def remove(request):
    if otp.totp_required(request.user):
        messages.error(request, "管理员账号须保留动态口令，不能解除绑定。")
    elif otp.remove(request):
        _refresh_state(request)
        messages.success(request, "动态口令已解除绑定。")
    return redirect("accounts:security")


def _base32(device) -> str:
    """The secret as authenticator apps expect it when typed (Base32, groups of four)."""
    import base64

    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _refresh_state(request) -> None:
    """What the second factor asks of this session, after the user's device changed."""
    from .middleware_security import OTP_STATE_KEY, second_factor_state

    request.session[OTP_STATE_KEY] = second_factor_state(request.user)
