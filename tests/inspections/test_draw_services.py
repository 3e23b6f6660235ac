"""抽查计划 services: create, publish (digest + seed before the draw), draw, redraw, the export and
verify-draw, refusals with nothing half-written."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from zhengwu.core.identifiers import make_uscc
from zhengwu.core.models import AuditEvent
from zhengwu.inspections import draw_rules
from zhengwu.inspections.models import (
    Draw,
    InspectedObject,
    InspectionPlan,
    InspectionTask,
    Inspector,
    InspectorConflict,
    SupervisionItem,
    TaskInspector,
)
from zhengwu.inspections.services import plans as svc
from zhengwu.inspections.services import pool


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def world(district, dept, make_department, make_staff):
    other = make_department(name="卫生健康委")
    admin = make_staff("dept_admin", department=dept)
    item = SupervisionItem.objects.create(department=dept, name="食品经营许可事项检查", legal_basis="《食品安全法》")
    valid = dt.date.today() + dt.timedelta(days=365)
    inspectors = [Inspector.objects.create(name=f"检查员{i}", cert_number=f"ZF{i:05d}", department=dept, region=district,
                                           valid_until=valid) for i in range(6)]
    Inspector.objects.create(name="过期", cert_number="ZF-EXP", department=dept, region=district,
                             valid_until=dt.date.today() - dt.timedelta(days=1))
    Inspector.objects.create(name="暂停", cert_number="ZF-SUS", department=dept, region=district, valid_until=valid,
                             status=Inspector.Status.SUSPENDED)
    health = [Inspector.objects.create(name=f"卫健{i}", cert_number=f"WJ{i:05d}", department=other, region=district,
                                       valid_until=valid) for i in range(3)]
    objects = [InspectedObject.objects.create(name=f"企业{i}", uscc=make_uscc("9", "1", "410105", f"D{i:07d}"),
                                              industry="餐饮" if i % 2 else "零售", region_code="410105001000",
                                              risk_level="C" if i < 10 else "B") for i in range(40)]
    return {"dept": dept, "other": other, "admin": admin, "item": item, "inspectors": inspectors, "health": health,
            "objects": objects, "district": district}


def plan_data(w, **kw):
    data = {"name": "2026年食品经营抽查", "department": w["dept"], "region": w["district"], "items": [w["item"]],
            "object_filter": {"industries": ["餐饮"]}, "ratio": None, "count": 5, "inspectors_per_object": 2,
            "period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 6, 30)}
    data.update(kw)
    return data


def test_pool_and_objects(world):
    plan = svc.create_plan(world["admin"], plan_data(world))
    assert list(pool.eligible_inspectors(plan)) == world["inspectors"]  # not expired, not suspended
    assert pool.eligible_objects(plan).count() == 20
    plan.joint_departments.set([world["other"]])
    assert pool.eligible_inspectors(plan).count() == 9
    plan.pool.set(world["inspectors"][:3])
    assert list(pool.eligible_inspectors(plan)) == world["inspectors"][:3]


def test_publish_then_draw_then_redraw(world, data_dir):
    admin = world["admin"]
    plan = svc.create_plan(admin, plan_data(world))
    assert plan.number.startswith("CJ") and plan.state == "draft"
    plan = svc.publish(plan, admin, plan.lock_version)
    assert plan.state == "published" and len(plan.seed) == 64 and len(plan.inputs_digest) == 64
    assert not Draw.objects.filter(plan=plan).exists()  # the seed is public before anything is drawn
    published = json.loads((data_dir / svc.inputs_file(plan)).read_text("utf-8"))
    assert published["seed"] == plan.seed and published["inputs_digest"] == plan.inputs_digest

    first = svc.draw(plan, admin)
    plan.refresh_from_db()
    assert plan.state == "drawn" and first.seq == 1 and first.seed == plan.seed
    tasks = list(first.tasks.all())
    assert len(tasks) == 5 and all(t.inspected.industry == "餐饮" for t in tasks)
    assert all(t.assignments.count() == 2 and t.assignments.filter(lead=True).count() == 1 for t in tasks)
    export = json.loads(Path(data_dir / first.export_path).read_text("utf-8"))
    assert draw_rules.verify_export(export) == []
    assert [o for o, _ in export["result"]] == [t.inspected_id for t in sorted(tasks, key=lambda t: t.pk)]

    with pytest.raises(ValidationError, match="重新抽取原因"):
        svc.redraw(plan, admin, "")
    second = svc.redraw(plan, admin, "一名执法人员调离，重新抽取")
    first.refresh_from_db()
    assert not first.is_current and second.is_current and second.seq == 2
    assert first.tasks.count() == 5  # kept for history
    assert second.seed == svc.plan_rules.redraw_seed(plan.seed, 2)
    assert draw_rules.verify_export(json.loads((data_dir / second.export_path).read_text("utf-8"))) == []
    actions = set(AuditEvent.objects.filter(object_id=str(plan.pk)).values_list("action", flat=True))
    assert {"inspections.plan.create", "inspections.plan.publish", "inspections.plan.draw",
            "inspections.plan.redraw"} <= actions


def test_draw_twice_is_refused(world):
    admin = world["admin"]
    plan = svc.publish(svc.create_plan(admin, plan_data(world)), admin)
    svc.draw(plan, admin)
    with pytest.raises(ValidationError):
        svc.draw(plan, admin)
    assert Draw.objects.filter(plan=plan).count() == 1


def test_stale_version_is_refused(world):
    admin = world["admin"]
    plan = svc.create_plan(admin, plan_data(world))
    with pytest.raises(svc.StalePlan):
        svc.publish(plan, admin, plan.lock_version + 1)


def test_refusals_leave_nothing(world):
    admin = world["admin"]
    with pytest.raises(ValidationError) as exc:
        svc.create_plan(admin, plan_data(world, ratio="5", count=3))
    assert "ratio" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.create_plan(admin, plan_data(world, count=None))
    assert "ratio" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.create_plan(admin, plan_data(world, inspectors_per_object=1))
    assert "inspectors_per_object" in exc.value.message_dict
    assert not InspectionPlan.objects.exists()

    empty = svc.create_plan(admin, plan_data(world, object_filter={"industries": ["采矿"]}))
    with pytest.raises(ValidationError, match="没有符合条件"):
        svc.publish(empty, admin)
    empty.refresh_from_db()
    assert empty.state == "draft" and not empty.seed


def test_a_pool_short_for_one_object_names_it(world):
    admin = world["admin"]
    plan = svc.create_plan(admin, plan_data(world, pool=world["inspectors"][:3]))
    target = world["objects"][1]
    for ins in world["inspectors"][:2]:
        InspectorConflict.objects.create(inspector=ins, inspected=target, reason="亲属关系")
    with pytest.raises(ValidationError) as exc:
        svc.publish(plan, admin)
    assert target.name in str(exc.value) and target.uscc in str(exc.value)
    plan.refresh_from_db()
    assert plan.state == "draft"


def test_last_time_inspectors_are_not_sent_again(world):
    admin = world["admin"]
    first = svc.publish(svc.create_plan(admin, plan_data(world, count=20, pool=world["inspectors"][:4])), admin)
    svc.draw(first, admin)
    last = {t.inspected_id: set(t.inspectors.values_list("pk", flat=True)) for t in InspectionTask.objects.all()}
    second = svc.publish(svc.create_plan(admin, plan_data(world, count=20, pool=world["inspectors"][:4])), admin)
    svc.draw(second, admin)
    for t in InspectionTask.objects.filter(plan=second):
        assert not (set(t.inspectors.values_list("pk", flat=True)) & last[t.inspected_id])


def test_joint_plan(world):
    admin = world["admin"]
    plan = svc.create_plan(admin, plan_data(world, joint_departments=[world["other"]], count=6))
    svc.draw(svc.publish(plan, admin), admin)
    for t in InspectionTask.objects.filter(plan=plan):
        deps = {a.inspector.department_id for a in TaskInspector.objects.filter(task=t).select_related("inspector")}
        assert deps == {world["dept"].pk, world["other"].pk}
        assert TaskInspector.objects.get(task=t, lead=True).inspector.department_id == world["dept"].pk


def test_other_department_may_not_manage(world, make_staff):
    stranger = make_staff("dept_admin", department=world["other"])
    with pytest.raises(PermissionDenied):
        svc.create_plan(stranger, plan_data(world))
    plan = svc.create_plan(world["admin"], plan_data(world))
    with pytest.raises(PermissionDenied):
        svc.publish(plan, stranger)


def test_verify_draw_command(world, data_dir):
    admin = world["admin"]
    row = svc.draw(svc.publish(svc.create_plan(admin, plan_data(world)), admin), admin)
    path = data_dir / row.export_path
    out = StringIO()
    call_command("inspections", "verify-draw", str(path), stdout=out)
    assert "一致" in out.getvalue() and "不一致" not in out.getvalue()
    data = json.loads(path.read_text("utf-8"))
    data["result"][0][1] = data["result"][0][1][::-1]
    bad = data_dir / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("inspections", "verify-draw", str(bad), stdout=out)
    assert exc.value.code == 1 and "不一致" in out.getvalue()


def test_edit_a_draft_only_and_with_the_current_version(world):
    admin = world["admin"]
    plan = svc.create_plan(admin, plan_data(world))
    with pytest.raises(svc.StalePlan):
        svc.update_plan(admin, plan.pk, plan.lock_version + 1, plan_data(world, name="改名"))
    plan = svc.update_plan(admin, plan.pk, plan.lock_version, plan_data(world, name="改名", count=None, ratio="10"))
    assert plan.name == "改名" and plan.count is None and plan.ratio == 10
    svc.publish(plan, admin)
    with pytest.raises(ValidationError, match="不能修改计划"):
        svc.update_plan(admin, plan.pk, None, plan_data(world))


def test_no_redraw_once_results_are_recorded(world):
    admin = world["admin"]
    plan = svc.publish(svc.create_plan(admin, plan_data(world)), admin)
    row = svc.draw(plan, admin)
    row.tasks.filter(pk=row.tasks.first().pk).update(result="ok")
    with pytest.raises(ValidationError, match="已有检查结果"):
        svc.redraw(plan, admin, "执法人员调离本单位")
    assert Draw.objects.filter(plan=plan).count() == 1
