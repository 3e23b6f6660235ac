"""抽查计划: the ONE write path of plans, their publication, draws and redraws.

- create / edit a draft (the lead department's 部门管理员 or 审批人员);
- ``publish``: the eligible objects and inspectors, the conflicts and the previous checks are fixed
  into a canonical JSON (written as the public inputs file), its SHA-256 is the inputs digest, and
  the seed is chosen now (``os.urandom``) and shown publicly before anything is drawn;
- ``draw``: the pure :func:`~zhengwu.inspections.draw_rules.draw` over the published inputs and
  seed; Draw seq 1, its tasks and inspectors, and the public export (inputs + seed + algorithm +
  result) for ``zhengwu inspections verify-draw``;
- ``redraw``: with a public reason; the inputs are taken again (inspectors who left, objects
  closed) and the seed is derived from the published one (:func:`plan_rules.redraw_seed`).

Each in one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.errors import NotFound
from zhengwu.core.transitions import Lifecycle, Stale
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role, scope, staff_departments

from .. import draw_rules, plan_rules
from ..models import (
    Draw,
    InspectedObject,
    InspectionPlan,
    InspectionTask,
    Inspector,
    TaskInspector,
)
from . import pool as pool_svc

PLAN_ROLES = (Role.DEPT_ADMIN, Role.APPROVER)
BUREAU_ROLES = (Role.SUPERVISOR, Role.LEADER)
EXPORT_DIR = "inspections/draws"  # under settings.DATA_DIR


class StalePlan(Stale):
    message = "该抽查计划已被他人修改，请刷新页面后重试"


class PlanNotFound(NotFound):
    message = "抽查计划不存在或无权查看"


LIFECYCLE = Lifecycle(plan_rules.MACHINE, InspectionPlan, stale=StalePlan, audit_prefix="inspections.plan",
                      missing=PlanNotFound)


def _nothing(before, target) -> None:  # the audit event (and the Draw rows) are the plan's history
    return None


# -- who may see and do what ------------------------------------------------------------------------
def may_manage(user, plan: InspectionPlan) -> bool:
    return has_role(user, *PLAN_ROLES, department=plan.department)


def _require(user, plan: InspectionPlan) -> None:
    if not may_manage(user, plan):
        raise PermissionDenied("仅牵头部门的部门管理员或审批人员可以办理抽查计划")


def _require_region(user, plan: InspectionPlan) -> None:
    """抽查区域: the user's region or one below it (staff_regions offers no other)."""
    if plan.region is not None and not has_role(user, *PLAN_ROLES, region_code=plan.region.code):
        raise ValidationError({"region": [f"抽查区域：“{plan.region.name}”不在您的管辖范围内，请选择本辖区或下级区划"]})


def visible(user):
    qs = InspectionPlan.objects.select_related("department", "region")
    own = scope(qs, user, (*PLAN_ROLES, *BUREAU_ROLES), department_field="department").values("pk")
    joint = InspectionPlan.objects.filter(joint_departments__in=staff_departments(user, PLAN_ROLES)).values("pk")
    return qs.filter(Q(pk__in=own) | Q(pk__in=joint)).order_by("-created_at", "-pk")


def get_visible(user, pk) -> InspectionPlan:
    plan = visible(user).filter(pk=pk).first()
    if plan is None:
        raise PlanNotFound()
    return plan


# -- the draft ----------------------------------------------------------------------------------------
FIELDS = ("name", "department", "region", "object_filter", "ratio", "count", "inspectors_per_object",
          "period_start", "period_end")


def _clean(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = ["计划名称：必填"]
    if data.get("department") is None:
        errors["department"] = ["牵头部门：请选择"]
    if data.get("region") is None:
        errors["region"] = ["抽查区域：请选择"]
    if not data.get("items"):
        errors["items"] = ["抽查事项：至少选择一项监管事项"]
    try:
        draw_rules.sample_size(data.get("count"), data.get("ratio"), 1)
    except draw_rules.DrawRefused as exc:
        errors.setdefault(exc.field or "ratio", []).append(exc.message)
    per = data.get("inspectors_per_object") or draw_rules.MIN_INSPECTORS
    if int(per) < draw_rules.MIN_INSPECTORS:
        errors["inspectors_per_object"] = [f"每个对象执法人员数：至少{draw_rules.MIN_INSPECTORS}人（法定最低人数）"]
    start, end = data.get("period_start"), data.get("period_end")
    if not isinstance(start, dt.date):
        errors["period_start"] = ["检查开始日期：请填写日期，如 2026-03-01"]
    if not isinstance(end, dt.date):
        errors["period_end"] = ["检查结束日期：请填写日期，如 2026-06-30"]
    elif isinstance(start, dt.date) and end < start:
        errors["period_end"] = ["检查结束日期：不能早于开始日期"]
    f = data.get("object_filter") or {}
    unknown = set(f) - {"categories", "industries", "risk_levels", "region_prefixes"}
    if unknown or any(not isinstance(v, list) for v in f.values()):
        errors["object_filter"] = ["检查对象条件：只能按对象类别、行业、风险等级、区划代码前缀筛选"]
    bad_risk = set(f.get("risk_levels") or []) - set(InspectedObject.Risk.values)
    if bad_risk:
        errors["object_filter"] = [f"检查对象条件：风险等级只能是 A、B、C、D（不认识：{'、'.join(sorted(bad_risk))}）"]
    if errors:
        raise ValidationError(errors)
    ratio, count = data.get("ratio"), data.get("count")
    return {**data, "name": name, "inspectors_per_object": int(per),
            "ratio": None if ratio in (None, "") else Decimal(str(ratio)),
            "count": None if count in (None, "") else int(count),
            "object_filter": {k: v for k, v in f.items() if v}}


def _apply(plan: InspectionPlan, data: dict) -> None:
    for key in FIELDS:
        setattr(plan, key, data.get(key))
    plan.ratio = data.get("ratio") or None


def _set_relations(plan: InspectionPlan, data: dict) -> None:
    plan.items.set(data["items"])
    plan.joint_departments.set([d for d in data.get("joint_departments") or [] if d.pk != plan.department_id])
    plan.pool.set(data.get("pool") or [])


def create_plan(user, data: dict, *, idempotency_key: str | None = None) -> InspectionPlan:
    """A draft plan. A repeated ``idempotency_key`` (a double submission) returns the first plan."""
    key = (str(idempotency_key).strip()[:64] or None) if idempotency_key else None
    if key and (found := InspectionPlan.objects.filter(idempotency_key=key).first()) is not None:
        return found
    data = _clean(data)
    plan = InspectionPlan(created_by=user, number=uuid.uuid4().hex[:32], idempotency_key=key)
    _apply(plan, data)
    _require(user, plan)
    _require_region(user, plan)
    try:
        with transaction.atomic():
            _create(user, plan, data)
    except IntegrityError:
        found = InspectionPlan.objects.filter(idempotency_key=key).first() if key else None
        if found is None:
            raise
        return found
    return plan


def _create(user, plan: InspectionPlan, data: dict) -> None:
    plan.save()
    plan.number = f"CJ{timezone.localdate().year}{plan.pk:06d}"
    plan.save(update_fields=["number"])
    _set_relations(plan, data)
    audit.record("inspections.plan.create", actor=user, obj=plan,
                 after={"number": plan.number, "name": plan.name, "department": plan.department_id})


def update_plan(user, pk: int, expected_version: int | None, data: dict) -> InspectionPlan:
    data = _clean(data)
    with transaction.atomic():
        plan = LIFECYCLE.lock(pk, expected_version)
        _require(user, plan)
        LIFECYCLE.check(plan, "edit")
        _apply(plan, data)
        _require(user, plan)  # also for the new lead department
        _require_region(user, plan)
        plan.lock_version += 1
        plan.save()
        _set_relations(plan, data)
        audit.record("inspections.plan.edit", actor=user, obj=plan, after={"name": plan.name})
    return plan


def cancel(plan: InspectionPlan, user, expected_version: int | None = None) -> InspectionPlan:
    with transaction.atomic():
        plan = LIFECYCLE.lock(plan.pk, expected_version)
        _require(user, plan)
        LIFECYCLE.move(plan, "cancel", None, user, history=_nothing)
    return plan


# -- files: the published inputs and each draw's export --------------------------------------------------
def _write(rel: str, payload: dict) -> str:
    path = Path(settings.DATA_DIR) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    tmp.write_bytes(draw_rules.canonical(payload))
    os.replace(tmp, path)
    return rel


def public_file(rel: str) -> Path | None:
    """The absolute path of a published file (None when missing or outside the export folder)."""
    root = (Path(settings.DATA_DIR) / EXPORT_DIR).resolve()
    path = (Path(settings.DATA_DIR) / rel).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def inputs_file(plan: InspectionPlan) -> str:
    return f"{EXPORT_DIR}/{plan.number}-inputs.json"


def _labels_of_failure(exc: draw_rules.DrawRefused) -> ValidationError:
    message = exc.message
    if exc.object_id is not None:
        obj = InspectedObject.objects.filter(pk=exc.object_id).first()
        if obj is not None:
            name = f"{obj.name}（{obj.uscc}）" if obj.uscc else obj.name
            message = message.replace(f"“编号{exc.object_id}”", f"“{name}”")
    return ValidationError({exc.field or "__all__": [message]})


def _plan_info(plan: InspectionPlan) -> dict:
    return {"number": plan.number, "name": plan.name, "department": plan.department.name,
            "joint_departments": sorted(d.name for d in plan.joint_departments.all()),
            "items": sorted(i.name for i in plan.items.all()), "object_filter": plan.object_filter,
            "period": [plan.period_start.isoformat(), plan.period_end.isoformat()]}


# -- publish, draw, redraw ----------------------------------------------------------------------------
def publish(plan: InspectionPlan, user, expected_version: int | None = None) -> InspectionPlan:
    with transaction.atomic():
        plan = LIFECYCLE.lock(plan.pk, expected_version, InspectionPlan.objects.select_related("department"))
        _require(user, plan)
        LIFECYCLE.check(plan, "publish")
        inputs = pool_svc.gather(plan)
        try:
            draw_rules.check(inputs)
        except draw_rules.DrawRefused as exc:
            raise _labels_of_failure(exc) from None
        inputs_json = draw_rules.inputs_to_json(inputs)
        plan.inputs_digest = draw_rules.digest(inputs_json)
        plan.seed = os.urandom(32).hex()
        plan.published_at = timezone.now()
        _write(inputs_file(plan), {"format": draw_rules.EXPORT_FORMAT, "algorithm": draw_rules.ALGORITHM,
                                   "plan": _plan_info(plan), "inputs": inputs_json,
                                   "inputs_digest": plan.inputs_digest, "seed": plan.seed,
                                   "published_at": plan.published_at.isoformat()})
        LIFECYCLE.move(plan, "publish", None, user, fields=("inputs_digest", "seed", "published_at"),
                       history=_nothing, audit_after={"inputs_digest": plan.inputs_digest, "seed": plan.seed,
                                                      "objects": len(inputs.objects),
                                                      "inspectors": len(inputs.inspectors)})
    return plan


def _published_inputs(plan: InspectionPlan) -> tuple[draw_rules.DrawInputs, dict]:
    path = public_file(inputs_file(plan))
    if path is None:
        raise ValidationError("抽查条件文件缺失，无法按公布的条件抽取，请联系系统管理员")
    data = json.loads(path.read_text("utf-8"))
    inputs = draw_rules.inputs_from_json(data["inputs"])
    inputs_json = draw_rules.inputs_to_json(inputs)
    if draw_rules.digest(inputs_json) != plan.inputs_digest:
        raise ValidationError("抽查条件文件与公布的摘要不一致，已停止抽取，请联系系统管理员")
    return inputs, inputs_json


def _record_draw(plan, user, inputs, seed, seq, reason="", inputs_json=None) -> Draw:
    try:
        result = draw_rules.draw(inputs, seed)
    except draw_rules.DrawRefused as exc:
        raise _labels_of_failure(exc) from None
    now = timezone.now()
    objects = {o.pk: o for o in InspectedObject.objects.filter(pk__in=[o for o, _ in result])}
    inspector_ids = {i for _o, team in result for i in team}
    inspectors = {i.pk: i for i in Inspector.objects.filter(pk__in=inspector_ids)}
    labels = {"objects": {str(o): {"name": objects[o].name, "uscc": objects[o].uscc or ""} for o, _ in result},
              "inspectors": {str(i): {"name": inspectors[i].name, "cert_number": inspectors[i].cert_number}
                             for i in sorted(inspector_ids)}}
    rel = f"{EXPORT_DIR}/{plan.number}-{seq}.json"
    export = draw_rules.build_export(inputs, seed, result, plan=_plan_info(plan), labels=labels,
                                     draw_info={"seq": seq, "reason": reason, "drawn_at": now.isoformat(),
                                                "plan_seed": plan.seed}, inputs_json=inputs_json)
    row = Draw.objects.create(plan=plan, seq=seq, seed=seed, algorithm=draw_rules.ALGORITHM,
                              inputs_digest=export["inputs_digest"], result_digest=export["result_digest"],
                              export_path=rel, reason=reason, is_current=True, drawn_by=user, drawn_at=now)
    tasks = InspectionTask.objects.bulk_create([InspectionTask(draw=row, plan=plan, inspected_id=o) for o, _ in result])
    TaskInspector.objects.bulk_create([TaskInspector(task=task, inspector_id=i, lead=(k == 0))
                                       for task, (_o, team) in zip(tasks, result) for k, i in enumerate(team)])
    _write(rel, export)
    return row


def draw(plan: InspectionPlan, user, expected_version: int | None = None) -> Draw:
    with transaction.atomic():
        plan = LIFECYCLE.lock(plan.pk, expected_version, InspectionPlan.objects.select_related("department"))
        _require(user, plan)
        LIFECYCLE.check(plan, "draw")
        inputs, inputs_json = _published_inputs(plan)
        row = _record_draw(plan, user, inputs, plan.seed, 1, inputs_json=inputs_json)
        LIFECYCLE.move(plan, "draw", None, user, history=_nothing,
                       audit_after={"draw": row.seq, "result_digest": row.result_digest, "tasks": row.tasks.count()})
    return row


def redraw(plan: InspectionPlan, user, reason: str, expected_version: int | None = None) -> Draw:
    reason = (reason or "").strip()
    if len(reason) < plan_rules.REASON_MIN:
        raise ValidationError({"reason": [f"重新抽取原因：必填，不少于{plan_rules.REASON_MIN}个字，将向社会公开"]})
    if len(reason) > 300:
        raise ValidationError({"reason": ["重新抽取原因：不超过300个字"]})
    with transaction.atomic():
        plan = LIFECYCLE.lock(plan.pk, expected_version, InspectionPlan.objects.select_related("department"))
        _require(user, plan)
        LIFECYCLE.check(plan, "redraw")
        current = Draw.objects.select_for_update().filter(plan=plan, is_current=True).first()
        if current is not None and current.tasks.exclude(result="").exists():
            raise ValidationError({"reason": ["本次抽取已有检查结果录入，不能重新抽取"]})
        seq = (Draw.objects.filter(plan=plan).aggregate(m=Max("seq"))["m"] or 0) + 1
        Draw.objects.filter(plan=plan, is_current=True).update(is_current=False)
        row = _record_draw(plan, user, pool_svc.gather(plan), plan_rules.redraw_seed(plan.seed, seq), seq, reason)
        LIFECYCLE.move(plan, "redraw", None, user, history=_nothing,
                       audit_after={"draw": seq, "reason": reason, "result_digest": row.result_digest})
    return row


# -- reads ------------------------------------------------------------------------------------------------
def current_draw(plan: InspectionPlan) -> Draw | None:
    return plan.draws.filter(is_current=True).first()


def result_rows(drawn: Draw | None) -> list[dict]:
    """The tasks of a draw with their inspectors (lead first), in draw order."""
    if drawn is None:
        return []
    tasks = list(drawn.tasks.select_related("inspected").order_by("pk"))
    teams: dict[int, list] = {}
    for a in (TaskInspector.objects.filter(task__draw=drawn).select_related("inspector")
              .order_by("task_id", "-lead", "pk")):
        teams.setdefault(a.task_id, []).append(a.inspector)
    return [{"task": t, "object": t.inspected, "inspectors": teams.get(t.pk, [])} for t in tasks]
