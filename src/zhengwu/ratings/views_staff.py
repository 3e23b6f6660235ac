"""Workbench pages of 好差评: the window tablet (现场一次一评), printable window QR codes, the
rectification workbench, supervisor views (超期督办, 申诉审核), figures, 红黑旗, Excel export and
the local rules. Pages only compose: writes go through :mod:`.services`, lists through
:mod:`.queries` (scoped)."""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.core.spreadsheets import safe_row
from zhengwu.org.models import Role, Window
from zhengwu.org.permissions import grants, has_role
from zhengwu.workbench.views import allowed_if, staff_required

from . import forms, qr, queries, rules, services
from .models import Appeal, RatingRules, Rectification, WindowVisit
from .rules import Channel, Kind, RState


def _parse_bool(value: str | None) -> bool | None:
    return {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}.get((value or "").lower())


# -- window tablet --------------------------------------------------------------------------------
def _windows_for(user):
    """Windows a window-staff member may bind a tablet to: halls within their grants' regions."""
    qs = Window.objects.filter(is_active=True).select_related("hall", "hall__region")
    if has_role(user, Role.SYSADMIN):
        return qs
    prefixes = [g.region_prefix for g in grants(user) if g.role == Role.WINDOW]
    if not prefixes:
        return qs.none()
    from django.db.models import Q

    cond = Q(pk__in=[])
    for p in prefixes:
        cond |= Q(hall__region__code__startswith=p)
    return qs.filter(cond)


def _window(request, window_id: int) -> Window:
    if not has_role(request.user, Role.WINDOW):
        raise PermissionDenied("只有窗口工作人员可以使用窗口评价器")
    w = _windows_for(request.user).filter(pk=window_id).first()
    if w is None:
        raise Http404("窗口不存在或不在您的管辖范围")
    return w


@staff_required
def tablet_start(request):
    if not has_role(request.user, Role.WINDOW):
        raise PermissionDenied("只有窗口工作人员可以使用窗口评价器")
    windows = list(_windows_for(request.user).order_by("hall__name", "number"))
    if request.method == "POST":
        w = _window(request, int(request.POST.get("window") or 0))
        request.session["ratings_tablet_window"] = w.pk
        return redirect("ratings:tablet", window_id=w.pk)
    mine = next((g.window_id for g in grants(request.user) if g.role == Role.WINDOW and g.window_id), None)
    return render(request, "ratings/staff/tablet_start.html", {"windows": windows, "mine": mine,
                                                                "bound": request.session.get("ratings_tablet_window")})


@staff_required
def tablet(request, window_id: int):
    """The tablet's idle screen: the staff member ends a service → the rating screen."""
    w = _window(request, window_id)
    departments = services.window_departments(w)
    if request.method == "POST":
        dep = next((d for d in departments if str(d.pk) == request.POST.get("department")), None)
        try:
            visit = services.start_visit(request.user, w, department=dep, nonce=request.POST.get("nonce") or None)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("ratings:tablet", window_id=w.pk)
        return redirect("ratings:tablet_rate", window_id=w.pk, visit_id=visit.pk)
    return render(request, "ratings/staff/tablet.html", {"window": w, "departments": departments,
                                                         "thanks": request.GET.get("thanks"),
                                                         "nonce": secrets.token_hex(16)})


@staff_required
def tablet_rate(request, window_id: int, visit_id: int):
    w = _window(request, window_id)
    visit = WindowVisit.objects.select_related("department").filter(pk=visit_id, window=w).first()
    if visit is None:
        raise Http404("本次服务不存在")
    if services.visit_rating(visit) is not None:
        messages.info(request, "本次服务已评价过")
        return redirect("ratings:tablet", window_id=w.pk)
    errors, status = None, 200
    if request.method == "POST":
        try:
            r = services.rate_visit(visit, channel=Channel.TABLET, actor=None,
                                    **forms.rating_input(request.POST, Kind.WINDOW, with_phone=True))
            return redirect(reverse("ratings:tablet", args=[w.pk]) + ("?thanks=bad" if r.is_bad else "?thanks=1"))
        except services.AlreadyRated:
            return redirect(reverse("ratings:tablet", args=[w.pk]) + "?thanks=1")
        except ValidationError as exc:
            errors, status = forms.errors_of(exc), 400
    token = services.issue_token("visit", visit.pk)
    link = request.build_absolute_uri(reverse("ratings:qr_rate", args=[token]))
    ctx = {"window": w, "visit": visit, "qr_svg": qr.svg(link, scale=4), "link": link, "with_phone": True,
           **forms.form_context(Kind.WINDOW, request.POST if request.method == "POST" else None, errors)}
    return render(request, "ratings/staff/tablet_rate.html", ctx, status=status)


@staff_required
def window_qr(request, window_id: int):
    """A printable poster with the window's QR code (扫码评价)."""
    if not has_role(request.user, Role.WINDOW, Role.DEPT_ADMIN, Role.SUPERVISOR):
        raise PermissionDenied("无权打印窗口评价二维码")
    w = _windows_for(request.user).filter(pk=window_id).first() if has_role(request.user, Role.WINDOW) else \
        Window.objects.select_related("hall").filter(pk=window_id).first()
    if w is None:
        raise Http404("窗口不存在")
    token = services.issue_token("window", w.pk)
    link = request.build_absolute_uri(reverse("ratings:qr_rate", args=[token]))
    return render(request, "ratings/staff/window_qr.html", {"window": w, "qr_svg": qr.svg(link, scale=8), "link": link})


# -- rectification workbench ----------------------------------------------------------------------
def _rect(request, pk: int) -> Rectification:
    x = (queries.rectifications_for(request.user).select_related("rating", "rating__department", "rating__window",
                                                                 "rating__item", "rating__applicant", "department")
         .filter(pk=pk).first())
    if x is None:
        raise Http404("差评整改不存在或不在您的管辖范围")
    return x


@staff_required
def rect_list(request):
    if not has_role(request.user, *queries.RECT_ROLES):
        raise PermissionDenied("无权查看差评整改")
    state = request.GET.get("state", "open")
    qs = queries.rectifications_for(request.user).select_related("rating", "department")
    if state == "open":
        qs = qs.filter(state__in=rules.OPEN_RSTATES)
    elif state in {s.value for s in RState}:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("due_date", "pk"), 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(x, rules.is_overdue(x.state, x.due_date, today)) for x in page]
    return render(request, "ratings/staff/rect_list.html", {
        "page": page, "rows": rows, "state": state,
        "states": [("open", "未办结"), *[(s.value, rules.RSTATE_LABELS[s]) for s in RState], ("all", "全部")]})


def _rect_page(request, rect, *, status=200, errors=None, revealed=None):
    today = timezone.localdate()
    appeals = list(rect.rating.appeals.order_by("-filed_at"))
    ctx = {"rect": rect, "rating": rect.rating, "events": rect.events.all(), "errors": errors or {},
           "overdue": rules.is_overdue(rect.state, rect.due_date, today), "revealed": revealed,
           "can_act": services.may_rectify(request.user, rect),
           "can_urge": services.may_supervise(request.user, department=rect.department) and rect.is_open,
           "can_appeal": has_role(request.user, Role.DEPT_ADMIN, department=rect.department)
                         and not rect.rating.excluded and not any(a.state == "pending" for a in appeals),
           "appeals": appeals, "dims_text": rules.dims_text(rect.rating.kind, rect.rating.dims),
           "problems": rules.bad_problems_of(rect.rating.tags)}
    return render(request, "ratings/staff/rect_detail.html", ctx, status=status)


@staff_required
def rect_detail(request, pk: int):
    return _rect_page(request, _rect(request, pk))


@staff_required
@require_POST
def rect_action(request, pk: int, action: str):
    rect = _rect(request, pk)
    p = request.POST
    version = p.get("version")
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = -1
    try:
        if action == "verify":
            valid = _parse_bool(p.get("valid"))
            if valid is None:
                raise ValidationError({"valid": ["请选择核实结果：属实或不属实"]})
            services.verify(request.user, rect, version, valid=valid, reason=p.get("reason", ""))
            messages.success(request, "已登记核实结果")
        elif action == "rectify":
            services.rectify(request.user, rect, version, measures=p.get("measures", ""))
            messages.success(request, "已登记整改措施")
        elif action == "callback":
            reached = _parse_bool(p.get("reached"))
            if reached is None:
                raise ValidationError({"reached": ["请选择是否联系上评价人"]})
            services.callback(request.user, rect, version, reached=reached, satisfied=_parse_bool(p.get("satisfied")),
                              note=p.get("note", ""))
            messages.success(request, "已登记回访结果")
        elif action == "urge":
            services.urge(request.user, rect, note=p.get("note", ""))
            messages.success(request, "已督办")
        elif action == "appeal":
            services.file_appeal(request.user, rect.rating, reason=p.get("reason", ""))
            messages.success(request, "申诉已提交，等待督办人员审核")
        elif action == "reveal":
            value = services.reveal_phone(request.user, rect.rating)
            return _rect_page(request, rect, revealed=value or "（未留电话）")
        else:
            raise Http404("没有这个操作")
    except services.Stale as exc:
        messages.error(request, exc.messages[0])
        return _rect_page(request, _rect(request, pk), status=409)
    except ValidationError as exc:
        return _rect_page(request, _rect(request, pk), status=400, errors=forms.errors_of(exc))
    return redirect("ratings:rect_detail", pk=rect.pk)


# -- supervisor -------------------------------------------------------------------------------------
@staff_required
def overdue(request):
    if not has_role(request.user, Role.SUPERVISOR, Role.LEADER):
        raise PermissionDenied("只有督办人员和领导可以查看超期差评")
    qs = queries.overdue(request.user).select_related("rating", "department").order_by("due_date", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    pending = queries.appeals_for(request.user).filter(state=Appeal.State.PENDING).count()
    return render(request, "ratings/staff/overdue.html", {"page": page, "today": timezone.localdate(),
                                                          "pending_appeals": pending})


@staff_required
def appeals(request):
    if not has_role(request.user, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.LEADER):
        raise PermissionDenied("无权查看申诉")
    state = request.GET.get("state", "pending")
    qs = queries.appeals_for(request.user).select_related("rating", "department", "filed_by", "decided_by")
    if state in Appeal.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-filed_at"), 30).get_page(request.GET.get("page"))
    return render(request, "ratings/staff/appeals.html", {
        "page": page, "state": state, "states": [*Appeal.State.choices, ("all", "全部")],
        "can_decide": has_role(request.user, Role.SUPERVISOR)})


@staff_required
@require_POST
def appeal_decide(request, pk: int):
    appeal = queries.appeals_for(request.user).filter(pk=pk).first()
    if appeal is None:
        raise Http404("申诉不存在")
    upheld = _parse_bool(request.POST.get("upheld"))
    try:
        if upheld is None:
            raise ValidationError({"upheld": ["请选择申诉是否成立"]})
        services.decide_appeal(request.user, appeal, upheld=upheld, note=request.POST.get("note", ""))
        messages.success(request, "申诉成立，该评价已从指标中剔除" if upheld else "已驳回申诉")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(reverse("ratings:appeals"))


# -- figures, ranking, export -----------------------------------------------------------------------
# 默认好评 stand in their own column: 主动评价数, 主动评价率 and 满意率 are of real ratings only.
FIGURE_COLUMNS = ["active", "defaults", "active_rate", "satisfaction_rate", "bad", "rectify_rate", "callback_rate",
                  "excluded"]
RATE_COLUMNS = {"active_rate", "satisfaction_rate", "rectify_rate", "callback_rate"}


def _period(request) -> tuple[dt.date, dt.date, str]:
    period = request.GET.get("period") or ""
    if period:
        start, end = rules.month_bounds(period)
        return start, end, period
    start_s, end_s = request.GET.get("start"), request.GET.get("end")
    if start_s or end_s:
        try:
            start = dt.date.fromisoformat(start_s)
            end = dt.date.fromisoformat(end_s)
        except (TypeError, ValueError):
            raise rules.RuleError("start", "统计期格式不正确：开始和结束日期应为 YYYY-MM-DD") from None
        return start, end, ""
    period = timezone.localdate().strftime("%Y-%m")
    start, end = rules.month_bounds(period)
    return start, end, period


def _cell(key, f: rules.Figures):
    value = getattr(f, key)
    if value is None:
        return "—"
    if key in RATE_COLUMNS:
        return f"{value * 100:.1f}%"
    return value


@allowed_if(lambda user: has_role(user, *queries.FIGURE_ROLES), refused="无权查看评价指标")
def figures(request):
    by = request.GET.get("by") or "department"
    try:
        start, end, period = _period(request)
        report = queries.figures_report(start=start, end=end, group_by=by, user=request.user)
    except rules.RuleError as exc:
        return render(request, "ratings/staff/figures.html", {"error": exc.message, "groups": queries.GROUPS,
                                                              "by": by}, status=400)
    present = {d for r in report.rows for d in r.figures.dimension_avg}
    dims = [d for d in rules.ALL_DIMENSIONS if d in present]
    rows = [{"label": r.label, "cells": [_cell(k, r.figures) for k in FIGURE_COLUMNS],
             "dims": [r.figures.dimension_avg.get(d, "—") for d in dims]} for r in report.rows]
    total = {"label": "合计", "cells": [_cell(k, report.total.figures) for k in FIGURE_COLUMNS],
             "dims": [report.total.figures.dimension_avg.get(d, "—") for d in dims]}
    return render(request, "ratings/staff/figures.html", {
        "report": report, "rows": rows, "total": total, "by": by, "period": period, "groups": queries.GROUPS,
        "headers": [(k, *rules.DEFINITIONS[k]) for k in FIGURE_COLUMNS], "dims": [rules.FIGURE_DIMENSION_LABELS[d] for d in dims],
        "start": start, "end": end})


@allowed_if(lambda user: has_role(user, Role.LEADER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.DATA_ADMIN),
            refused="无权查看红黑旗排名")
def ranking(request):
    by = request.GET.get("by") if request.GET.get("by") in ("department", "window") else "department"
    try:
        start, end, period = _period(request)
        report, ranked = queries.ranking(start=start, end=end, by=by, user=request.user)
    except rules.RuleError as exc:
        messages.error(request, exc.message)
        return redirect("ratings:ranking")
    cfg = services.get_rules()
    # Online and 12345 ratings belong to no window: counted in the totals, not in a window ranking.
    kinds = queries.by_kind(start=start, end=end, user=request.user) if by == "window" else None
    return render(request, "ratings/staff/ranking.html", {
        "ranked": [(x, row) for x, row in ranked if x.rank], "left_out": rules.left_out([x for x, _ in ranked]),
        "rule_text": rules.min_sample_rule(cfg.min_ratings), "kinds": kinds, "by": by, "period": period,
        "rules": cfg, "start": start, "end": end})


def _xlsx_response(wb, filename: str):
    tmp = tempfile.TemporaryFile()
    wb.save(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


EXPORT_LIMIT = 500_000


@staff_required
def export_ratings(request):
    """评价明细 (write-only workbook, rows streamed from the database in chunks)."""
    from openpyxl import Workbook

    if not has_role(request.user, *queries.LIST_ROLES):
        raise PermissionDenied("无权导出评价")
    try:
        start, end, period = _period(request)
    except rules.RuleError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    qs = (queries.ratings_for(request.user).filter(day__gte=start, day__lte=end)
          .select_related("department", "window", "item", "region")
          .only("pk", "kind", "source_ref", "level", "channel", "is_default", "is_bad", "excluded", "comment",
                "applicant_type", "rated_at", "followup_of", "department__name", "window__number", "item__name",
                "item__implementation_code", "region__name", "dims", "tags")
          .order_by("pk"))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("评价明细")
    ws.append([f"评价明细  统计期：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"])
    ws.append(["编号", "评价对象", "办件编号/工单号", "实施编码", "事项", "部门", "窗口", "区划", "评价渠道", "评价等级",
               "默认好评", "差评", "申诉剔除", "追评", "申请人类型", "评价时间", "维度评分", "评价标签（差评问题）",
               "评价内容"])
    n = 0
    for r in qs.iterator(chunk_size=5000):
        ws.append(safe_row([r.pk, rules.KIND_LABELS.get(r.kind, r.kind), r.source_ref,
                   r.item.implementation_code if r.item_id else "", r.item.name if r.item_id else "",
                   r.department.name, r.window.number if r.window_id else "", r.region.name,
                   rules.CHANNEL_LABELS.get(r.channel, r.channel), r.level_label, "是" if r.is_default else "",
                   "是" if r.is_bad else "", "是" if r.excluded else "", "是" if r.followup_of_id else "",
                   r.get_applicant_type_display(), timezone.localtime(r.rated_at).strftime("%Y-%m-%d %H:%M"),
                   rules.dims_text(r.kind, r.dims), "、".join(r.tags or []), r.comment]))
        n += 1
        if n >= EXPORT_LIMIT:
            ws.append([f"（超过 {EXPORT_LIMIT} 条，已截断：请缩短统计期）"])
            break
    return _xlsx_response(wb, f"ratings-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


@staff_required
def export_rectifications(request):
    from openpyxl import Workbook

    if not has_role(request.user, *queries.RECT_ROLES):
        raise PermissionDenied("无权导出差评整改")
    try:
        start, end, period = _period(request)
    except rules.RuleError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    qs = (queries.rectifications_for(request.user).filter(rating__day__gte=start, rating__day__lte=end)
          .select_related("rating", "department").order_by("pk"))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("差评整改")
    ws.append(["编号", "办件编号/工单号", "责任部门", "评价等级", "差评问题", "评价内容", "实名", "状态", "立案时间", "整改期限",
               "核实", "核实情况", "整改措施", "回访次数", "联系上", "满意", "重新整改次数", "督办次数", "办结时间"])
    today = timezone.localdate()
    for x in qs.iterator(chunk_size=2000):
        ws.append(safe_row([x.pk, x.rating.source_ref, x.department.name, x.rating.level_label,
                   "、".join(rules.bad_problems_of(x.rating.tags)), x.rating.comment,
                   "是" if x.real_name else "否",
                   x.state_label + ("（超期）" if rules.is_overdue(x.state, x.due_date, today) else ""),
                   timezone.localtime(x.opened_at).strftime("%Y-%m-%d %H:%M"), x.due_date.isoformat(),
                   {True: "属实", False: "不属实"}.get(x.verified_valid, ""), x.verify_reason, x.measures,
                   x.callback_attempts, {True: "是", False: "否"}.get(x.callback_reached, ""),
                   {True: "是", False: "否"}.get(x.callback_satisfied, ""), x.reopen_count, x.urge_count,
                   timezone.localtime(x.closed_at).strftime("%Y-%m-%d %H:%M") if x.closed_at else ""]))
    return _xlsx_response(wb, f"rectifications-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


# -- local rules ------------------------------------------------------------------------------------
RULE_LABELS = [(f, RatingRules._meta.get_field(f).verbose_name, RatingRules._meta.get_field(f).help_text)
               for f in services.RULE_FIELDS]


@staff_required
def rules_edit(request):
    if not has_role(request.user, Role.SYSADMIN):
        raise PermissionDenied("只有系统管理员可以修改本地评价规则")
    cfg = services.get_rules()
    errors = {}
    if request.method == "POST":
        values = {}
        for f in services.RULE_FIELDS:
            field = RatingRules._meta.get_field(f)
            raw = request.POST.get(f, "")
            if f != "default_enabled" and f not in request.POST:
                continue  # a form from before the field existed keeps the current value
            if f == "default_enabled":
                values[f] = raw in ("1", "on", "true")
                continue
            try:
                values[f] = float(raw) if field.get_internal_type() == "FloatField" else int(raw)
            except ValueError:
                errors[f] = [f"{field.verbose_name}应为数字"]
        if "bad_levels" in request.POST:  # an old form, or a hand-made request: refused with the reason
            values["bad_levels"] = request.POST["bad_levels"]
        if not errors:
            try:
                services.update_rules(request.user, **values)
                messages.success(request, "本地评价规则已保存")
                return redirect("ratings:rules")
            except ValidationError as exc:
                errors = forms.errors_of(exc)
        for f, v in values.items():
            if f in services.RULE_FIELDS:
                setattr(cfg, f, v)
    fields = [(name, label, help_text, getattr(cfg, name)) for name, label, help_text in RULE_LABELS]
    fixed = {"bad_levels": [rules.LEVELS[x] for x in sorted(rules.BAD_LEVELS, reverse=True)],
             "satisfied_levels": [rules.LEVELS[x] for x in sorted(rules.SATISFIED_LEVELS, reverse=True)]}
    return render(request, "ratings/staff/rules.html", {"cfg": cfg, "fields": fields, "errors": errors, **fixed},
                  status=400 if errors else 200)
