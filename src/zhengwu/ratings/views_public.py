"""Pages for citizens: rate my concluded case, rate by QR code (case receipt / window visit /
window poster), 追评, the public figures page (公开评价指标) and the hall screen (红黑旗)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from . import forms, queries, rules, services
from .models import Rating, WindowVisit
from .rules import Channel, Kind


def _my_case(request, pk: int):
    from zhengwu.cases.queries import applicants_case

    from zhengwu.accounts.agents import acting_applicant

    # The applicant, or the enterprise its 经办人 acts for with the 评价 scope (accounts.agents).
    case = applicants_case(acting_applicant(request, "rate"), pk)
    if case is None:
        raise Http404("办件不存在")
    return case


@login_required
def rate_case(request, pk: int):
    case = _my_case(request, pk)
    existing = services.case_rating(case)
    why = services.rateable_case(case)
    status = 200
    errors = None
    if request.method == "POST" and existing is None and not why:
        try:
            services.rate_case(request.user, case, channel=Channel.PC, **forms.rating_input(request.POST, Kind.CASE))
            messages.success(request, "感谢您的评价！" + ("我们已将您的差评转交责任部门核实整改，并会回访您。"
                                                    if services.case_rating(case).is_bad else ""))
            return redirect("ratings:rate_case", pk=case.pk)
        except services.AlreadyRated:
            messages.info(request, "该办件已评价过：每次服务只能评价一次")
            return redirect("ratings:rate_case", pk=case.pk)
        except ValidationError as exc:
            errors, status = forms.errors_of(exc), 400
    followup = existing.followups.first() if existing else None
    rect = getattr(existing, "rectification", None) if existing and existing.is_bad else None
    ctx = {"case": case, "rating": existing, "why": why, "followup": followup, "rect": rect,
           "can_followup": existing is not None and followup is None and (rect is None or rect.state == "closed"),
           **forms.form_context(Kind.CASE, request.POST if request.method == "POST" else None, errors)}
    return render(request, "ratings/rate_case.html", ctx, status=status)


@login_required
def followup(request, pk: int):
    case = _my_case(request, pk)
    rating = services.case_rating(case)
    if rating is None or request.method != "POST":
        return redirect("ratings:rate_case", pk=case.pk)
    try:
        services.followup(request.user, rating, level=request.POST.get("level", ""),
                          comment=request.POST.get("comment", ""))
        messages.success(request, "追评已提交，感谢您的反馈")
    except services.AlreadyRated:
        messages.info(request, "已追评过：每条评价只能追评一次")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("ratings:rate_case", pk=case.pk)


def _token_target(token: str):
    t = services.read_token(token)
    if t.kind == "case":
        from zhengwu.cases.queries import case_by_pk

        case = case_by_pk(t.ref)
        if case is None:
            raise ValidationError({"token": ["评价二维码无效"]})
        return t, case, Kind.CASE
    if t.kind == "visit":
        visit = WindowVisit.objects.select_related("window", "department").filter(pk=t.ref).first()
        if visit is None:
            raise ValidationError({"token": ["评价二维码无效"]})
        return t, visit, Kind.WINDOW
    from zhengwu.org.models import Window

    window = Window.objects.select_related("hall").filter(pk=t.ref, is_active=True).first()
    if window is None:
        raise ValidationError({"token": ["该窗口已停用"]})
    return t, window, Kind.WINDOW


def qr_rate(request, token: str):
    """扫码评价 (anonymous): a case receipt's code, a visit's code or a window poster's code."""
    try:
        t, target, kind = _token_target(token)
    except ValidationError as exc:
        return render(request, "ratings/qr_refused.html", {"message": "；".join(exc.messages)}, status=400)
    errors, status = None, 200
    done = request.GET.get("done")
    if t.kind == "case" and services.case_rating(target) is not None and not done:
        return render(request, "ratings/qr_refused.html", {"message": "该办件已评价过：每次服务只能评价一次"}, status=409)
    if t.kind == "case" and services.rateable_case(target):
        return render(request, "ratings/qr_refused.html",
                      {"message": f"{services.rateable_case(target)}：请在办结后再扫码评价（本码 90 天内有效）"})
    if t.kind == "visit" and services.visit_rating(target) is not None and not done:
        return render(request, "ratings/qr_refused.html", {"message": "本次服务已评价过：每次服务只能评价一次"}, status=409)
    if request.method == "POST":
        data = forms.rating_input(request.POST, kind, with_phone=kind == Kind.WINDOW)
        try:
            if t.kind == "case":
                services.rate_case(None, target, token=token, **data)
            elif t.kind == "visit":
                services.rate_visit(target, token=token, channel=Channel.QR, **data)
            else:
                # A window poster: one rating per phone per window per day (anti-stuffing).
                seen = request.session.get("ratings_window_qr", {})
                key = f"{target.pk}:{timezone.localdate():%Y%m%d}"
                if seen.get(key):
                    raise services.AlreadyRated({"level": ["您今天已评价过该窗口，感谢您的反馈"]})
                rules.check_level(data["level"])
                from django.db import transaction

                with transaction.atomic():
                    dep_id = request.POST.get("department")
                    deps = services.window_departments(target)
                    dep = next((d for d in deps if str(d.pk) == dep_id), deps[0] if deps else None)
                    visit = services.start_visit(None, target, department=dep, source="qr")
                    services.rate_visit(visit, channel=Channel.QR, **data)
                seen[key] = True
                request.session["ratings_window_qr"] = seen
            return render(request, "ratings/qr_thanks.html", {"bad": rules.is_bad(int(data["level"] or 0))})
        except services.AlreadyRated as exc:
            return render(request, "ratings/qr_refused.html", {"message": "；".join(exc.messages)}, status=409)
        except rules.RuleError as exc:
            errors, status = {exc.field: [exc.message]}, 400
        except ValidationError as exc:
            errors, status = forms.errors_of(exc), 400
    ctx = {"token": token, "target": target, "token_kind": t.kind, "kind": kind, "with_phone": kind == Kind.WINDOW,
           "departments": services.window_departments(target) if t.kind == "window" else [],
           **forms.form_context(kind, request.POST if request.method == "POST" else None, errors)}
    return render(request, "ratings/qr_rate.html", ctx, status=status)


def _month(request) -> tuple[str, dt.date, dt.date]:
    period = request.GET.get("period") or timezone.localdate().strftime("%Y-%m")
    try:
        start, end = rules.month_bounds(period)
    except rules.RuleError:
        period = timezone.localdate().strftime("%Y-%m")
        start, end = rules.month_bounds(period)
    return period, start, end


def public_figures(request):
    """公开评价指标: the bureau's published figures, by department, for a month."""
    period, start, end = _month(request)
    report = queries.figures_report(start=start, end=end, group_by="department")
    return render(request, "ratings/public_figures.html", {
        "period": period, "report": report, "definitions": [rules.DEFINITIONS[k] for k in
                                                           ("active", "defaults", "active_rate", "satisfaction_rate",
                                                            "bad", "rectify_rate", "callback_rate")]})


def screen(request):
    """红黑旗 on the hall screen: large print, refreshes every 5 minutes."""
    period, start, end = _month(request)
    by = request.GET.get("by") if request.GET.get("by") in ("department", "window") else "window"
    region = request.GET.get("region") or ""
    region = region if region.isdigit() and len(region) == 12 else None
    report, ranked = queries.ranking(start=start, end=end, by=by, region_code=region)
    # Online and 12345 ratings belong to no window: a window ranking shows them apart, in the totals.
    kinds = queries.by_kind(start=start, end=end, region_code=region) if by == "window" else None
    left_out = rules.left_out([x for x, _ in ranked])
    return render(request, "ratings/screen.html", {
        "period": period, "by": by, "ranked": [(x, row) for x, row in ranked if x.rank], "report": report,
        "kinds": kinds, "online": kinds[rules.Kind.CASE] if kinds else None,
        "left_out": left_out[:SCREEN_LEFT_OUT], "left_out_count": len(left_out),
        "rule_text": rules.min_sample_rule(services.get_rules().min_ratings)})


SCREEN_LEFT_OUT = 20  # units named on the screen below the minimum sample (the rest counted)


def rating_link(request, token: str) -> str:
    return request.build_absolute_uri(reverse("ratings:qr_rate", args=[token]))


PAGE = 30


@login_required
def my_ratings(request):
    """我的评价: a citizen's own ratings, newest first, with each 差评's rectification progress
    (the enterprise's, for its 经办人 acting for it with the 评价 scope)."""
    from zhengwu.accounts.agents import acting_applicant

    applicant = acting_applicant(request, "rate")
    if applicant is None:
        raise PermissionDenied("仅限已注册的个人或法人申请人查看")
    qs = (Rating.objects.filter(applicant=applicant, followup_of__isnull=True)
          .select_related("case", "item", "department", "window", "rectification")
          .prefetch_related("followups").order_by("-rated_at", "-pk"))
    before = request.GET.get("before", "")
    if before.isdigit():
        anchor = Rating.objects.filter(pk=int(before), applicant=applicant).values_list("rated_at", flat=True).first()
        if anchor is not None:
            qs = qs.filter(rated_at__lte=anchor).exclude(rated_at=anchor, pk__gte=int(before))
    rows = list(qs[:PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render(request, "ratings/my_ratings.html",
                  {"rows": rows, "next": rows[-1].pk if more else None})
