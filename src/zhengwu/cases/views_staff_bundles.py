"""窗口代录一件事 (一件事综合受理窗口): a window clerk files a 一件事 for a walk-in applicant — the
情形 questions asked at the counter, one form, one set of materials, one linked case per item —
through the same service and form as the applicant's own page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from zhengwu.accounts.models import Applicant
from zhengwu.catalog.models import Bundle
from zhengwu.org import permissions
from zhengwu.org.models import Role
from zhengwu.workbench.views import roles_required

from . import rules
from . import views_bundle_files as bundle_files
from .models import BundleCase
from .services import applying
from .services import bundles as bundle_services
from .views_applicant import ACCEPT_FILES
from .views_applying import KEY_RE


def bundles_for(applicant: Applicant, user=None):
    """Published bundles the applicant's kind may apply for (服务对象), by name; with ``user``, only
    those of the regions the user is a 窗口人员 of (another region's 一件事 is filed there)."""
    qs = Bundle.objects.filter(status=Bundle.Status.PUBLISHED, target__in=[applicant.kind, Bundle.Target.BOTH])
    if user is not None and not permissions.is_sysadmin(user):
        prefixes = {g.region_prefix for g in permissions.grants(user) if g.role == Role.WINDOW}
        if not prefixes:
            return qs.none()
        cond = Q()
        for prefix in sorted(prefixes):
            cond |= Q(region__code__startswith=prefix)
        qs = qs.filter(cond)
    return qs.order_by("name").only("pk", "name")


def _page(request, plan, applicant, *, key, token="", data=None, errors=None, raw=None, chosen=None, status=200):
    return render(request, "cases/staff/file_bundle.html", {
        **bundle_files.form_context(request, plan, applicant, token=token, data=data, errors=errors, raw=raw,
                                    chosen=chosen),
        "key": key, "action_url": reverse("cases:staff_file_bundle", args=[plan.bundle.pk]),
        "back_url": reverse("cases:staff_file"),
        "scenario_carry": [("applicant", applicant.pk)],
        "accept": ACCEPT_FILES, "max_mb": applying.MAX_UPLOAD_BYTES // 1024 // 1024,
    }, status=status)


@roles_required(Role.WINDOW, what="窗口人员")
def choose_bundle(request):
    """The 一件事 picked on the 窗口代录 page (a GET form: bundle + applicant)."""
    bundle, applicant = request.GET.get("bundle", ""), request.GET.get("applicant", "")
    if not (bundle.isdigit() and applicant.isdigit()):
        messages.error(request, "请选择一件事")
        return redirect("cases:staff_file")
    return redirect(f"{reverse('cases:staff_file_bundle', args=[int(bundle)])}?applicant={int(applicant)}")


@roles_required(Role.WINDOW, what="窗口人员")
def file_bundle(request, bundle_id: int):
    source = request.POST if request.method == "POST" else request.GET
    applicant = Applicant.objects.filter(pk=str(source.get("applicant", "")).strip() or 0).first() \
        if str(source.get("applicant", "")).isdigit() else None
    if applicant is None:
        messages.error(request, "请先查找申请人，再选择一件事")
        return redirect("cases:staff_file")
    try:
        plan = bundle_services.bundle_plan(bundle_id)
    except ValidationError:
        raise Http404("该一件事不存在或未发布") from None
    refusal = rules.applicant_kind_refusal(plan.bundle.target, applicant.kind, f"“{plan.bundle.name}”")
    if refusal:
        messages.error(request, refusal)
        return redirect("cases:staff_file")
    if request.method != "POST":
        return _page(request, plan, applicant, key=uuid.uuid4().hex)
    key = request.POST.get("idempotency_key", "")
    if not KEY_RE.match(key):
        messages.error(request, "页面已过期，请重新填写。")
        return redirect(f"{reverse('cases:staff_file_bundle', args=[bundle_id])}?applicant={applicant.pk}")
    done = BundleCase.objects.filter(idempotency_key=f"w{key}", applicant=applicant).first()
    if done is not None:
        messages.info(request, "该申请已经提交，请勿重复提交。")
        return redirect("cases:staff_case", pk=done.cases.order_by("pk").first().pk)

    def apply(data, files, chosen):
        try:
            return bundle_services.apply_bundle(request.user, plan.bundle, form_data=data, files=files,
                                                optional_items=chosen, idempotency_key=f"w{key}",
                                                answers=request.POST, applicant=applicant)
        except PermissionDenied as exc:
            raise ValidationError({"items": [str(exc) or "无权代录该一件事"]}) from None

    posted = bundle_files.submit(request, plan, applicant, apply)  # files kept across refused rounds
    if posted.done is not None:
        bc = posted.done
        first = bc.cases.order_by("pk").first()
        messages.success(request, f"“{plan.bundle.name}”已为{applicant.name}提交，一件事编号 {bc.number}，"
                                  f"共{bc.cases.count()}个办件。")
        return redirect("cases:staff_case", pk=first.pk)
    return _page(request, plan, applicant, key=key, token=posted.token, data=posted.data, errors=posted.errors,
                 raw=posted.raw, chosen={int(x) for x in posted.chosen},
                 status=400 if posted.errors else 200)  # 重新选择 refuses nothing
