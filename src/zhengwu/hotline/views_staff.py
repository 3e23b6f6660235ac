"""Workbench pages of the hotline: 坐席受理台 (console), 派单中心 (dispatch centre), 承办单位工单
(department), the ticket page with its actions, figures and hot spots, taxonomy, knowledge base
and the dispatch model.

Pages only compose: every change goes through :mod:`zhengwu.hotline.services`, every list through
:mod:`zhengwu.hotline.queries`. Action forms post the ticket's ``lock_version``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.org.models import Department, Region, Role
from zhengwu.workbench.views import roles_required, staff_required

from . import classifier, figures, knowledge, queries, rules, services
from .models import KEYWORDS_MAX, Category, ClassifierModel, KnowledgeArticle, Ticket
from .rules import Actor, State

CENTRE = (Role.HOTLINE, Role.SUPERVISOR)
HANDLERS = (Role.DEPT_ADMIN, Role.APPROVER)
FIGURES = (Role.HOTLINE, Role.SUPERVISOR, Role.LEADER, Role.DEPT_ADMIN)


def _errors(request, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        for m in exc.messages:
            messages.error(request, m)


def _leaves():
    return Category.objects.filter(level=3, is_active=True).select_related("department").order_by("path")


def _departments(user=None):
    return Department.objects.filter(is_active=True).select_related("region").order_by("region__code", "sort_order", "name")


def _regions(user):
    """The console's 区划 choices: the centre's district and its streets."""
    base = services.default_region(user)
    return list(Region.objects.filter(code__startswith=base.prefix, level__lte=4).order_by("code")[:200])


# -- console -----------------------------------------------------------------------------------------
# The console's inputs by the key the service names them with (the rest — 标题, 知识库条目, 主工单 —
# have no box of their own: the summary at the top names them).
CONSOLE_FIELDS = ("phone", "caller_name", "ticket_type", "urgency", "region", "address", "channel", "content",
                  "category", "department", "co_departments", "opinion", "answer")


@roles_required(Role.HOTLINE, what="热线坐席")
def console(request):
    """坐席受理台: register a call; suggestions, knowledge and similar tickets appear while typing.
    A refused registration names every wrong field at once (the service checks the registration
    and the 派单 / 并单 / 直接办结 asked for together), each under its box."""
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in (
            "ticket_type", "urgency", "title", "content", "caller_name", "phone", "address", "region", "category",
            "opinion", "answer", "knowledge", "merge_into")}
        data["confidential"] = request.POST.get("confidential") == "on"
        data["co_departments"] = request.POST.getlist("co_departments")
        mode = request.POST.get("mode", "dispatch")
        if mode == "dispatch":
            data["dispatch_to"] = request.POST.get("department", "")  # "": named as missing by the service
        if mode != "kb":
            data.pop("knowledge", None)
            data.pop("answer", None)
        if mode != "merge":
            data.pop("merge_into", None)
        try:
            ticket = services.register(request.user, data, channel=request.POST.get("channel") or "phone",
                                       idempotency_key=request.POST.get("idempotency_key") or None)
        except ValidationError as exc:
            return _console(request, form, errors=exc.message_dict if hasattr(exc, "error_dict")
                            else {"__all__": exc.messages}, status=400)
        messages.success(request, f"工单 {ticket.number} 已登记，当前状态：{ticket.state_label}")
        return redirect("hotline:ticket", ticket.pk)
    return _console(request, form)


def _console(request, form, errors=None, status=200):
    knowledge.warm_up()
    errors = errors or {}
    return render(request, "hotline/console.html", {
        "form": form, "key": uuid.uuid4().hex, "types": rules.TYPE_LABELS.items(),
        "urgencies": rules.URGENCY_LABELS.items(), "leaves": _leaves(), "departments": _departments(),
        "regions": _regions(request.user), "routes": services.routed_departments(), "channels": [("phone", "电话"), ("web", "网站"), ("wechat", "微信"),
                                                         ("letter", "信件")],
        "co_chosen": form.getlist("co_departments") if hasattr(form, "getlist") else [],
        # Every message in the summary; each box's own under it.
        "error_list": [m for msgs in errors.values() for m in msgs],
        "errors": {k: "；".join(msgs) for k, msgs in errors.items() if k in CONSOLE_FIELDS},
    }, status=status)


# -- lists -----------------------------------------------------------------------------------------------
def _filters(request) -> dict:
    return {k: request.GET.get(k, "") for k in ("type", "urgency", "department", "category", "q")}


def _ticket_list(request, tabs: dict, default: str, lister, template: str):
    """A tabbed, keyset-paged ticket list with time status (the centre's and a department's)."""
    tab = request.GET.get("tab", default)
    if tab not in tabs:
        tab = default
    f = _filters(request)
    rows, nxt = lister(request.user, tab, f, request.GET.get("before"))
    now = timezone.now()
    for t in rows:
        t.time = rules.time_status(now, t.due_at, t.state)
    return render(request, template, {
        "rows": rows, "next": nxt, "tab": tab, "tabs": tabs.items(), "filters": f,
        "types": rules.TYPE_LABELS.items(), "time_labels": rules.TIME_LABELS,
    })


@roles_required(*CENTRE, what="派单中心（热线坐席、督办人员）")
def centre(request):
    return _ticket_list(request, queries.CENTRE_TABS, "todo", queries.centre_list, "hotline/centre.html")


@roles_required(*HANDLERS, what="承办单位工作人员")
def department(request):
    return _ticket_list(request, queries.DEPARTMENT_TABS, "dispatched", queries.department_list,
                        "hotline/department.html")


# -- the ticket -------------------------------------------------------------------------------------------
def _ticket_context(request, t: Ticket) -> dict:
    user = request.user
    centre_ok = services.is_centre(user, t.region_code)
    handler_ok = services.is_handler(user, t.lead_department)
    actions = set()
    if centre_ok:
        actions |= set(rules.allowed_actions(t.state, Actor.CENTRE))
    if handler_ok:
        actions |= set(rules.allowed_actions(t.state, Actor.DEPARTMENT))
    if not t.extension_pending:
        actions -= {"approve_extension", "reject_extension"}
    if t.extension_pending:
        actions.discard("request_extension")
    if t.ticket_type != rules.TicketType.CONSULT:
        actions.discard("direct_close")
    if t.state == State.REPLIED and t.callback_attempts < rules.CALLBACK_ATTEMPTS_BEFORE_CLOSE:
        actions.discard("close")
    events = list(t.events.select_related("department").order_by("at", "pk"))
    for e in events:  # who did what to whom (rules.event_parties), not the target as the actor's unit
        dept = (e.department.short_name or e.department.name) if e.department_id else ""
        e.parties = rules.event_parties(e.action, e.actor_name, dept, by_system=e.actor_id is None)
    suggestions = (t.suggested or {}).get("suggestions", [])
    low_confidence = bool(suggestions) and suggestions[0].get("confidence", 0) < classifier.review_threshold()
    return {
        "t": t, "events": events, "actions": actions, "is_centre": centre_ok, "is_handler": handler_ok,
        "can_see_caller": services.may_see_caller(user, t), "time": rules.time_status(timezone.now(), t.due_at, t.state),
        "time_labels": rules.TIME_LABELS, "leaves": _leaves() if centre_ok else [],
        "departments": _departments() if (centre_ok or handler_ok) else [],
        "co_departments": list(t.co_departments.all()), "suggestions": suggestions,
        "low_confidence": low_confidence,
        "satisfaction": sorted(rules.SATISFACTION_LABELS.items(), reverse=True),
        "similar": queries.similar(user, text=f"{t.title}。{t.content}", region=t.region_id, address=t.address,
                                   category=t.category_id, exclude=t.pk, lat=t.latitude,
                                   lon=t.longitude) if centre_ok and t.state == State.REGISTERED else [],
        "kb": knowledge.search(t.content, 3, category=t.category_id) if centre_ok and t.state == State.REGISTERED else [],
        "merged": list(t.merged.only("pk", "number")[:20]),
        "photos": list(t.photos.only("pk", "original_name", "size")),
        "deadlines": services.timeline.rows(t),
        "route_dept": services.routed_departments().get(t.ticket_type) if centre_ok else None,
        "is_co": (not handler_ok and t.state in (State.DISPATCHED, State.HANDLING)
                  and any(services.is_handler(user, d) for d in t.co_departments.select_related("region"))),
    }


@staff_required
def ticket(request, pk: int):
    t = queries.staff_ticket(request.user, pk)
    return render(request, "hotline/ticket.html", _ticket_context(request, t))


def _b(value) -> bool | None:
    if value in ("1", "yes", "true", "on"):
        return True
    if value in ("0", "no", "false", "off"):
        return False
    return None


def _params(P) -> dict:
    """The form's fields as :func:`services.perform` takes them."""
    return {
        "department": P.get("department"), "co_departments": P.getlist("co_departments"),
        "category": P.get("category"), "opinion": P.get("opinion", ""), "reason": P.get("reason", ""),
        "reply": P.get("reply", ""), "days": P.get("days"), "knowledge": P.get("knowledge"),
        "answer": P.get("answer", ""), "merge_into": P.get("merge_into"),
        "reached": _b(P.get("reached")) is not False, "resolved": _b(P.get("resolved")),
        "satisfaction": P.get("satisfaction") or None, "note": P.get("note", ""), "reopen": P.get("reopen") == "on",
        "suggested_department": P.get("suggested_department"),
    }


@staff_required
@require_POST
def act(request, pk: int, action: str):
    t = queries.staff_ticket(request.user, pk)
    if action not in services.TICKET_ACTIONS and action != "co_reply":  # the state table's actions, and 协办意见
        raise Http404("未知的工单操作")
    try:
        if action == "co_reply":
            t = services.co_opinion(request.user, t, request.POST.get("opinion", ""))
        else:
            t = services.perform(request.user, t, action, request.POST.get("lock_version"), _params(request.POST))
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("hotline:ticket", pk)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("hotline:ticket", pk)
    messages.success(request, f"{rules.done_phrase(action)}：工单 {t.number} 现为“{t.state_label}”")
    try:
        return redirect("hotline:ticket", queries.staff_ticket(request.user, pk).pk)
    except Http404:  # e.g. after 改派 the department no longer sees it
        return redirect("hotline:centre" if services.is_centre(request.user) else "hotline:dept")


@staff_required
@require_POST
def reveal(request, pk: int):
    t = queries.staff_ticket(request.user, pk)
    try:
        phone = services.reveal_phone(request.user, t, purpose="回访/联系诉求人")
    except PermissionDenied as exc:
        return JsonResponse({"detail": str(exc)}, status=403)
    return JsonResponse({"phone": phone})


@staff_required
def photo(request, pk: int, photo: int):
    """One photo the citizen sent, for staff who may see the ticket; every view audited. Served
    inline, never cached, sandboxed (an upload never runs in our origin)."""
    from django.http import FileResponse

    t = queries.staff_ticket(request.user, pk)
    try:
        handle, content_type, name = services.open_photo(request.user, t, photo)
    except (PermissionDenied, FileNotFoundError):
        raise Http404("照片不存在或无权查看") from None
    response = FileResponse(handle, content_type=content_type, as_attachment=False, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response


# -- figures ----------------------------------------------------------------------------------------------
def _date(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


@roles_required(*FIGURES, what="热线坐席、督办人员、领导或部门管理员")
def figures_page(request):
    today = timezone.localdate()
    start = _date(request.GET.get("start"), today.replace(day=1) - dt.timedelta(days=60))
    end = _date(request.GET.get("end"), today)
    if end < start:
        start, end = end, start
    dim = request.GET.get("by", "department")
    if dim not in figures.DIMENSIONS:
        dim = "department"
    types = figures.clean_types(request.GET.getlist("type"))
    rep = figures.report(request.user, dim, start, end, types)
    rows = rep["rows"]
    if request.GET.get("export") == "xlsx":
        resp = HttpResponse(figures.to_xlsx(rows, dim, start, end, rep["total"], types),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="hotline-figures-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
        return resp
    return render(request, "hotline/figures.html", {
        "rows": [(r, [r[k] for k, _ in figures.COLUMNS]) for r in rows],
        "total": [rep["total"][k] for k, _ in figures.COLUMNS], "start": start, "end": end, "by": dim,
        "dimensions": figures.DIMENSIONS.items(), "columns": figures.COLUMNS, "definitions": figures.DEFINITIONS,
        "hot": figures.hot_spots(request.user, today), "types": rules.TYPE_LABELS.items(), "chosen_types": types,
        "types_text": figures.types_text(types),
        "type_chart": figures.type_chart(rows if dim == "type" else figures.table(request.user, "type", start, end, types)),
    })


# -- taxonomy, knowledge base, model --------------------------------------------------------------------
TAXONOMY_PAGE = 100  # categories per page: a city's taxonomy runs to thousands, each leaf a form


@roles_required(*CENTRE, what="派单中心")
def taxonomy(request):
    report = None
    if request.method == "POST" and request.POST.get("form") == "keywords":
        try:
            node = services.set_keywords(request.user, int(request.POST.get("category", 0) or 0),
                                         request.POST.get("expected", ""), request.POST.get("keywords", ""))
        except ValueError:
            messages.error(request, "诉求分类参数无效")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已保存“{node.path}”的关键词；重新训练派单模型后进入模型")
        back = urlencode({k: request.POST[k] for k in ("q", "top", "page") if request.POST.get(k)})
        return redirect(f"{reverse('hotline:taxonomy')}{'?' + back if back else ''}#c-{request.POST.get('category', '')}")
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, "请选择要导入的 Excel 或 CSV 文件")
        else:
            try:
                report = services.import_categories(request.user, f.read(), f.name)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                if report["ok"]:
                    messages.success(request, f"已导入：新增 {report['created']} 个分类，更新 {report['updated']} 个")
                else:
                    messages.error(request, f"文件有 {len(report['errors'])} 处问题，未导入任何分类，请修改后重新上传")
    q, top = request.GET.get("q", "").strip()[:60], request.GET.get("top", "").strip()[:60]
    rows = Category.objects.select_related("department").order_by("path")
    if top:
        rows = rows.filter(Q(path=top) | Q(path__startswith=f"{top}/"))
    if q:
        rows = rows.filter(Q(path__icontains=q) | Q(code__icontains=q) | Q(keywords__icontains=q))
    return render(request, "hotline/taxonomy.html", {
        "report": report, "page": Paginator(rows, TAXONOMY_PAGE).get_page(request.GET.get("page")),
        "q": q, "top": top, "query": urlencode({k: v for k, v in (("q", q), ("top", top)) if v}), "tops": Category.objects.filter(level=1).order_by("path").values_list("path", flat=True),
        "keywords_max": KEYWORDS_MAX,
    })


@roles_required(*CENTRE, Role.DEPT_ADMIN, what="热线坐席、督办人员或部门管理员")
def knowledge_list(request):
    q = request.GET.get("q", "").strip()
    hits = knowledge.search(q, 20) if q else None
    articles = (KnowledgeArticle.objects.filter(pk__in=[h.id for h in hits]) if hits is not None
                else KnowledgeArticle.objects.all()[:100])
    if hits is not None:
        order = {h.id: i for i, h in enumerate(hits)}
        articles = sorted(articles, key=lambda a: order[a.pk])
    return render(request, "hotline/knowledge_list.html", {"articles": articles, "q": q})


@roles_required(*CENTRE, Role.DEPT_ADMIN, what="热线坐席、督办人员或部门管理员")
def knowledge_edit(request, pk: int | None = None):
    article = get_object_or_404(KnowledgeArticle, pk=pk) if pk else None
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("title", "question", "answer", "keywords", "source", "category")}
        data["is_active"] = request.POST.get("is_active") == "on"
        try:
            article = services.save_article(request.user, data, article)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            knowledge.invalidate()
            messages.success(request, f"知识“{article.title}”已保存")
            return redirect("hotline:knowledge")
    fields = ("title", "question", "answer", "keywords", "source")
    values = ({k: request.POST.get(k, "") for k in fields} if request.method == "POST"
              else {k: getattr(article, k) if article else "" for k in fields})
    return render(request, "hotline/knowledge_edit.html", {"a": article, "leaves": _leaves(), "v": values})


@roles_required(*CENTRE, what="派单中心")
def model_page(request):
    if request.method == "POST" and request.POST.get("form") == "rule":
        try:
            services.save_rule(request.user, request.POST)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "派单规则已添加，立即生效")
        return redirect("hotline:model")
    if request.method == "POST" and request.POST.get("form") == "toggle":
        rule = services.toggle_rule(request.user, int(request.POST.get("rule", 0) or 0))
        messages.success(request, f"规则“{rule.keywords}”已{'启用' if rule.is_active else '停用'}")
        return redirect("hotline:model")
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, "请选择训练数据文件（.xlsx 或 .csv，列：标题、内容、分类，可选 承办单位）")
        else:
            try:
                row, _trained = services.train_model(request.user, f.read(), f.name)
            except classifier.TrainingError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"新模型已启用：{classifier.describe(row)}")
        return redirect("hotline:model")
    from .models import KeywordRule

    return render(request, "hotline/model.html", {
        "models": ClassifierModel.objects.all()[:20], "leaves": _leaves(), "departments": _departments(),
        "rules": KeywordRule.objects.select_related("category", "department").order_by("priority", "pk"),
    })
