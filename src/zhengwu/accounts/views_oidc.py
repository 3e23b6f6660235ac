"""统一身份认证 pages: log in through a provider, the callback, 账户与安全 (link, unlink)."""

from __future__ import annotations

import requests
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhengwu.core import audit
from zhengwu.core.middleware import client_ip
from zhengwu.org.permissions import is_staff_member

from . import landing, oidc_client, services_identity
from .models_identity import ExternalIdentity
from .oidc_rules import LEVEL_LABELS, IdentityRefused, map_claims

_FLOW = "zw_oidc_flow"  # what the pending login is for: {"provider", "mode", "next"}


def _provider_or_404(name: str):
    try:
        p = oidc_client.provider(name)
    except ValueError:  # a broken setting: the operator sees it in the log of the check command
        p = None
    if p is None:
        raise Http404("未配置该统一身份认证平台")
    return p


def _redirect_uri(request, p) -> str:
    return p.redirect_uri or request.build_absolute_uri(reverse("accounts:oidc_callback", args=[p.name]))


def _start(request, p, mode: str):
    target = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = ""
    request.session[_FLOW] = {"provider": p.name, "mode": mode, "next": target}
    try:
        return oidc_client.authorize_redirect(request, p, _redirect_uri(request, p))
    except (requests.RequestException, ValueError, KeyError):  # the discovery document could not be read
        return _error(request, p, oidc_client.fail("unreachable", 502))


def oidc_login(request, name: str):
    """统一身份认证登录: off to the provider."""
    return _start(request, _provider_or_404(name), "login")


@login_required
@require_POST
def oidc_link_start(request, name: str):
    """账户与安全 → 绑定统一身份认证: off to the provider, back to link."""
    return _start(request, _provider_or_404(name), "link")


def _error(request, p, failure, *, actor=None):
    with transaction.atomic():
        audit.record("accounts.oidc_failure", actor=actor, object_type="accounts.externalidentity",
                     after={"provider": p.name, "reason": failure.reason}, ip=client_ip(request))
    return render(request, "accounts/oidc_error.html",
                  {"provider": p, "message": failure.message}, status=failure.status)


def _refused(request, p, exc: IdentityRefused):
    # services_identity audited the refusal already (reason code, no personal data)
    return render(request, "accounts/oidc_error.html", {"provider": p, "message": exc.message}, status=400)


def oidc_callback(request, name: str):
    """The provider sends the person back here with a code (or an error)."""
    p = _provider_or_404(name)
    flow = request.session.pop(_FLOW, None) or {}
    user = request.user if request.user.is_authenticated else None
    if flow.get("provider") != p.name:
        flow = {"mode": "login", "next": ""}  # authlib's state check below refuses the response
    try:
        raw, issuer = oidc_client.complete(request, p)
    except oidc_client.Failure as failure:
        return _error(request, p, failure, actor=user)
    ip = client_ip(request)
    try:
        claims = map_claims(p, raw)
    except IdentityRefused as exc:
        with transaction.atomic():
            audit.record("accounts.identity_refused", actor=user, object_type="accounts.externalidentity",
                         after={"provider": p.name, "reason": exc.reason}, ip=ip)
        return _refused(request, p, exc)
    try:  # the services audit their own refusals
        if flow.get("mode") == "link":
            if user is None:
                return _error(request, p, oidc_client.fail("state"))
            services_identity.link(user, p, issuer, claims, ip=ip)
            messages.success(request, f"已绑定{p.display_name}。")
            return redirect("accounts:security")
        signed_in = services_identity.sign_in(p, issuer, claims, ip=ip)
    except IdentityRefused as exc:
        return _refused(request, p, exc)
    login(request, signed_in, backend="zhengwu.accounts.backends.IdentifierBackend")
    request.session["zw_login_provider"] = p.name
    target = flow.get("next") or ""
    if not target:
        target = reverse("workbench:home") if is_staff_member(signed_in) else reverse("portal:home")
    return redirect(landing.after_login(signed_in, target))  # not into the workbench for an applicant


def identity_context(request) -> dict:
    """账户与安全's 统一身份认证 part: 实名等级, the linked identities, the providers one may link.

    No card that does nothing: 实名等级 only for citizens and enterprises (staff have none), the
    统一身份认证绑定 card only with a linked identity or a provider of the user's role to bind."""
    try:
        configured = oidc_client.providers()
    except ValueError:
        configured = {}
    identities = list(ExternalIdentity.objects.filter(user=request.user).order_by("provider", "pk"))
    linked = {i.provider for i in identities}
    is_staff = request.user.kind == "staff"
    can_link = [p for p in configured.values() if p.name not in linked and (p.role == "staff") == is_staff]
    level = request.user.real_name_level
    return {
        "identities": [(i, configured.get(i.provider)) for i in identities], "can_link": can_link,
        "level": level, "level_label": LEVEL_LABELS.get(level, "未认证"),
        "has_password": request.user.has_usable_password(),
        "show_level": not is_staff, "show_identities": bool(identities or can_link),
    }


@login_required
@require_POST
def oidc_unlink(request, pk: int):
    try:
        services_identity.unlink(request.user, pk, ip=client_ip(request))
    except IdentityRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已解除绑定。")
    return redirect("accounts:security")
