"""Scoped reads of the hotline: the dispatch centre's and the departments' lists, one ticket,
duplicate suggestions. Every staff list goes through :func:`zhengwu.org.permissions.scope` here.

Built for 300,000+ tickets: lists are paged by keyset (``before`` = the last id shown) over
indexed columns (see ``Ticket.Meta.indexes``), read one row more than a page to know whether a
next page exists — never OFFSET over the table, never COUNT(*) — and join only what a row shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from zhengwu.core.pii import blind_index
from zhengwu.org.permissions import scope

from . import rules
from .models import Ticket
from .rules import State
from .services import CENTRE_ROLES, HANDLER_ROLES, is_centre, is_handler

PAGE_SIZE = 30
LIST_DEFER = ("content", "reply", "suggested", "caller_name", "return_pending", "extension_pending")
LIST_RELATED = ("lead_department", "category")

CENTRE_TABS = {
    "todo": "待办（待派单、退单审核、待回访、待办结）",
    "registered": "待派单",
    "returned": "退单待审核",
    "extension": "延期待审批",
    "replied": "待回访",
    "callbacked": "待办结",
    "dispatched": "待签收",
    "handling": "办理中",
    "overdue": "已超期",
    "closed": "已办结",
    "all": "全部",
}
DEPARTMENT_TABS = {
    "dispatched": "待签收",
    "handling": "办理中",
    "returned": "已退单",
    "done": "已答复",
    "co": "协办工单",
}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def centre_scope(qs: QuerySet, user) -> QuerySet:
    return scope(qs, user, CENTRE_ROLES, department_field=None, region_code_field="region_code")


def _filters(qs: QuerySet, f: Mapping[str, str]) -> QuerySet:
    if f.get("type") in rules.TYPE_LABELS:
        qs = qs.filter(ticket_type=f["type"])
    if f.get("urgency") in rules.URGENCY_LABELS:
        qs = qs.filter(urgency=f["urgency"])
    if (d := _int(f.get("department"))) is not None:
        qs = qs.filter(lead_department_id=d)
    if (c := _int(f.get("category"))) is not None:
        qs = qs.filter(category_id=c)
    q = (f.get("q") or "").strip()
    if q:
        digits = q.replace("-", "").replace(" ", "")
        if q.upper().startswith("RX"):
            qs = qs.filter(number=q.upper())
        elif digits.isdigit() and len(digits) >= 7:
            qs = qs.filter(phone_index=blind_index("phone", digits))
        else:
            qs = qs.filter(title__contains=q[:50])
    return qs


def centre_list(user, tab: str = "todo", filters: Mapping[str, str] | None = None, before=None,
                size: int = PAGE_SIZE) -> tuple[list[Ticket], int | None]:
    """The dispatch centre's list: (rows, cursor of the next page or None)."""
    f = filters or {}
    qs = Ticket.objects.all()
    order = ("-id",)
    if tab == "todo":
        qs = qs.filter(state__in=[s.value for s in rules.CENTRE_STATES])
    elif tab == "extension":
        qs = qs.filter(extension_pending__isnull=False)
    elif tab == "overdue":
        qs = qs.filter(state__in=[s.value for s in rules.DEPARTMENT_STATES], due_at__lt=timezone.now())
    elif tab in State._value2member_map_:
        qs = qs.filter(state=tab)
    qs = _filters(centre_scope(qs, user), f)
    if (b := _int(before)) is not None:
        qs = qs.filter(id__lt=b)
    rows = list(qs.select_related(*LIST_RELATED).defer(*LIST_DEFER).order_by(*order)[:size + 1])
    nxt = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], nxt


def department_list(user, tab: str = "dispatched", filters: Mapping[str, str] | None = None, before=None,
                    size: int = PAGE_SIZE) -> tuple[list[Ticket], int | None]:
    """A department's tickets (the departments the user handles for), newest first."""
    f = filters or {}
    qs = Ticket.objects.all()
    if tab == "co":
        co = scope(Ticket.co_departments.through.objects.all(), user, HANDLER_ROLES, department_field="department")
        qs = qs.filter(pk__in=co.values("ticket_id"))
    else:
        qs = scope(qs, user, HANDLER_ROLES, department_field="lead_department")
        if tab == "done":
            qs = qs.filter(state__in=[State.REPLIED, State.CALLBACKED, State.CLOSED, State.ARCHIVED])
        elif tab == "returned":
            qs = qs.filter(state=State.RETURNED)
        elif tab in (State.DISPATCHED, State.HANDLING):
            qs = qs.filter(state=tab)
    qs = _filters(qs, f)
    if (b := _int(before)) is not None:
        qs = qs.filter(id__lt=b)
    rows = list(qs.select_related(*LIST_RELATED).defer(*LIST_DEFER).order_by("-id")[:size + 1])
    nxt = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], nxt


def citizen_list(applicant, before=None, size: int = 20) -> tuple[list[Ticket], int | None]:
    qs = Ticket.objects.filter(applicant=applicant)
    if (b := _int(before)) is not None:
        qs = qs.filter(id__lt=b)
    rows = list(qs.select_related(*LIST_RELATED).defer(*LIST_DEFER).order_by("-id")[:size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


def is_co_handler(user, ticket: Ticket) -> bool:
    return any(is_handler(user, d) for d in ticket.co_departments.select_related("region"))


def staff_ticket(user, pk: int) -> Ticket:
    """The ticket if this staff member may see it (centre of its region, lead or co-department)."""
    t = (Ticket.objects.select_related("lead_department__region", "category", "region", "merged_into", "knowledge",
                                       "registered_by").filter(pk=pk).first())
    if t is None:
        raise Http404("工单不存在或无权查看")
    if is_centre(user, t.region_code) or is_handler(user, t.lead_department) or is_co_handler(user, t):
        return t
    raise Http404("工单不存在或无权查看")


def citizen_ticket(user, pk: int) -> Ticket:
    applicant = getattr(user, "applicant", None) if user.is_authenticated else None
    t = (Ticket.objects.select_related("lead_department", "category").filter(pk=pk, applicant__isnull=False).first())
    if t is None or applicant is None or t.applicant_id != applicant.pk:
        raise Http404("工单不存在或无权查看")
    return t


# -- duplicate suggestions (并单) ----------------------------------------------------------------------
# The lead department's id, not its name: joining the departments to every candidate made
# PostgreSQL hash all of a city's departments for every probe; the few suggestions shown are
# named afterwards.
SIMILAR_FIELDS = ("id", "number", "title", "head", "address", "region_id", "category_id", "phone_index", "state",
                  "created_at", "lead_department_id", "latitude", "longitude")
_REGION_IDS: dict[str, int] = {}
RECENT_DAYS = 30
CANDIDATES = 120
HEAD_CHARS = 160  # the start of the content is enough to compare; long texts are not read


def similar(user, *, text: str = "", phone: str = "", region=None, address: str = "", category=None,
            exclude: int | None = None, limit: int = 5, lat: float | None = None,
            lon: float | None = None) -> list[dict]:
    """Open tickets that look like this one: same caller, same place, similar text (scoped).

    Three indexed probes, each bounded: the caller's latest tickets (``ticket_phone_recent``),
    the latest open tickets of the region (``ticket_open_region``) and of the category
    (``ticket_open_category``; the category predicted from the text when none is chosen); the
    candidates are scored in Python (:func:`zhengwu.hotline.rules.similarity`).
    """
    from zhengwu.org.models import Department, Region

    open_states = [s.value for s in rules.OPEN_STATES]
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    from django.db.models.functions import Left

    base = centre_scope(Ticket.objects.all(), user).annotate(head=Left("content", HEAD_CHARS))
    if exclude:
        base = base.exclude(pk=exclude)
    phone_ix = blind_index("phone", phone) if phone and sum(c.isdigit() for c in phone) >= 5 else ""
    region_id = None
    if region not in (None, ""):
        r = str(region)
        if len(r) == 12:
            region_id = _REGION_IDS.get(r)
            if region_id is None:
                region_id = Region.objects.filter(code=r).values_list("pk", flat=True).first()
                if region_id is not None and len(_REGION_IDS) < 10_000:
                    _REGION_IDS[r] = region_id  # region codes never change their row
        else:
            region_id = _int(r)
    category_id = _int(category)
    if category_id is None and len(text or "") >= 6:
        from . import classifier

        top = classifier.suggest(text, 1)
        category_id = top[0].category_id if top else None
    rows: dict[int, tuple] = {}
    if phone_ix:
        for r in base.filter(phone_index=phone_ix).order_by("-id").values_list(*SIMILAR_FIELDS)[:20]:
            rows[r[0]] = r
    if region_id:
        # No created_at condition in SQL: the planner would AND a bitmap of the whole month; open
        # tickets are recent anyway — the newest CANDIDATES, then the age check in Python.
        for r in (base.filter(region_id=region_id, state__in=open_states).order_by("-id")
                  .values_list(*SIMILAR_FIELDS)[:CANDIDATES]):
            if r[9] >= since:
                rows[r[0]] = r
    if category_id:
        for r in (base.filter(category_id=category_id, state__in=open_states).order_by("-id")
                  .values_list(*SIMILAR_FIELDS)[:CANDIDATES]):
            if r[9] >= since:
                rows[r[0]] = r
    scored = []
    ta, aa = rules.shingles(text), rules.shingles(address)
    for r in rows.values():
        same_phone = bool(phone_ix) and r[7] == phone_ix
        metres = (rules.distance_m(lat, lon, r[11], r[12])
                  if None not in (lat, lon, r[11], r[12]) else None)
        s = rules.similarity_of_sets(ta, rules.shingles(f"{r[2]}。{r[3]}"), aa, rules.shingles(r[4] or ""),
                                     same_phone=same_phone, same_region=region_id == r[5],
                                     same_category=category_id is not None and category_id == r[6], metres=metres)
        if s.score < rules.DUPLICATE_THRESHOLD and not same_phone:
            continue
        scored.append((r, s))
    scored.sort(key=lambda rs: (-(rs[0][8] in open_states), -rs[1].score, -rs[0][0]))
    scored = scored[:limit]
    departments = dict(Department.objects.filter(pk__in={r[10] for r, _ in scored if r[10]})
                       .values_list("pk", "name")) if scored else {}
    return [{"id": r[0], "number": r[1], "title": r[2], "address": r[4], "state": r[8],
             "state_label": rules.STATE_LABELS[State(r[8])], "open": r[8] in open_states,
             "created_at": timezone.localtime(r[9]).strftime("%Y-%m-%d %H:%M"), "department": departments.get(r[10], ""),
             "score": s.score, "reasons": list(s.reasons) or ["同一来电人"]} for r, s in scored]
