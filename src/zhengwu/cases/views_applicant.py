"""Pages of the applicant (申请人) side of 一网通办: apply online, 我的办件, receipts, files,
notifications and 一件事一次办.

Every page works on the logged-in applicant's own cases (or cases where they are the 代办人):
:func:`my_cases` is the one scoped query, and another applicant's case is a 404 everywhere.
All writes go through :mod:`zhengwu.cases.services`.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from zhengwu.catalog.models import Material, ServiceItem
from zhengwu.catalog.models.items import ItemStatus
from zhengwu.catalog.models.materials import Necessity
from zhengwu.core import calendar
from zhengwu.speedups import jinja_env
from zhengwu.speedups.prepared import ByPkShapes

from . import access, documents, formrender, forms_schema, queries, rules
from .models import (BundleCase, Case, CaseEvent, CaseMaterial, CaseResult, CaseStep, Notification, PendingMaterial,
                     SupplementNotice)
from .rules import State, TimeStatus
from .services import applying, approval
from .services import bundles as bundle_services

ACCEPT_FILES = ".pdf,.jpg,.jpeg,.png,.ofd"
KEY_RE = re.compile(r"^[0-9a-f]{32}$")
PAGE_SIZE = 20
EDITABLE_STATES = (State.DRAFT, State.SUPPLEMENT)
WITHDRAWABLE = rules.STATE_TABLE["withdraw"].source


# -- scope -------------------------------------------------------------------------------------
def applicant_of(request):
    """The logged-in applicant, or None (staff accounts have none)."""
    return getattr(request.user, "applicant", None) if request.user.is_authenticated else None


def my_cases(applicant) -> QuerySet:
    """Every case of the applicant, as applicant or as 代办人 — the one scoped query."""
    if applicant is None:
        return Case.objects.none()
    return Case.objects.filter(Q(applicant_id=applicant.pk) | Q(agent_id=applicant.pk))


def my_case(request, pk: int, *, related=()) -> Case:
    """One case of :func:`my_cases` (read by key, compiled once per ``related``; whose it is
    checked on the row)."""
    applicant = applicant_of(request)
    case = _CASES_BY_PK.get(pk, tuple(related)) if applicant is not None else None
    if case is None or applicant.pk not in (case.applicant_id, case.agent_id):
        raise Http404("办件不存在")
    return case


# (An empty select_related() would join every relation: no relation asked, none joined.)
_CASES_BY_PK = ByPkShapes(lambda related: Case.objects.select_related(*related) if related else Case.objects.all())


def _require_applicant(request):
    applicant = applicant_of(request)
    if applicant is None:
        raise PermissionDenied("仅限已注册的个人或法人申请人使用网上申报")
    return applicant


def unread_count(user) -> int:
    """The navbar's unread count, on every logged-in portal page.

    The ORM built this COUNT's SQL anew on every page, which cost more than running it; the
    statement is written out once from the model's names instead (index notification_inbox:
    recipient, read_at, -created_at)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    using = router.db_for_read(Notification)
    with connections[using].cursor() as cursor:
        cursor.execute(_unread_sql(using), [user.pk])
        return cursor.fetchone()[0]


@functools.cache
def _unread_sql(using: str) -> str:
    quote, meta = connections[using].ops.quote_name, Notification._meta
    return (f"SELECT COUNT(*) FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('recipient').column)} = %s"
            f" AND {quote(meta.get_field('read_at').column)} IS NULL")


def nav_context(request) -> dict:
    """Context processor for the portal navbar (我的办件 / 消息 with the unread count).

    Lazy: the count is queried only when a page shows it."""
    return {"cases_unread": SimpleLazyObject(lambda: unread_count(request.user))}


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("cases_unread", SimpleLazyObject(lambda: unread_count(request.user)))
    return render(request, template, context, status=status)


# -- what the applicant sees of a case ---------------------------------------------------------
@dataclass
class TimeLeft:
    status: TimeStatus
    days: int

    @property
    def css(self) -> str:
        return {TimeStatus.NORMAL: "success", TimeStatus.WARNING: "warning", TimeStatus.OVERDUE: "danger",
                TimeStatus.PAUSED: "secondary", TimeStatus.DONE: "info"}[self.status]

    @property
    def text(self) -> str:
        if self.status == TimeStatus.OVERDUE:
            return "已超过承诺办结日期"
        if self.status == TimeStatus.PAUSED:
            return "特别程序中，计时暂停"
        if self.status == TimeStatus.DONE:
            return "已办结"
        return f"剩余{self.days}个工作日" if self.days > 0 else "今日到期"


def time_left(case: Case, cal=None, today: dt.date | None = None) -> TimeLeft | None:
    if case.due_date is None or case.accepted_on is None or case.state in (State.REFUSED, State.WITHDRAWN):
        return None
    cal = cal or calendar.get_calendar()
    status, left = rules.time_status(cal, today or timezone.localdate(), case.due_date,
                                     case.promised_days + case.suspended_workdays,
                                     suspended=case.state == State.SUSPENDED,
                                     concluded=case.state in (State.CONCLUDED, State.DELIVERED))
    return TimeLeft(status, left)


STATE_CSS = {
    State.DRAFT: "secondary", State.SUBMITTED: "primary", State.SUPPLEMENT: "warning", State.IN_REVIEW: "info",
    State.SUSPENDED: "secondary", State.CONCLUDED: "success", State.DELIVERED: "success", State.REFUSED: "danger",
    State.WITHDRAWN: "light",
}


def with_needs(qs: QuerySet) -> QuerySet:
    """Cases with what is needed from the applicant: the open 补正 notice and the 容缺 materials
    still owed (both prefetched into lists, two queries for the whole page)."""
    return qs.prefetch_related(
        Prefetch("supplements", queryset=SupplementNotice.objects.filter(resolved_at__isnull=True)
                 .order_by("-issued_at"), to_attr="open_notices"),
        Prefetch("pending_materials", queryset=PendingMaterial.objects.filter(supplied_at__isnull=True)
                 .order_by("due_date", "pk"), to_attr="owed"),
    )


def _decorate(cases: list[Case]) -> list[Case]:
    cal = calendar.get_calendar()
    today = timezone.localdate()
    for c in cases:
        c.time_left = time_left(c, cal, today)
        c.state_css = STATE_CSS.get(State(c.state), "secondary")
        notices = getattr(c, "open_notices", [])
        c.notice = notices[0] if c.state == State.SUPPLEMENT and notices else None
        c.owed_list = getattr(c, "owed", []) if c.state in (State.IN_REVIEW, State.SUSPENDED) else []
    return cases


LIST_FILTERS = {
    "": ("全部", None),
    "todo": ("待我处理", None),
    "open": ("办理中", Q(state__in=[State.SUBMITTED, State.SUPPLEMENT, State.IN_REVIEW, State.SUSPENDED])),
    "done": ("已办结", Q(state__in=[State.CONCLUDED, State.DELIVERED])),
    "draft": ("草稿", Q(state=State.DRAFT)),
    "closed": ("不予受理/已撤回", Q(state__in=[State.REFUSED, State.WITHDRAWN])),
}


# What a row of 我的办件 shows (jinja2/cases/applicant/case_rows.html and needs.html) and its time left
# (time_left) read: nothing else of the case, its item or its department is loaded.
LIST_ROW_FIELDS = (*queries.CASE_ROW_FIELDS, "agent", "bundle_case", "outcome", "promised_days",
                   "suspended_workdays")


@login_required
def case_list(request):
    """我的办件: newest first, 20 a page; built for applicants with hundreds of cases."""
    applicant = _require_applicant(request)
    which = request.GET.get("show", "")
    if which not in LIST_FILTERS:
        which = ""
    qs = my_cases(applicant)
    if which == "todo":
        owed = PendingMaterial.objects.filter(case_id=OuterRef("pk"), supplied_at__isnull=True)
        qs = qs.filter(Q(state=State.SUPPLEMENT)
                       | Q(Exists(owed), state__in=[State.IN_REVIEW, State.SUSPENDED]) | Q(state=State.DRAFT))
    elif LIST_FILTERS[which][1] is not None:
        qs = qs.filter(LIST_FILTERS[which][1])
    # Index case_applicant_recent (applicant, -created_at) serves the applicant's side of the OR;
    # the agent FK index the other. select_related: each row shows the item and its department
    # (their names only: LIST_ROW_FIELDS); with_needs: the open 补正 notice and owed 容缺
    # materials, prefetched per page.
    qs = with_needs(qs.select_related("service_item", "department").only(*LIST_ROW_FIELDS)
                    .order_by("-created_at", "-pk"))
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = _decorate(list(page.object_list))
    return _render(request, "cases/applicant/case_list.html", {
        "page": page, "rows": rows, "show": which,
        # The rows in Jinja2 (ADR 17): a page of them was most of the page's template time.
        "rows_html": jinja_env.render("cases/applicant/case_rows.html", {"rows": rows, "me": applicant}),
        "filters": [(k, label) for k, (label, _q) in LIST_FILTERS.items()],
    })


# -- case detail ---------------------------------------------------------------------------------
WINDOW_ACTIONS = {"request_supplement", "accept", "accept_pending", "accept_commitment", "refuse", "deliver"}
APPROVAL_ACTIONS = {"approve_step", "return_step", "suspend", "resume"}


def actor_label(event: CaseEvent, case: Case, steps_by_id: dict[str, CaseStep]) -> str:
    """Who acted, as the applicant may see it: 申请人 / 代办人 / a department and role — never the
    name of a member of staff."""
    if event.actor_id is None:
        return "系统"
    if event.actor_id == case.applicant.user_id:
        return "申请人"
    if case.agent_id and event.actor_id == case.agent.user_id:
        return "代办人"
    step = steps_by_id.get(event.step_id)
    dept = (step.department.short_name or step.department.name) if step else (
        case.department.short_name or case.department.name)
    if event.action in APPROVAL_ACTIONS:
        return f"{dept} · 审批"
    if event.action == "conclude":
        return dept
    return f"{dept} · 受理窗口"


def event_details(event: CaseEvent) -> list[str]:
    d = event.data or {}
    out = []
    if event.action == "upload" and d.get("material"):
        out.append(f"材料：{d['material']}")
    if event.action == "supply_pending" and d.get("material"):
        out.append(f"补交：{d['material']}")
    if event.action == "request_supplement":
        out += [f"{i.get('material')}：{i.get('reason')}" for i in d.get("items", [])]
    if event.action == "accept_pending":
        out += [f"容缺材料：{p.get('name')}，{p.get('due')}前补交" for p in d.get("pending", [])]
    if event.action == "suspend" and d.get("kind"):
        planned = f"，预计{d['planned_workdays']}个工作日" if d.get("planned_workdays") else ""
        out.append(f"特别程序：{d['kind']}{planned}（不计入办理时限）")
    if event.action == "resume" and d.get("suspended_workdays") is not None:
        out.append(f"特别程序用时{d['suspended_workdays']}个工作日，承诺办结日期相应顺延")
    if event.action in ("approve_step", "return_step") and d.get("step"):
        out.append(f"{d['step']}：{d.get('decision', '')}")
    if event.action == "conclude" and d.get("outcome"):
        out.append(f"办理结果：{d['outcome']}（{d.get('decision', '')}）")
    if event.action == "deliver" and d.get("method"):
        extra = f"，{d['carrier']} 运单号 {d['tracking']}" if d.get("tracking") else ""
        out.append(f"送达方式：{d['method']}{extra}")
    return out


CASE_RELATED = ("service_item", "item_version", "department", "region", "applicant", "agent", "bundle_case")


@login_required
def case_detail(request, pk: int):
    applicant = _require_applicant(request)
    case = my_case(request, pk, related=CASE_RELATED)
    # One query each: the process steps with their departments (names of current steps and of
    # who acted), the visible history, the materials on file, and the suspensions.
    # (each compiled once: cases.queries.CASE_*)
    steps = queries.rows_of(queries.CASE_STEPS, case)
    steps_by_id = {s.step_id: s for s in steps}
    events = queries.rows_of(queries.CASE_EVENTS_VISIBLE, case)
    for e in events:
        e.who = actor_label(e, case, steps_by_id)
        e.details = event_details(e)
        e.show_opinion = e.opinion and e.action not in ("upload",)
    files = queries.rows_of(queries.CASE_FILES, case)
    suspensions = queries.rows_of(queries.CASE_SUSPENSIONS, case)
    notice = (SupplementNotice.objects.filter(case=case, resolved_at__isnull=True).order_by("-issued_at").first()
              if case.state == State.SUPPLEMENT else None)
    pending = queries.rows_of(queries.CASE_PENDING, case)
    result = getattr(case, "result", None) if case.state in (State.CONCLUDED, State.DELIVERED) else None
    return _render(request, "cases/applicant/case_detail.html", {
        "case": case, "state_css": STATE_CSS.get(State(case.state)), "time_left": time_left(case),
        "events": events, "steps": steps, "current_steps": [s for s in steps if s.status == CaseStep.Status.ACTIVE],
        "files": files, "suspensions": suspensions,
        "open_suspension": next((s for s in suspensions if s.ended_on is None), None)
        if case.state == State.SUSPENDED else None,
        "notice": notice, "pending": pending,
        "owed": [p for p in pending if p.supplied_at is None] if case.state in (State.IN_REVIEW, State.SUSPENDED) else [],
        "result": result, "can_withdraw": State(case.state) in WITHDRAWABLE,
        "is_agent": case.agent_id == applicant.pk and case.applicant_id != applicant.pk,
        "accept": ACCEPT_FILES,
    })


# -- apply online / edit a draft / 补正 ------------------------------------------------------------
@dataclass
class MaterialRow:
    field: str
    name: str
    material: Material | None
    necessity: str = Necessity.REQUIRED
    necessity_label: str = "必要"
    form_label: str = ""
    copies: int = 1
    current: CaseMaterial | None = None
    reason: str = ""  # 补正 reason from the one-time notice
    errors: list[str] = field(default_factory=list)

    @property
    def tolerated(self) -> bool:
        return self.necessity == Necessity.TOLERATED


def material_rows(version, case: Case | None, notice: SupplementNotice | None = None) -> list[MaterialRow]:
    catalogue = list(Material.objects.filter(version=version).order_by("seq", "pk"))
    current: dict[str, CaseMaterial] = {}
    if case is not None:
        for cm in CaseMaterial.objects.filter(case=case).exclude(status=CaseMaterial.Status.REPLACED).order_by("uploaded_at"):
            current[cm.name] = cm
    rows = [MaterialRow(field=f"m_{m.pk}", name=m.name, material=m, necessity=m.necessity,
                        necessity_label=m.get_necessity_display(), form_label=m.get_form_display(), copies=m.copies,
                        current=current.get(m.name)) for m in catalogue]
    if notice is not None:
        by_name = {r.name: r for r in rows}
        for i, item in enumerate(notice.items or []):
            name = str(item.get("material", "")).strip()
            row = by_name.get(name)
            if row is None:  # a material the notice names outside the catalogue list
                row = MaterialRow(field=f"n_{i}", name=name, material=None, form_label="按告知要求",
                                  current=current.get(name))
                rows.append(row)
                by_name[name] = row
            row.reason = str(item.get("reason", ""))
        rows.sort(key=lambda r: 0 if r.reason else 1)  # what the notice asks for first
    return rows


def _published_item(item_id: int) -> ServiceItem:
    # select_related: the page shows the item, its department and region, and reads the
    # published guide version (form schema, materials).
    item = (ServiceItem.objects.filter(pk=item_id, status=ItemStatus.PUBLISHED, published_version__isnull=False)
            .select_related("department", "region", "published_version").first())
    if item is None:
        raise Http404("该事项不存在或未发布")
    return item


def _form_page(request, *, item, version, case, applicant, key="", data=None, errors=None, raw=None,
               rows=None, notice=None, status=200):
    schema = version.form_schema or {}
    prefilled = forms_schema.prefill(schema, applicant)
    values = data if data is not None else (case.form_data if case else prefilled)
    errors = errors or {}
    known = set((schema.get("properties") or {}))
    return _render(request, "cases/applicant/apply.html", {
        "item": item, "version": version, "case": case, "applicant": applicant, "key": key,
        "fields": formrender.fields(schema, values, errors, raw, readonly_keys=set(prefilled)),
        "form_errors": [m for k, msgs in errors.items() if k not in known and k != "materials" for m in msgs],
        "material_errors": errors.get("materials", []),
        "rows": rows if rows is not None else material_rows(version, case, notice), "notice": notice,
        "accept": ACCEPT_FILES, "max_mb": applying.MAX_UPLOAD_BYTES // 1024 // 1024,
        "supplement": case is not None and case.state == State.SUPPLEMENT,
        # An unfinished draft of the same item: offer it instead of starting over.
        "earlier_draft": None if case is not None else my_cases(applicant).filter(
            service_item_id=item.pk, state=State.DRAFT).order_by("-created_at").only("pk", "created_at").first(),
    }, status=status)


def _store_data(case: Case, data: dict, parse_errors: dict) -> dict:
    """What to save: the values read, and the earlier value of any field that could not be read."""
    keep = {k: case.form_data[k] for k in parse_errors if k in (case.form_data or {})}
    return {**data, **keep}


def _upload_all(request, case: Case, rows: list[MaterialRow]) -> bool:
    """Store every file chosen on the page; errors go next to their material. True when all went in."""
    ok = True
    for row in rows:
        uploaded = request.FILES.get(row.field)
        if not uploaded:
            continue
        try:
            row.current = applying.upload_material(request.user, case, uploaded, material=row.material,
                                                   name="" if row.material else row.name)
        except ValidationError as exc:
            row.errors = exc.messages
            ok = False
    return ok


def _mark_missing(case: Case, rows: list[MaterialRow], errors: dict) -> None:
    """Name every 必要 material still missing, next to it and at the top, so that one try shows
    everything to fix (一次性告知)."""
    missing = applying.missing_required(case)
    if not missing:
        return
    errors["materials"] = [f"缺少必要材料：{'、'.join(missing)}"]
    for row in rows:
        if row.name in missing and not row.errors:
            row.errors = [f"“{row.name}”是必要材料，请上传"]


def _already_done(request, case: Case):
    """A submission repeated (double click, retry after a time-out): show the first one's result."""
    if case.state not in EDITABLE_STATES:
        messages.info(request, "该申请已经提交，请勿重复提交。")
        return redirect("cases:receipt" if case.number else "cases:my_case", case.pk)
    return None


def _process(request, item, version, case: Case, applicant, action: str, expected_lock: int | None, key: str = ""):
    """Save the form and files of a draft (or of a case in 补正); submit / resubmit if asked.

    The case row stays locked for the request, so a second post of the same page (a double
    click, a retry while the first is still running) waits for the first and then sees its
    result instead of racing it. A failed submission still keeps what was saved (the draft).
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        done = _already_done(request, case)
        if done:
            return done
        if expected_lock is None:  # a new application: the idempotency key identifies it
            expected_lock = case.lock_version
        return _process_locked(request, item, version, case, applicant, action, expected_lock, key)


def _process_locked(request, item, version, case: Case, applicant, action: str, expected_lock: int, key: str):
    schema = version.form_schema or {}
    prefilled = forms_schema.prefill(schema, applicant)
    data, errors, raw = formrender.parse(schema, request.POST, fixed=prefilled)
    notice = (SupplementNotice.objects.filter(case=case, resolved_at__isnull=True).order_by("-issued_at").first()
              if case.state == State.SUPPLEMENT else None)
    rows = material_rows(version, case, notice)

    def page(errs, status=200):
        return _form_page(request, item=item, version=version, case=case, applicant=applicant, key=key,
                          data=data, errors=errs, raw=raw, rows=rows, notice=notice, status=status)

    store = _store_data(case, data, errors)
    try:
        if store != case.form_data:
            case = applying.save_form(request.user, case, store, expected_lock)
            expected_lock = case.lock_version
    except ValidationError as exc:
        case = Case.objects.get(pk=case.pk)
        done = _already_done(request, case)
        if done:
            return done
        return page({"form": exc.messages}, status=409)
    files_ok = _upload_all(request, case, rows)
    if action in ("submit", "resubmit"):
        if action == "submit":
            for k, msgs in forms_schema.validate(schema, data).items():
                if k not in errors:
                    errors[k] = msgs
        if errors or not files_ok:
            _mark_missing(case, rows, errors)
            messages.warning(request, "已保存为草稿，请按提示修改后再提交。" if action == "submit"
                             else "已保存，请按提示修改后再重新提交。")
            return page(errors, status=400)
        try:
            with transaction.atomic():
                if action == "submit":
                    case = applying.submit(request.user, case, expected_lock)
                else:
                    case = applying.resubmit(request.user, case, expected_lock, request.POST.get("note", "")[:500])
        except ValidationError as exc:
            fresh = Case.objects.get(pk=case.pk)
            done = _already_done(request, fresh)
            if done:
                return done
            errs = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
            _mark_missing(fresh, rows, errs)
            return page(errs, status=400)
        if action == "submit":
            messages.success(request, f"申请已提交，办件编号 {case.number}。")
            return redirect("cases:receipt", case.pk)
        messages.success(request, "补正材料已提交，请等待窗口重新审核。")
        return redirect("cases:my_case", case.pk)
    # 保存草稿
    if errors or not files_ok:
        return page(errors, status=400)
    messages.success(request, "草稿已保存。" if case.state == State.DRAFT else "已保存。")
    return redirect("cases:edit", case.pk)


@login_required
def apply(request, item_id: int):
    """网上申报: the item's form and material list; 保存草稿 / 提交 (idempotent by key)."""
    applicant = _require_applicant(request)
    item = _published_item(item_id)
    version = item.published_version
    if request.method != "POST":
        return _form_page(request, item=item, version=version, case=None, applicant=applicant,
                          key=uuid.uuid4().hex)
    key = request.POST.get("idempotency_key", "")
    if not KEY_RE.match(key):
        messages.error(request, "页面已过期，请重新填写。")
        return redirect("cases:apply", item.pk)
    action = "submit" if request.POST.get("action") == "submit" else "save"
    existing = Case.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.applicant_id != applicant.pk:
            raise Http404("办件不存在")
        done = _already_done(request, existing)
        if done:
            return done
    try:
        case = applying.create_draft(request.user, item, idempotency_key=key)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("cases:apply", item.pk)
    if case.applicant_id != applicant.pk:
        raise Http404("办件不存在")
    done = _already_done(request, case)
    if done:
        return done
    return _process(request, item, case.item_version, case, applicant, action, None, key)


@login_required
def edit(request, pk: int):
    """Continue a draft, or correct a case in 补正 and 重新提交 in the same case."""
    _require_applicant(request)
    case = my_case(request, pk, related=("service_item__department", "item_version", "department", "applicant"))
    # The form is the applicant's, also when their 代办人 fills it in: prefill from the applicant.
    applicant = case.applicant
    if case.state not in EDITABLE_STATES:
        return redirect("cases:my_case", case.pk)
    item, version = case.service_item, case.item_version
    if request.method != "POST":
        notice = (SupplementNotice.objects.filter(case=case, resolved_at__isnull=True).order_by("-issued_at").first()
                  if case.state == State.SUPPLEMENT else None)
        return _form_page(request, item=item, version=version, case=case, applicant=applicant, notice=notice)
    try:
        lock = int(request.POST.get("lock", ""))
    except ValueError:
        lock = -1
    action = request.POST.get("action", "save")
    allowed = ("save", "submit") if case.state == State.DRAFT else ("save", "resubmit")
    if action not in allowed:
        action = "save"
    return _process(request, item, version, case, applicant, action, lock)


@login_required
def withdraw(request, pk: int):
    """撤回申请, after a confirmation page (works without JavaScript)."""
    _require_applicant(request)
    case = my_case(request, pk, related=("service_item", "department"))
    if State(case.state) not in WITHDRAWABLE:
        messages.error(request, f"办件当前为“{case.state_label}”，不能撤回。")
        return redirect("cases:my_case", case.pk)
    if request.method == "POST":
        try:
            lock = int(request.POST.get("lock", ""))
        except ValueError:
            lock = -1
        reason = request.POST.get("reason", "").strip()[:500]
        try:
            applying.withdraw(request.user, case, lock, reason)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "申请已撤回。")
        return redirect("cases:my_case", case.pk)
    return _render(request, "cases/applicant/withdraw.html", {"case": case})


@require_POST
@login_required
def supply_pending(request, pk: int, pending_id: int):
    """补交一项容缺材料: upload it and mark it supplied, in one transaction."""
    _require_applicant(request)
    case = my_case(request, pk, related=("item_version",))
    pending = PendingMaterial.objects.filter(case=case, pk=pending_id).first()
    if pending is None:
        raise Http404("容缺材料不存在")
    uploaded = request.FILES.get("file")
    if pending.supplied_at is not None:
        messages.info(request, f"“{pending.name}”已经补交。")
    elif not uploaded:
        messages.error(request, f"请选择“{pending.name}”的文件后再提交")
    else:
        material = Material.objects.filter(version_id=case.item_version_id, name=pending.name).first()
        try:
            with transaction.atomic():
                cm = applying.upload_material(request.user, case, uploaded, material=material,
                                              name="" if material else pending.name)
                approval.supply_pending(request.user, case, pending, cm)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"“{pending.name}”已补交。")
    return redirect(f"{reverse('cases:my_case', args=[case.pk])}#needs")


# -- receipt -----------------------------------------------------------------------------------
def _promised(case: Case) -> str:
    if case.due_date:
        return f"{case.due_date:%Y年%m月%d日}"
    if case.promised_days == 0:
        return "即办件：受理后当场办结"
    return f"受理后{case.promised_days}个工作日内"


@login_required
def receipt(request, pk: int):
    """申请回执 (printable)."""
    case = my_case(request, pk, related=("service_item", "department", "applicant", "bundle_case"))
    if not case.number:
        return redirect("cases:edit", case.pk)
    return _render(request, "cases/applicant/receipt.html", {"case": case, "promised": _promised(case)})


def _attachment(data, filename: str, content_type: str, *, inline: bool = False) -> FileResponse:
    response = FileResponse(data, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A file from an applicant is never run as a page, whatever it holds.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@login_required
def receipt_pdf(request, pk: int):
    case = access.viewable_case(request.user, pk)
    if not case.number:
        raise Http404("办件尚未提交")
    pdf = documents.receipt_pdf(case)
    access.record_file_read(request.user, case, "receipt", name=case.number)
    return _attachment(io.BytesIO(pdf.content.read()), f"申请回执-{case.number}.pdf", "application/pdf")


# -- files (never from a guessable URL; who may read them: cases.access, as for the case) --------
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "application/ofd": ".ofd"}


@login_required
def case_file(request, pk: int, material_id: int):
    case = access.viewable_case(request.user, pk)
    cm = CaseMaterial.objects.filter(case=case, pk=material_id).first()
    if cm is None:
        raise Http404("材料不存在")
    try:
        handle = cm.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    access.record_file_read(request.user, case, "material", name=cm.name, material_id=cm.pk)
    name = f"{cm.name}{EXTENSIONS.get(cm.content_type, '')}"
    inline = request.GET.get("download") != "1" and cm.content_type in ("application/pdf", "image/jpeg", "image/png")
    return _attachment(handle, name, cm.content_type, inline=inline)


@login_required
def decision_pdf(request, pk: int):
    case = access.viewable_case(request.user, pk)
    result = CaseResult.objects.filter(case=case).first() if queries.has_child(case, "result") else None
    if result is None or not result.decision_file:
        raise Http404("该办件尚无决定书")
    try:
        handle = result.decision_file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    access.record_file_read(request.user, case, "decision", name=result.decision_number)
    return _attachment(handle, f"{result.decision_number}.pdf", "application/pdf")


# -- notifications -----------------------------------------------------------------------------
@login_required
def notifications(request):
    # notification_inbox index (recipient, read_at, -created_at); rows link by case_id only.
    qs = Notification.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-pk")
    if request.GET.get("show") == "unread":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "cases/applicant/notifications.html",
                   {"page": page, "show": request.GET.get("show", "")})


@require_POST
@login_required
def notifications_read(request):
    """标记为已读: one message (``id``) or all of them."""
    qs = Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True)
    ident = request.POST.get("id", "")
    if ident:
        qs = qs.filter(pk=int(ident)) if ident.isdigit() else qs.none()
    count = qs.update(read_at=timezone.now())
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"marked": count, "unread": unread_count(request.user)})
    target = request.POST.get("next", "")
    if target.startswith("/cases/"):
        return redirect(target)
    return redirect("cases:notifications")


def notifications_unread(request):
    """The unread count for the navbar (JSON)."""
    return JsonResponse({"unread": unread_count(request.user)})


# -- 一件事一次办 -----------------------------------------------------------------------------
def _bundle_page(request, plan, applicant, *, key, data=None, errors=None, raw=None, chosen=None, status=200):
    errors = errors or {}
    prefilled = forms_schema.prefill(plan.schema, applicant)
    chosen = set(chosen or [])
    pool = []
    for entry in plan.pool:
        entry.errors = errors.get(entry.key, [])
        pool.append(entry)
    known = set(plan.schema.get("properties") or {}) | {e.key for e in plan.pool}
    return _render(request, "cases/applicant/bundle_apply.html", {
        "plan": plan, "bundle": plan.bundle, "applicant": applicant, "key": key, "pool": pool,
        "fields": formrender.fields(plan.schema, data if data is not None else prefilled, errors, raw,
                                    readonly_keys=set(prefilled), required_keys=plan.required_keys,
                                    optional_keys=plan.optional_keys),
        "item_errors": errors.get("items", []),
        "form_errors": [m for k, msgs in errors.items() if k not in known and k != "items" for m in msgs],
        "chosen": chosen, "accept": ACCEPT_FILES, "max_mb": applying.MAX_UPLOAD_BYTES // 1024 // 1024,
    }, status=status)


@login_required
def bundle_apply(request, bundle_id: int):
    applicant = _require_applicant(request)
    try:
        plan = bundle_services.bundle_plan(bundle_id)
    except ValidationError:
        raise Http404("该一件事不存在或未发布") from None
    if request.method != "POST":
        return _bundle_page(request, plan, applicant, key=uuid.uuid4().hex)
    key = request.POST.get("idempotency_key", "")
    if not KEY_RE.match(key):
        messages.error(request, "页面已过期，请重新填写。")
        return redirect("cases:bundle_apply", bundle_id)
    done = BundleCase.objects.filter(idempotency_key=key, applicant=applicant).first()
    if done is not None:
        messages.info(request, "该申请已经提交，请勿重复提交。")
        return redirect("cases:bundle_case", done.pk)
    chosen = [x for x in request.POST.getlist("optional_items") if x.isdigit()]
    data, errors, raw = formrender.parse(plan.schema, request.POST, fixed=forms_schema.prefill(plan.schema, applicant))
    files = {e.key: request.FILES[e.key] for e in plan.pool if request.FILES.get(e.key)}
    if not errors:
        try:
            bc = bundle_services.apply_bundle(request.user, plan.bundle, form_data=data, files=files,
                                              optional_items=chosen, idempotency_key=key)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"items": exc.messages}
        else:
            messages.success(request, f"“{plan.bundle.name}”已提交，一件事编号 {bc.number}。")
            return redirect("cases:bundle_case", bc.pk)
    else:
        selected = plan.selected_ids(chosen)
        for k, msgs in bundle_services.check(plan, data, files, selected).items():
            errors.setdefault(k, msgs)
    if files:
        messages.warning(request, "申请未提交，所选文件没有保存，请改正后重新选择文件。")
    return _bundle_page(request, plan, applicant, key=key, data=data, errors=errors, raw=raw,
                        chosen={int(x) for x in chosen}, status=400)


@login_required
def bundle_case(request, pk: int):
    """一件事 progress: every linked case with its state, and one result set."""
    applicant = _require_applicant(request)
    bc = BundleCase.objects.filter(pk=pk, applicant_id=applicant.pk).select_related("bundle").first()
    if bc is None:
        raise Http404("一件事办件不存在")
    # select_related: each row shows item, department and (once concluded) the decision;
    # with_needs: what each case still needs from the applicant.
    cases = _decorate(list(with_needs(bc.cases.select_related("service_item", "department", "result")
                                      .order_by("pk"))))
    for c in cases:  # the status column and the needs of a row of 我的办件 (Jinja2 fragments, ADR 17)
        c.status_html = jinja_env.render("cases/applicant/case_status.html", {"c": c})
        c.needs_html = jinja_env.render("cases/applicant/needs.html", {"c": c})
    results = [c for c in cases if c.state in (State.CONCLUDED, State.DELIVERED) and getattr(c, "result", None)]
    finished = sum(1 for c in cases if c.state in (State.CONCLUDED, State.DELIVERED, State.REFUSED, State.WITHDRAWN))
    return _render(request, "cases/applicant/bundle_case.html", {
        "bc": bc, "cases": cases, "results": results, "finished": finished,
        "progress": int(100 * finished / len(cases)) if cases else 0,
    })
