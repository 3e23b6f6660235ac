"""企业经办人管理 (the enterprise's page) and 以企业身份办事 (the person's switch)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from zhengwu.core.forms import NamedErrorsForm

from . import agents
from .models import EnterpriseAgent


class AgentForm(NamedErrorsForm):
    name = forms.CharField(label="经办人姓名", max_length=50)
    id_number = forms.CharField(label="经办人身份证号", max_length=18,
                                help_text="经办人须已用本人身份证号注册个人账号")
    scope = forms.MultipleChoiceField(label="授权范围", choices=EnterpriseAgent.Scope.choices,
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": "授权范围不正确：请至少选择一项"})
    note = forms.CharField(label="备注", max_length=200, required=False)


@login_required
def manage(request):
    enterprise = agents.enterprise_of(request.user)
    form = AgentForm(request.POST or None, initial={"scope": ["apply", "view"]})
    if request.method == "POST" and form.is_valid():
        try:
            agents.grant(request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, f"已添加经办人{form.cleaned_data['name']}。")
            return redirect("accounts:agents")
    return render(request, "accounts/agents.html", {
        "enterprise": enterprise, "form": form, "agents": agents.agents_of(enterprise)})


@login_required
def revoke(request, pk: int):
    if request.method != "POST":  # the address opened in the browser: the page with the 撤销 buttons
        return redirect("accounts:agents")
    try:
        agent = agents.revoke(request.user, pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已撤销{agent.agent}的经办授权，立即生效。")
    return redirect("accounts:agents")


@login_required
def acting(request):
    """以企业身份办事 (``enterprise`` = its applicant id) or back to 个人身份 (``stop``). Opened in
    the browser (GET): 账户与安全, the page that offers the switch."""
    if request.method != "POST":
        return redirect("accounts:security")
    if request.POST.get("stop"):
        agents.stop_acting(request)
        messages.success(request, "已切换回个人身份。")
        return redirect("accounts:security")
    try:
        grant = agents.start_acting(request, int(request.POST.get("enterprise") or 0))
    except (PermissionDenied, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, PermissionDenied) else "企业不正确")
        return redirect("accounts:security")
    messages.success(request, f"您正在以“{grant.enterprise.name}”经办人身份办事（授权：{'、'.join(grant.scope_labels())}）。")
    return redirect("cases:my_cases")
