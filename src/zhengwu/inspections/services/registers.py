"""The registers' write path: 监管事项目录, 执法人员名录 (with its import, 注册率 and the expiry
notice) and 回避. Every write is one transaction with its audit event; edits carry the row's
``version`` and a stale one is refused (no lost update). The 检查对象 register is in
``registers_objects``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from zhengwu.catalog.models import ServiceItem
from zhengwu.catalog.models.items import ItemStatus
from zhengwu.core import audit
from zhengwu.core.pii import mask
from zhengwu.org.models import Department, Role, RoleGrant
from zhengwu.org.permissions import has_role, is_sysadmin, scope, staff_departments

from .. import registers_rules as rules
from ..models import InspectedObject, Inspector, InspectorConflict, SupervisionItem

WRITE_ROLES = (Role.DEPT_ADMIN, Role.APPROVER)
VIEW_ROLES = (*WRITE_ROLES, Role.SUPERVISOR, Role.SYSADMIN, Role.LEADER)
LINKABLE_TYPES = ("06", "02")  # 行政检查, 行政处罚
MAX_UPLOAD = 10 * 1024 * 1024


def _require(user, department: Department) -> None:
    if user is not None and not has_role(user, *WRITE_ROLES, department=department):
        raise PermissionDenied("仅本部门的部门管理员、审批人员可以维护")


def _stale(version, current: int) -> None:
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = -1
    if version != current:
        raise ValidationError("该记录已被他人修改，请刷新后重试", code="stale")


def write_departments(user):
    return staff_departments(user, WRITE_ROLES).filter(is_active=True).order_by("sort_order", "name")


def view_departments(user):
    return staff_departments(user, VIEW_ROLES).filter(is_active=True).order_by("sort_order", "name")


def _department(user, value) -> Department:
    dept = Department.objects.filter(pk=int(value)).first() if rules.is_id(value) else None
    if dept is None:
        raise ValidationError({"department": ["请选择部门"]})
    _require(user, dept)
    return dept


# -- 监管事项目录 ----------------------------------------------------------------------------------
def items_for(user):
    return scope(SupervisionItem.objects.select_related("department", "service_item"), user, VIEW_ROLES)


def linkable_service_items(department: Department):
    """The department's 行政检查 / 行政处罚 catalogue items a supervision item may name."""
    return (ServiceItem.objects.filter(department=department, item_type__in=LINKABLE_TYPES)
            .exclude(status=ItemStatus.DISABLED).only("pk", "name", "item_type").order_by("item_type", "name"))


def _item_values(data: dict, department: Department) -> dict:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = ["监管事项名称不能为空"]
    elif len(name) > 200:
        errors["name"] = ["监管事项名称最多200个字"]
    code = str(data.get("code") or "").strip()
    if len(code) > 40:
        errors["code"] = ["监管事项编码最多40个字符"]
    basis = str(data.get("legal_basis") or "").strip()
    if not basis:
        errors["legal_basis"] = ["设定依据不能为空（写明法律法规名称及条款）"]
    method = str(data.get("check_method") or "").strip() or "现场检查"
    if len(method) > 100:
        errors["check_method"] = ["检查方式最多100个字"]
    linked = None
    raw = str(data.get("service_item") or "").strip()
    if raw:
        linked = linkable_service_items(department).filter(pk=int(raw)).first() if rules.is_id(raw) else None
        if linked is None:
            errors["service_item"] = ["对应事项应为本部门的行政检查或行政处罚事项"]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "code": code, "legal_basis": basis, "check_method": method,
            "check_content": str(data.get("check_content") or "").strip(), "service_item": linked,
            "is_active": bool(data.get("is_active", True))}


def _item_snapshot(i: SupervisionItem) -> dict:
    return {"name": i.name, "code": i.code, "department": i.department_id, "service_item": i.service_item_id,
            "check_method": i.check_method, "is_active": i.is_active}


def _name_taken(department, name, exclude=None) -> None:
    qs = SupervisionItem.objects.filter(department=department, name=name)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ValidationError({"name": ["该部门已有同名监管事项"]})


@transaction.atomic
def create_item(user, data: dict) -> SupervisionItem:
    department = _department(user, data.get("department"))
    values = _item_values(data, department)
    _name_taken(department, values["name"])
    item = SupervisionItem.objects.create(department=department, **values)
    audit.record("inspections.item_create", actor=user, obj=item, after=_item_snapshot(item))
    return item


@transaction.atomic
def update_item(user, pk: int, version, data: dict) -> SupervisionItem:
    item = SupervisionItem.objects.select_for_update().select_related("department").get(pk=pk)
    _require(user, item.department)
    _stale(version, item.version)
    values = _item_values(data, item.department)
    _name_taken(item.department, values["name"], exclude=item.pk)
    before = _item_snapshot(item)
    for k, v in values.items():
        setattr(item, k, v)
    item.version += 1
    item.save()
    audit.record("inspections.item_update", actor=user, obj=item, before=before, after=_item_snapshot(item))
    return item


@transaction.atomic
def import_catalogue_items(user, department: Department) -> int:
    """One click: the department's 行政检查 catalogue items become supervision items (those not yet
    linked or named); returns how many were added. Running it twice adds nothing the second time."""
    _require(user, department)
    Department.objects.select_for_update().filter(pk=department.pk).first()  # one import at a time
    linked = set(SupervisionItem.objects.filter(department=department).values_list("service_item_id", flat=True))
    names = set(SupervisionItem.objects.filter(department=department).values_list("name", flat=True))
    added = []
    for si in (ServiceItem.objects.filter(department=department, item_type="06")
               .exclude(status=ItemStatus.DISABLED).select_related("published_version").order_by("pk")):
        if si.pk in linked or si.name in names:
            continue
        v = si.published_version
        basis = (getattr(v, "legal_basis", "") or "") if v is not None else ""
        added.append(SupervisionItem(department=department, name=si.name[:200], service_item=si,
                                     code=(si.implementation_code or "")[:40],
                                     legal_basis=basis or "见实施清单事项设定依据"))
        names.add(si.name)
    SupervisionItem.objects.bulk_create(added)
    audit.record("inspections.item_import_catalogue", actor=user, obj=department, after={"added": len(added)})
    return len(added)


# -- 执法人员名录 ----------------------------------------------------------------------------------
def inspectors_for(user):
    return scope(Inspector.objects.select_related("department", "region"), user, VIEW_ROLES)


def inspector_page(user, filters, today: dt.date, size: int = 50) -> tuple[list[Inspector], str]:
    """One page of inspectors (by pk, keyset ``after``) with filters department, status, expiring
    (within 30 days), q (name or 执法证号)."""
    qs = inspectors_for(user)
    if rules.is_id(filters.get("department", "")):
        qs = qs.filter(department_id=int(filters["department"]))
    if filters.get("status") in Inspector.Status.values:
        qs = qs.filter(status=filters["status"])
    if filters.get("expiring"):
        qs = qs.filter(valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=rules.EXPIRY_NOTICE_DAYS))
    q = str(filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(cert_number__iexact=q) | Q(name__contains=q))
    after = str(filters.get("after") or "")
    if rules.is_id(after):
        qs = qs.filter(pk__gt=int(after))
    rows = list(qs.order_by("pk")[: size + 1])
    nxt = str(rows[size - 1].pk) if len(rows) > size else ""
    return rows[:size], nxt


def _inspector_values(data: dict, department: Department, exclude: int | None) -> dict:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = ["姓名不能为空"]
    elif len(name) > 50:
        errors["name"] = ["姓名最多50个字"]
    cert = str(data.get("cert_number") or "").strip().upper()
    if not cert:
        errors["cert_number"] = ["执法证号不能为空"]
    elif len(cert) > 40:
        errors["cert_number"] = ["执法证号最多40个字符"]
    elif Inspector.objects.filter(cert_number=cert).exclude(pk=exclude).exists():
        errors["cert_number"] = ["执法证号已在名录中"]
    until = rules.parse_date(data.get("valid_until"))
    if until is None:
        errors["valid_until"] = ["证件有效期至应为日期，如 2027-12-31"]
    status = data.get("status") or Inspector.Status.ACTIVE
    if status not in Inspector.Status.values:
        errors["status"] = ["状态应为 在岗、暂停执法 或 调离/退休"]
    area = str(data.get("field") or "").strip()
    if len(area) > 60:
        errors["field"] = ["执法领域最多60个字"]
    user = None
    account = str(data.get("username") or "").strip()
    if account:
        from zhengwu.accounts.models import User

        user = User.objects.filter(username=account, kind=User.Kind.STAFF).first()
        if user is None:
            errors["username"] = [f"平台账号“{account}”不存在或不是工作人员账号"]
        elif Inspector.objects.filter(user=user).exclude(pk=exclude).exists():
            errors["username"] = ["该平台账号已关联其他执法人员"]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "cert_number": cert, "valid_until": until, "status": status, "field": area,
            "user": user, "region": department.region}


def _inspector_snapshot(i: Inspector) -> dict:
    return {"name": mask("name", i.name), "cert_number": i.cert_number, "department": i.department_id,
            "status": i.status, "valid_until": i.valid_until, "user": i.user_id, "field": i.field}


@transaction.atomic
def create_inspector(user, data: dict) -> Inspector:
    department = _department(user, data.get("department"))
    values = _inspector_values(data, department, None)
    try:
        with transaction.atomic():
            inspector = Inspector.objects.create(department=department, **values)
    except IntegrityError:  # the same 执法证号 saved by someone else a moment ago (a double click)
        raise ValidationError({"cert_number": ["执法证号已在名录中"]}) from None
    audit.record("inspections.inspector_create", actor=user, obj=inspector, after=_inspector_snapshot(inspector))
    return inspector


@transaction.atomic
def update_inspector(user, pk: int, version, data: dict) -> Inspector:
    inspector = Inspector.objects.select_for_update().select_related("department").get(pk=pk)
    _require(user, inspector.department)
    _stale(version, inspector.version)
    department = inspector.department
    if str(data.get("department") or "") not in ("", str(department.pk)):
        department = _department(user, data.get("department"))
    values = _inspector_values(data, department, inspector.pk)
    before = _inspector_snapshot(inspector)
    inspector.department = department
    for k, v in values.items():
        setattr(inspector, k, v)
    inspector.version += 1
    inspector.save()
    audit.record("inspections.inspector_update", actor=user, obj=inspector, before=before,
                 after=_inspector_snapshot(inspector))
    return inspector


def read_table(upload) -> list[dict]:
    """The rows of an uploaded .xlsx or .csv as dicts keyed by the header, each with its sheet row
    number (``row``, the header being row 1). ValidationError on an unreadable file."""
    name = (getattr(upload, "name", "") or "").lower()
    if getattr(upload, "size", 0) > MAX_UPLOAD:
        raise ValidationError({"file": ["文件不能超过10MB"]})
    raw = upload.read()
    if name.endswith(".csv"):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError({"file": ["CSV文件应为UTF-8或GBK编码"]})
        table = list(csv.reader(io.StringIO(text)))
    elif name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            table = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same bad input
            raise ValidationError({"file": ["无法读取该Excel文件，请另存为 .xlsx 后重试"]}) from None
    else:
        raise ValidationError({"file": ["请上传 .xlsx 或 .csv 文件"]})
    if not table:
        raise ValidationError({"file": ["文件是空的"]})
    header = [rules.cell(h) for h in table[0]]
    rows = []
    for n, values in enumerate(table[1:], start=2):
        if all(rules.cell(v) == "" for v in values):
            continue
        rows.append({"row": n, **{h: v for h, v in zip(header, values) if h}})
    return [{"__header__": header}, *rows]


@transaction.atomic
def import_inspectors(user, upload, today: dt.date | None = None) -> int:
    """执法人员 Excel/CSV import (姓名, 执法证号, 部门, 执法领域, 有效期至): all rows or none; the
    refusal lists every bad row by number. Returns how many were added."""
    today = today or timezone.localdate()
    header, *rows = read_table(upload)
    problem = rules.header_problem(header["__header__"], rules.INSPECTOR_COLUMNS, rules.INSPECTOR_COLUMNS[:3] + ("有效期至",))
    if problem:
        raise ValidationError({"file": [problem]})
    departments = {}
    for d in (Department.objects.all() if user is None else write_departments(user)).select_related("region"):
        departments[d.name] = d
        if d.short_name:
            departments.setdefault(d.short_name, d)
    certs = {rules.cell(r.get("执法证号")).upper() for r in rows}
    existing = set(Inspector.objects.filter(cert_number__in=certs).values_list("cert_number", flat=True))
    clean, errors = rules.check_inspector_rows(rows, {k: d.pk for k, d in departments.items()}, existing, today)
    if errors:
        raise ValidationError({"file": errors[:200] + ([f"……共{len(errors)}处错误"] if len(errors) > 200 else [])})
    try:
        with transaction.atomic():
            created = Inspector.objects.bulk_create([
                Inspector(name=r.name, cert_number=r.cert_number, department=departments[r.department],
                          region=departments[r.department].region, field=r.field, valid_until=r.valid_until)
                for r in clean])
    except IntegrityError:  # a concurrent import of the same file: all or nothing still holds
        raise ValidationError({"file": ["文件中的执法证号已被同时导入，请刷新名录后核对"]}) from None
    audit.record("inspections.inspector_import", actor=user, object_type="inspections.inspector",
                 after={"rows": len(created), "file": getattr(upload, "name", "")})
    return len(created)


def registration_rates(user, today: dt.date | None = None) -> list[tuple[Department, rules.RegistrationRate]]:
    """注册率 per department in the user's scope: listed inspectors (not 调离/退休), those with a valid
    certificate, those with a platform account (one grouped query)."""
    today = today or timezone.localdate()
    qs = (inspectors_for(user).exclude(status=Inspector.Status.LEFT).values("department")
          .annotate(total=Count("pk"),
                    valid=Count("pk", filter=Q(status=Inspector.Status.ACTIVE, valid_until__gte=today)),
                    with_account=Count("pk", filter=Q(user__isnull=False))))
    rows = {r["department"]: r for r in qs}
    depts = Department.objects.in_bulk(list(rows))
    return sorted(((depts[k], rules.RegistrationRate(r["total"], r["valid"], r["with_account"]))
                   for k, r in rows.items()), key=lambda t: (t[0].sort_order, t[0].name))


def _dept_admins(department: Department) -> list[int]:
    ids = set()
    for g in RoleGrant.objects.filter(role=Role.DEPT_ADMIN).filter(
            Q(department=department) | Q(department__isnull=True)).select_related("region"):
        if department.region.code.startswith(g.region.prefix):
            ids.add(g.user_id)
    return sorted(ids)


def notify_expiring(today: dt.date | None = None) -> str:
    """Job ``inspections.expiry``: tell each department's 部门管理员 about its inspectors whose
    certificate ends within 30 days — once per expiry date (``expiry_notified_for``). No state
    changes: the draw pool already leaves expired certificates out by valid_until."""
    from zhengwu.cases.models import Notification

    today = today or timezone.localdate()
    due = (Inspector.objects.filter(status=Inspector.Status.ACTIVE, valid_until__gte=today,
                                    valid_until__lte=today + dt.timedelta(days=rules.EXPIRY_NOTICE_DAYS))
           .exclude(expiry_notified_for=F("valid_until")).select_related("department__region"))
    by_dept: dict[int, list[Inspector]] = {}
    for i in due:
        if rules.expiry_notice_due(i.status, i.valid_until, i.expiry_notified_for, today):
            by_dept.setdefault(i.department_id, []).append(i)
    sent = 0
    for people in by_dept.values():
        department = people[0].department
        with transaction.atomic():
            locked = list(Inspector.objects.select_for_update().filter(pk__in=[p.pk for p in people])
                          .exclude(expiry_notified_for=F("valid_until")))
            if not locked:
                continue
            lines = "；".join(f"{mask('name', p.name)}（{p.cert_number}，{p.valid_until:%Y-%m-%d}）" for p in locked[:50])
            body = (f"{department.name}有{len(locked)}名执法人员的执法证将在{rules.EXPIRY_NOTICE_DAYS}天内到期：{lines}。"
                    "到期后不再进入双随机抽查人员库，请及时办理换证并更新有效期。")
            Notification.objects.bulk_create([Notification(recipient_id=u, title="执法证即将到期", body=body)
                                              for u in _dept_admins(department)])
            for p in locked:
                Inspector.objects.filter(pk=p.pk).update(expiry_notified_for=p.valid_until)
            audit.record("inspections.inspector_expiry_notice", obj=department,
                         after={"inspectors": [p.pk for p in locked]})
            sent += len(locked)
    return f"提醒{sent}名执法人员证件即将到期"


# -- 回避 ----------------------------------------------------------------------------------------
def may_declare_for(user, inspector: Inspector) -> bool:
    return (inspector.user_id is not None and user is not None and inspector.user_id == user.pk) or \
        has_role(user, Role.DEPT_ADMIN, department=inspector.department) or is_sysadmin(user)


@transaction.atomic
def declare_conflict(user, inspector: Inspector, inspected: InspectedObject, reason: str) -> InspectorConflict:
    """回避申报: the inspector themself (their account) or a 部门管理员 of their department."""
    if not may_declare_for(user, inspector):
        raise PermissionDenied("仅执法人员本人或其所在部门的部门管理员可以申报回避")
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写回避原因"]})
    if len(reason) > 200:
        raise ValidationError({"reason": ["回避原因最多200个字"]})
    Inspector.objects.select_for_update().filter(pk=inspector.pk).first()
    if InspectorConflict.objects.filter(inspector=inspector, inspected=inspected).exists():
        raise ValidationError({"inspected": ["该执法人员已申报对该对象回避"]})
    c = InspectorConflict.objects.create(inspector=inspector, inspected=inspected, reason=reason)
    audit.record("inspections.conflict_declare", actor=user, obj=c,
                 after={"inspector": inspector.pk, "inspected": inspected.pk, "reason": reason})
    return c
