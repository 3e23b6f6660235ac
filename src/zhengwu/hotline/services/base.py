"""Who may act on a ticket, the kernel's transition bound to tickets, and the checks of
ticket input (the shared part of the hotline's services)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhengwu.core.transitions import Lifecycle, Stale, actor_name
from zhengwu.org.models import Department, Region, Role
from zhengwu.org.permissions import grants, has_role

from .. import rules
from ..models import Category, Channel, KnowledgeArticle, Ticket, TicketEvent
from ..rules import Actor, TicketType, Urgency


CENTRE_ROLES = (Role.HOTLINE, Role.SUPERVISOR)  # 派单中心：热线坐席、督办
HANDLER_ROLES = (Role.DEPT_ADMIN, Role.APPROVER)  # 承办单位的工单处理人员
MAX_CONTENT = 4000
PHONE_RE = re.compile(r"^(\+?86)?[0-9\-]{5,20}$")
REPEAT_DAYS = rules.REPEAT_DAYS


class StaleTicket(Stale):  # 409 in the API
    message = "该工单已被他人处理或已更新，请刷新页面后重试"


LIFECYCLE = Lifecycle(rules.MACHINE, Ticket, stale=StaleTicket, audit_prefix="hotline",
                      missing=lambda: ValidationError("工单不存在"))


# -- who may act ------------------------------------------------------------------------------------
def is_centre(user, region_code: str | None = None) -> bool:
    return has_role(user, *CENTRE_ROLES, region_code=region_code)


def is_handler(user, department: Department | None) -> bool:
    return department is not None and has_role(user, *HANDLER_ROLES, department=department)


def _require_centre(user, ticket: Ticket) -> None:
    if not is_centre(user, ticket.region_code):
        raise PermissionDenied("仅派单中心（热线坐席、督办人员）可以执行此操作")


def _require_handler(user, ticket: Ticket) -> None:
    if not is_handler(user, ticket.lead_department):
        raise PermissionDenied("仅主办单位的工作人员可以执行此操作")


# -- the kernel's transition, bound to tickets (zhengwu.core.transitions) -------------------------
def locked(ticket_id: int, expected_lock: int | None) -> Ticket:
    return LIFECYCLE.lock(ticket_id, expected_lock)


_check = LIFECYCLE.check  # (ticket, action, actor) → target, or the refusal as a ValidationError


def record_event(ticket: Ticket, action: str, user, *, from_state: str = "", to_state: str = "",
                 opinion: str = "", data: dict | None = None, department=None, public: bool = True,
                 at: dt.datetime | None = None) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, action=action, label=rules.ACTION_LABELS.get(action, action), from_state=from_state,
        to_state=to_state, actor=user, actor_name=actor_name(user), department=department, opinion=opinion,
        data=data or {}, public=public, at=at or timezone.now(),
    )


def transition(ticket: Ticket, action: str, actor: Actor, user, *, fields: list[str] | None = None,
               opinion: str = "", data: dict | None = None, department=None, public: bool = True) -> Ticket:
    """Move a locked ticket by ``action``; save it with ``fields``, append history and audit, queue
    the upward feed's record when the action is one of its events (:mod:`..feed`), and tell the
    citizen of the steps they care about (:mod:`.notices`)."""
    from .. import feed
    from . import notices

    def then(before, target):
        feed.on_transition(ticket, action)
        notices.on_transition(ticket, action)

    LIFECYCLE.move(ticket, action, actor, user, fields=fields or (),
                   history=lambda before, target: record_event(
                       ticket, action, user, from_state=before, to_state=target, opinion=opinion, data=data,
                       department=department, public=public),
                   then=then,
                   audit_after={"number": ticket.number, **_audit_data(data)})
    return ticket


def _audit_data(data: dict | None) -> dict:
    return {k: v for k, v in (data or {}).items() if k not in ("phone", "caller_name")}


# -- input checks -------------------------------------------------------------------------------------
def _text(value, field: str, label: str, *, required: bool = True, max_len: int = 200) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: f"{label}不能为空"})
    if len(text) > max_len:
        raise ValidationError({field: f"{label}不能超过{max_len}个字（现在{len(text)}个字）"})
    return text


def _choice(value, field: str, label: str, choices: dict, default=None) -> str:
    value = str(value or default or "").strip()
    if value not in {str(k) for k in choices}:
        # Accept the Chinese label too (投诉 → complaint).
        by_label = {v: str(k) for k, v in choices.items()}
        if value in by_label:
            return by_label[value]
        names = "、".join(choices.values())
        raise ValidationError({field: f"{label}不正确：应为 {names} 之一"})
    return value


def _int_or_none(value, field: str, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{label}应为编号（整数）"}) from None


def _coord(value, field: str, label: str, lo: float, hi: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{label}应为数字"}) from None
    if not lo <= v <= hi:
        raise ValidationError({field: f"{label}超出范围（{lo}～{hi}）"})
    return v


def routed_departments() -> dict[str, int]:
    """Ticket types with their own routing → the department (id) that leads them here."""
    out = {}
    for t, short in rules.TYPE_ROUTES.items():
        pk = Department.objects.filter(short_name=short, is_active=True).order_by("region__code", "pk") \
            .values_list("pk", flat=True).first()
        if pk:
            out[t.value] = pk
    return out


def default_region(user=None) -> Region:
    """The region a ticket belongs to when none is given: the user's first grant's region, else
    the region with the most departments (the deployment's own district)."""
    for g in grants(user) if user is not None else []:
        return Region.objects.get(pk=g.region_id)
    from django.db.models import Count

    region = (Region.objects.annotate(n=Count("departments")).filter(n__gt=0).order_by("-n", "code").first())
    if region is None:
        raise ValidationError({"region": "尚未配置区划：请先加载组织机构数据"})
    return region


def _region(value, user) -> Region:
    if value in (None, ""):
        return default_region(user)
    q = Region.objects.filter(code=str(value)) if len(str(value)) == 12 else Region.objects.filter(pk=_int_or_none(value, "region", "所属区划"))
    region = q.first()
    if region is None:
        raise ValidationError({"region": f"所属区划不存在：{value}"})
    return region


def _category(value) -> Category | None:
    pk = _int_or_none(value, "category", "分类")
    if pk is None:
        return None
    c = Category.objects.select_related("department").filter(pk=pk, is_active=True).first()
    if c is None:
        raise ValidationError({"category": "分类不存在或已停用"})
    if c.level != 3:
        raise ValidationError({"category": f"请选择三级分类（“{c.path}”是第{c.level}级）"})
    return c


def _department(value, field: str = "department", label: str = "承办单位") -> Department:
    pk = _int_or_none(value, field, label)
    if pk is None:
        raise ValidationError({field: f"请选择{label}"})
    d = Department.objects.select_related("region").filter(pk=pk, is_active=True).first()
    if d is None:
        raise ValidationError({field: f"{label}不存在或已停用"})
    return d


def _departments(values, lead: Department | None) -> list[Department]:
    out = []
    for v in values or []:
        if v in (None, ""):
            continue
        d = _department(v, "co_departments", "协办单位")
        if (lead is None or d.pk != lead.pk) and d not in out:
            out.append(d)
    return out


Errors = dict[str, list[str]]


def _collect(errors: Errors, fn):
    """``fn()``, or None with its ValidationError's messages added to ``errors`` by field."""
    try:
        return fn()
    except ValidationError as exc:
        for k, msgs in (exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}).items():
            errors.setdefault(k, []).extend(msgs)
        return None


def ticket_input(data: dict, user, channel: str) -> tuple[dict, Errors]:
    """Every rule of a registration at once: the cleaned values of the fields that passed, and
    the messages of every bad field (each naming the field)."""
    errors: Errors = {}
    out: dict = {}

    def take(field, fn):
        value = _collect(errors, fn)
        if field not in errors:
            out[field] = value

    take("ticket_type", lambda: _choice(data.get("ticket_type"), "ticket_type", "诉求类型", rules.TYPE_LABELS,
                                        default=TicketType.CONSULT))
    take("urgency", lambda: _choice(data.get("urgency"), "urgency", "紧急程度", rules.URGENCY_LABELS,
                                    default=Urgency.NORMAL))
    take("content", lambda: _text(data.get("content"), "content", "诉求内容", max_len=MAX_CONTENT))
    take("title", lambda: _text(data.get("title"), "title", "标题", required=False, max_len=200))
    take("caller_name", lambda: _text(data.get("caller_name"), "caller_name", "来电人姓名", required=False, max_len=50))
    take("address", lambda: _text(data.get("address"), "address", "诉求地点", required=False, max_len=200))
    take("latitude", lambda: _coord(data.get("latitude"), "latitude", "纬度", -90, 90))
    take("longitude", lambda: _coord(data.get("longitude"), "longitude", "经度", -180, 180))
    take("region", lambda: _region(data.get("region"), user))
    take("category", lambda: _category(data.get("category")))

    def phone():
        value = re.sub(r"\s+", "", str(data.get("phone") or ""))
        if not value:
            if channel == Channel.PHONE:
                raise ValidationError({"phone": "联系电话不能为空（电话渠道须登记来电号码）"})
            return ""
        if not PHONE_RE.match(value) or sum(c.isdigit() for c in value) < 5:
            raise ValidationError({"phone": "联系电话格式不正确：应为 5～20 位数字，可含区号和“-”"})
        return value

    take("phone", phone)
    out["confidential"] = bool(data.get("confidential"))
    out["address_public"] = bool(data.get("address_public"))  # the citizen agreed to publish the address
    if not out.get("title") and out.get("content"):
        first = re.split(r"[。！？!?\n]", out["content"], maxsplit=1)[0]
        out["title"] = first[:40] or out["content"][:40]
    return out, errors


def clean_ticket_input(data: dict, user, channel: str) -> dict:
    """Check a registration; the cleaned values, or ``ValidationError`` naming every bad field."""
    out, errors = ticket_input(data, user, channel)
    if errors:
        raise ValidationError(errors)
    return out


def main_ticket(value) -> Ticket:
    """The ticket a duplicate is merged into (并单), by number or id."""
    value = str(value).strip()
    q = Ticket.objects.filter(number=value) if not value.isdigit() or value.startswith("RX") else Ticket.objects.filter(pk=int(value))
    main = q.first()
    if main is None:
        raise ValidationError({"merge_into": f"主工单不存在：{value}"})
    return main


NO_LEAD = "请选择主办单位后再派单（或点“仅登记”）"


def follow_up_errors(data: dict, clean: dict) -> Errors:
    """What the action taken with a registration at the console would be refused for — 并单
    (``merge_into``), 直接办结 (``knowledge`` + ``answer``) or 派单 (``dispatch_to``; "" = 派单
    asked for with no 主办单位), as :func:`.tickets.register` picks it — checked before anything is
    saved, so that one round names these together with the registration's own errors.
    ``clean``: the registration's values that passed (:func:`ticket_input`)."""
    errors: Errors = {}
    ticket_type = clean.get("ticket_type")
    if data.get("merge_into"):
        main = _collect(errors, lambda: main_ticket(data["merge_into"]))
        if main is not None and main.state not in rules.OPEN_STATES:
            errors["merge_into"] = [f"主工单 {main.number} 为“{main.state_label}”，只能并入未办结的工单"]
    elif data.get("knowledge") and data.get("answer") is not None:
        if ticket_type is not None and ticket_type != TicketType.CONSULT:
            errors["ticket_type"] = ["只有“咨询”类工单可以依据知识库直接办结"]
        pk = _collect(errors, lambda: _int_or_none(data["knowledge"], "knowledge", "知识库条目"))
        if "knowledge" not in errors and not KnowledgeArticle.objects.filter(pk=pk, is_active=True).exists():
            errors["knowledge"] = ["请选择答复所依据的知识库条目"]
    elif data.get("dispatch_to") is not None:
        lead = None
        if str(data["dispatch_to"]).strip() == "":
            errors["department"] = [NO_LEAD]
        else:
            lead = _collect(errors, lambda: _department(data["dispatch_to"], "department", "主办单位"))
        _collect(errors, lambda: _departments(data.get("co_departments"), lead))
        if (clean.get("category") is None and ticket_type is not None
                and TicketType(ticket_type) not in rules.TYPE_ROUTES):
            errors["category"] = ["派单前请选择诉求分类（三级分类）"]
    return errors
