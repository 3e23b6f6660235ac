"""Pages of the applicant (申请人) side of 一网通办: 我的办件, a case's page, receipts, files and
notifications. Applying online, editing, 补正 and 一件事一次办 are in :mod:`.views_applying`; the
navbar's unread count in :mod:`.context_processors`.

Every page works on the logged-in applicant's own cases (or cases where they are the 代办人):
:func:`my_cases` is the one scoped query, and another applicant's case is a 404 everywhere.
All writes go through :mod:`zhengwu.cases.services`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from zhengwu.licenses import showing as licence_showing
from zhengwu.licenses import use as licence_use
from zhengwu.core import calendar
from zhengwu.speedups import jinja_env
from zhengwu.speedups.prepared import ByPkShapes

from . import access, api_delivery, documents, formrender, queries, rules
from .models import Case, CaseEvent, CaseMaterial, CaseResult, CaseStep, Notification, PendingMaterial, SupplementNotice
from .context_processors import unread_count
from .rules import State, TimeStatus
from .services import tongban

ACCEPT_FILES = ".pdf,.jpg,.jpeg,.png,.ofd"
PAGE_SIZE = 20
WITHDRAWABLE = rules.STATE_TABLE["withdraw"].source


# -- scope -------------------------------------------------------------------------------------
def applicant_of(request, scope: str = "view"):
    """The applicant the request acts for, or None (staff accounts have none): the logged-in
    applicant, or the enterprise a person acts for as its 经办人 within ``scope``
    (:func:`zhengwu.accounts.agents.acting_applicant`)."""
    from zhengwu.accounts.agents import acting_applicant

    return acting_applicant(request, scope)


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


def require_applicant(request, scope: str = "view"):
    applicant = applicant_of(request, scope)
    if applicant is None:
        raise PermissionDenied("仅限已注册的个人或法人申请人使用网上申报")
    return applicant


def render_page(request, template: str, context: dict, status: int = 200):
    context.setdefault("cases_unread", SimpleLazyObject(lambda: unread_count(request.user)))
    return render(request, template, context, status=status)


# -- what the applicant sees of a case ---------------------------------------------------------
@dataclass
class TimeLeft:
    status: TimeStatus
    days: int
    may_move: str = ""  # the year's holiday notice is not out yet: core.calendar.due_date_note

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
                                     case.promised_days + case.suspended_workdays + case.extension_workdays,
                                     suspended=case.state == State.SUSPENDED,
                                     concluded=case.state in (State.CONCLUDED, State.DELIVERED))
    may_move = calendar.due_date_note(case.due_date, case.accepted_on, cal) if status != TimeStatus.DONE else ""
    return TimeLeft(status, left, may_move)


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


def decorate(cases: list[Case]) -> list[Case]:
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
LIST_ROW_FIELDS = (*queries.CASE_ROW_FIELDS, "agent", "bundle_case", "outcome", "promised_days", "extension_workdays",
                   "suspended_workdays")


@login_required
def case_list(request):
    """我的办件: newest first, 20 a page; built for applicants with hundreds of cases."""
    applicant = require_applicant(request)
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
    rows = decorate(list(page.object_list))
    return render_page(request, "cases/applicant/case_list.html", {
        "page": page, "rows": rows, "show": which,
        # The rows in Jinja2 (ADR 17): a page of them was most of the page's template time.
        "rows_html": jinja_env.render("cases/applicant/case_rows.html", {"rows": rows, "me": applicant}),
        "filters": [(k, label) for k, (label, _q) in LIST_FILTERS.items()],
    })


# -- case detail ---------------------------------------------------------------------------------
WINDOW_ACTIONS = {"request_supplement", "accept", "accept_pending", "accept_commitment", "refuse", "deliver"}
APPROVAL_ACTIONS = {"approve_step", "return_step", "suspend", "resume", "approve_extension"}


def actor_label(event: CaseEvent, case: Case, steps_by_id: dict[str, CaseStep], cross=None) -> str:
    """Who acted, as the applicant may see it: 申请人 / 代办人 / a department and role — never the
    name of a member of staff. 跨域通办 (``cross``): what the receiving window did is named after it
    (``二七区 D01窗口``), not after the handling department's 受理窗口."""
    if event.actor_id is None:
        return "系统"
    if event.actor_id == case.applicant.user_id:
        return "申请人"
    if case.agent_id and event.actor_id == case.agent.user_id:
        return "代办人"
    if (event.data or {}).get("at"):  # recorded where it was done (services.tongban.acting_here)
        return event.data["at"]
    if cross is not None and event.actor_id == cross.received_by_id:  # written before the place was kept
        return tongban.intake_place(cross)
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
        if d.get("legal_basis"):
            out.append(f"依据：{d['legal_basis']}")
    if event.action == "resume" and d.get("suspended_workdays") is not None:
        out.append(f"特别程序用时{d['suspended_workdays']}个工作日，承诺办结日期相应顺延")
    if event.action == "approve_extension" and d.get("due_date"):  # 行政许可法第四十二条: the reason is told
        out.append(f"经本行政机关负责人批准，办理期限延长{d.get('workdays')}个工作日，承诺办结日期由"
                   f"{d.get('due_date_before')}延至{d['due_date']}（依据{d.get('basis', '')}）；理由：{event.opinion}")
    if event.action in ("accept", "accept_pending", "accept_commitment", "deem_accept") and d.get("deemed"):
        out.append(f"收到申请材料后五个工作日内未答复，依法自收到材料之日（{d.get('received_on')}）起视为受理，"
                   f"承诺办结日期 {d.get('due_date')}（行政许可法第三十二条）")
    if event.action in ("approve_step", "return_step") and d.get("step"):
        out.append(f"{d['step']}：{d.get('decision', '')}")
    if event.action == "conclude" and d.get("outcome"):
        out.append(f"办理结果：{d['outcome']}（{d.get('decision', '')}）")
    if event.action == "cross_receive" and d.get("receiving"):  # 跨域通办
        out.append(f"{d['receiving']}异地代收（{d.get('scope', '')}）")
    if event.action == "submit" and d.get("cross_forward"):
        out.append(f"代收窗口已将申请转交{d['cross_forward']}受理")
    if event.action == "delivery_choice" and d.get("method"):
        out.append(f"领取方式：{d['method']}")
    if event.action == "deliver" and d.get("method"):
        extra = f"，{d['carrier']} 运单号 {d['tracking']}" if d.get("tracking") else ""
        out.append(f"送达方式：{d['method']}{extra}")
    return out


CASE_RELATED = ("service_item", "item_version", "department", "region", "applicant", "agent", "bundle_case")


@login_required
def case_detail(request, pk: int):
    applicant = require_applicant(request)
    case = my_case(request, pk, related=CASE_RELATED)
    # One query each: the process steps with their departments (names of current steps and of
    # who acted), the visible history, the materials on file, and the suspensions.
    # (each compiled once: cases.queries.CASE_*)
    steps = queries.rows_of(queries.CASE_STEPS, case)
    steps_by_id = {s.step_id: s for s in steps}
    events = queries.rows_of(queries.CASE_EVENTS_VISIBLE, case)
    cross = tongban.cross_of(case) if case.filed_by_id else None  # 跨域通办: received at a window elsewhere
    for e in events:
        e.who = actor_label(e, case, steps_by_id, cross)
        e.details = event_details(e)
        e.show_opinion = e.opinion and e.action not in ("upload",)
    files = queries.rows_of(queries.CASE_FILES, case)
    suspensions = queries.rows_of(queries.CASE_SUSPENSIONS, case)
    notice = (SupplementNotice.objects.filter(case=case, resolved_at__isnull=True).order_by("-issued_at").first()
              if case.state == State.SUPPLEMENT else None)
    pending = queries.rows_of(queries.CASE_PENDING, case)
    result = getattr(case, "result", None) if case.state in (State.CONCLUDED, State.DELIVERED) else None
    # The e-licences the decision issued, linked to 我的证照 for their holder (read only for a 准予).
    issued = licence_showing.issued_in_case(request.user, case.pk) if result and result.outcome == "approved" else []
    # 免提交: the licences that stood in for materials (no query for a guide without such materials).
    licence_uses = (licence_use.uses_of_case(case.pk)
                    if case.submitted_at and licence_use.licence_materials(case.item_version_id) else [])
    return render_page(request, "cases/applicant/case_detail.html", {
        "licence_uses": licence_uses, "cross": cross,
        # 申请表: what was filled in, as the staff case page shows it (formrender.answers).
        "form_rows": formrender.answers(case.item_version.form_schema, case.form_data, skip_empty=True),
        "delivery": api_delivery.shown(case),  # 结果领取方式, the address masked as the API shows it
        "case": case, "state_css": STATE_CSS.get(State(case.state)), "time_left": time_left(case),
        "events": events, "steps": steps, "current_steps": [s for s in steps if s.status == CaseStep.Status.ACTIVE],
        "files": files, "suspensions": suspensions,
        "open_suspension": next((s for s in suspensions if s.ended_on is None), None)
        if case.state == State.SUSPENDED else None,
        "notice": notice, "pending": pending, "tolerance_note": queries.tolerance_note(case, pending),
        "promised": rules.promised_completion(case.promised_days, None),  # before acceptance: as the receipt says
        "owed": [p for p in pending if p.supplied_at is None] if case.state in (State.IN_REVIEW, State.SUSPENDED) else [],
        "result": result, "issued": issued, "can_withdraw": State(case.state) in WITHDRAWABLE,
        "is_agent": case.agent_id == applicant.pk and case.applicant_id != applicant.pk,
        "accept": ACCEPT_FILES,
    })


# -- receipt -----------------------------------------------------------------------------------
@login_required
def receipt(request, pk: int):
    """申请回执 (printable)."""
    case = my_case(request, pk, related=("service_item", "department", "applicant", "bundle_case"))
    if not case.number:
        return redirect("cases:edit", case.pk)
    return render_page(request, "cases/applicant/receipt.html", {
        "case": case, "promised": documents.promised_text(case),  # the wording of the PDF too
        # 代收窗口 and 结果领取: where the result is collected (the receiving window of a 跨域通办 case)
        "delivery_lines": documents.delivery_lines(case, tongban.cross_of(case) if case.filed_by_id else None)})


def _attachment(data, filename: str, content_type: str, *, inline: bool = False) -> FileResponse:
    response = FileResponse(data, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A file from an applicant is never run as a page, whatever it holds.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@login_required
def receipt_pdf(request, pk: int):
    applicant_of(request)  # a 经办人 acting for an enterprise reads its files (cases.access.is_party)
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
    applicant_of(request)  # a 经办人 acting for an enterprise reads its files (cases.access.is_party)
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
    applicant_of(request)  # a 经办人 acting for an enterprise reads its files (cases.access.is_party)
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
    return render_page(request, "cases/applicant/notifications.html",
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
