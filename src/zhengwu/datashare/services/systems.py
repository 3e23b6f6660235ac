"""信息系统普查: register and import the departments' information systems, and the figures
(接入共享平台 share by department, systems by deployment, resources per system)."""

from __future__ import annotations

import decimal
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from zhengwu.core import audit
from zhengwu.org.models import Department

from ..models import InfoSystem
from .catalogue import can_edit

DEPLOYMENT_BY_LABEL = {label: value for value, label in InfoSystem.Deployment.choices}
_YES = {"是", "1", "true", "on", "y", "yes", "已接入", "在用"}
_NO = {"否", "0", "false", "off", "n", "no", "", "未接入", "停用"}


def _bool(value, label: str) -> bool:
    text = str(value if value is not None else "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError({label: [f"{label}只能填“是”或“否”"]})


def _decimal(value, label: str):
    if value in (None, ""):
        return None
    try:
        d = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValidationError({label: [f"{label}应为数字"]}) from None
    if d < 0 or d >= 10**10:
        raise ValidationError({label: [f"{label}应在 0 到 9999999999 之间"]})
    return d.quantize(decimal.Decimal("0.01"))


def clean_system(data: Mapping) -> dict:
    """Values of an InfoSystem from a form or a spreadsheet row (labels or codes)."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": ["系统名称不能为空"]})
    if len(name) > 200:
        raise ValidationError({"name": ["系统名称不能超过200字"]})
    year = data.get("build_year")
    if year in (None, ""):
        year = None
    else:
        try:
            year = int(str(year).strip().split(".")[0])
        except ValueError:
            raise ValidationError({"build_year": ["建设年份应为四位年份"]}) from None
        if not 1980 <= year <= 2100:
            raise ValidationError({"build_year": ["建设年份应在1980到2100之间"]})
    deployment = str(data.get("deployment") or "other").strip()
    deployment = DEPLOYMENT_BY_LABEL.get(deployment, deployment)
    if deployment not in InfoSystem.Deployment.values:
        raise ValidationError({"deployment": [f"部署方式只能是{'、'.join(DEPLOYMENT_BY_LABEL)}"]})
    return {
        "name": name, "build_year": year, "deployment": deployment,
        "funding": str(data.get("funding") or "").strip()[:100],
        "budget_wan": _decimal(data.get("budget_wan"), "投资金额（万元）"),
        "data_volume_gb": _decimal(data.get("data_volume_gb"), "数据量（GB）"),
        "connected": _bool(data.get("connected"), "已接入共享平台"),
        "in_use": _bool(data.get("in_use") if data.get("in_use") not in (None, "") else "是", "在用"),
        "note": str(data.get("note") or "").strip()[:300],
    }


@transaction.atomic
def save_system(actor, data: Mapping, *, pk: int | None = None, lock_version=None) -> InfoSystem:
    dept = data.get("department")
    dept = dept if isinstance(dept, Department) else Department.objects.filter(pk=dept).first() \
        if str(dept or "").isdigit() else None
    if dept is None:
        raise ValidationError({"department": ["请选择建设部门"]})
    if not can_edit(actor, dept):
        raise PermissionDenied(f"您无权登记“{dept.name}”的信息系统")
    values = clean_system(data)
    if pk is None:
        system = InfoSystem(department=dept, **values)
        action, before = "create", None
    else:
        system = InfoSystem.objects.select_for_update().select_related("department").get(pk=pk)
        if not can_edit(actor, system.department):
            raise PermissionDenied("您无权修改该信息系统")
        if str(lock_version) != str(system.lock_version):
            raise ValidationError("该信息系统已被他人修改，请刷新页面后重新编辑")
        before = {"name": system.name, "connected": system.connected}
        for k, v in values.items():
            setattr(system, k, v)
        system.department = dept
        system.lock_version += 1
        action = "update"
    try:
        with transaction.atomic():
            system.save()
    except IntegrityError:
        raise ValidationError({"name": [f"“{dept.name}”已登记名为“{values['name']}”的信息系统"]}) from None
    audit.record(f"datashare.system.{action}", actor=actor, obj=system, before=before,
                 after={"name": system.name, "connected": system.connected, "deployment": system.deployment})
    return system


def figures(qs=None) -> dict:
    qs = qs if qs is not None else InfoSystem.objects.all()
    by_dept = list(qs.values("department_id", "department__name")
                   .annotate(total=Count("pk"), connected=Count("pk", filter=Q(connected=True)))
                   .order_by("department__name"))
    for row in by_dept:
        row["rate"] = round(100 * row["connected"] / row["total"], 1) if row["total"] else 0.0
    labels = dict(InfoSystem.Deployment.choices)
    by_deployment = [{"deployment": labels.get(r["deployment"], r["deployment"]), "n": r["n"]}
                     for r in qs.values("deployment").annotate(n=Count("pk")).order_by("-n")]
    per_system = list(qs.annotate(n=Count("resources")).values("pk", "name", "department__name", "n")
                      .order_by("-n", "name")[:200])
    total = sum(r["total"] for r in by_dept)
    connected = sum(r["connected"] for r in by_dept)
    return {"by_department": by_dept, "by_deployment": by_deployment, "per_system": per_system, "total": total,
            "connected": connected, "rate": round(100 * connected / total, 1) if total else 0.0}
