"""抽查计划 pages: the form, the plan page's actions, the public page and its downloads."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhengwu.inspections import draw_rules
from zhengwu.inspections.models import InspectionPlan

from .test_draw_services import data_dir, world  # noqa: F401  (fixtures)


def form_post(w, **kw):
    data = {"name": "餐饮抽查", "department": w["dept"].pk, "region": w["district"].pk, "items": [w["item"].pk],
            "industries": "餐饮", "count": "4", "inspectors_per_object": "2",
            "period_start": "2026-03-01", "period_end": "2026-06-30"}
    data.update(kw)
    return data


@pytest.fixture
def client(world):  # noqa: F811
    c = Client()
    c.force_login(world["admin"])
    return c


def test_form_refuses_bad_input_in_chinese(client, world):  # noqa: F811
    r = client.post("/workbench/inspections/plans/new/", form_post(world, ratio="5"))
    assert r.status_code == 400 and "必须且只能填写其中一项" in r.content.decode()
    r = client.post("/workbench/inspections/plans/new/", form_post(world, period_end="2026-01-01"))
    assert r.status_code == 400 and "不能早于开始日期" in r.content.decode()
    assert not InspectionPlan.objects.exists()


def test_journey_plan_publish_draw_redraw_public(client, world, data_dir):  # noqa: F811
    assert client.get("/workbench/inspections/plans/new/").status_code == 200
    r = client.post("/workbench/inspections/plans/new/", form_post(world))
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = InspectionPlan.objects.get()
    base = f"/workbench/inspections/plans/{plan.pk}/"
    page = client.get(base).content.decode()
    assert "符合条件的检查对象 20 个" in page
    assert client.post(base + "publish/", {"lock_version": plan.lock_version}).status_code == 302
    plan.refresh_from_db()
    anon = Client()
    public = anon.get(f"/inspections/plans/{plan.number}/").content.decode()
    assert plan.seed in public and plan.inputs_digest in public and "尚未抽取" in public
    inputs = json.loads(b"".join(anon.get(f"/inspections/plans/{plan.number}/inputs.json").streaming_content))
    assert inputs["seed"] == plan.seed
    assert client.post(base + "draw/", {"lock_version": plan.lock_version}).status_code == 302
    plan.refresh_from_db()
    r = client.post(base + "redraw/", {"lock_version": plan.lock_version, "reason": ""})
    assert r.status_code == 400 and "重新抽取原因" in r.content.decode()
    assert client.post(base + "redraw/", {"lock_version": plan.lock_version,
                                          "reason": "检查员调离本单位"}).status_code == 302
    public = anon.get(f"/inspections/plans/{plan.number}/").content.decode()
    assert "检查员调离本单位" in public and "第2次抽取" in public
    export = json.loads(b"".join(anon.get(f"/inspections/plans/{plan.number}/draws/2.json").streaming_content))
    assert draw_rules.verify_export(export) == []
    assert anon.get(f"/inspections/plans/{plan.number}/draws/9.json").status_code == 404
    # 在线复核: the public (no login) uploads the export; a changed result is caught.
    assert "/inspections/verify/" in public and "zhengwu inspections verify-draw 文件名" in public
    raw = json.dumps(export, ensure_ascii=False).encode()
    page = anon.post("/inspections/verify/", {"file": SimpleUploadedFile("d.json", raw)}).content.decode()
    assert "一致：按导出文件中的输入和随机种子重新抽取" in page and plan.number in page
    export["result"] = export["result"][1:] + export["result"][:1]
    raw = json.dumps(export, ensure_ascii=False).encode()
    page = anon.post("/inspections/verify/", {"file": SimpleUploadedFile("d.json", raw)}).content.decode()
    assert "不一致" in page
    r = anon.post("/inspections/verify/", {"file": SimpleUploadedFile("d.json", b"not json")})
    assert r.status_code == 400 and "导出文件：不是 JSON 文件" in r.content.decode()
    r = anon.post("/inspections/verify/", {})
    assert r.status_code == 400 and "导出文件：请选择" in r.content.decode()
    assert "在线复核" in anon.get("/inspections/plans/").content.decode()


def test_a_draft_is_not_public(client, world):  # noqa: F811
    client.post("/workbench/inspections/plans/new/", form_post(world))
    plan = InspectionPlan.objects.get()
    assert Client().get(f"/inspections/plans/{plan.number}/").status_code == 404


def test_api_public_and_actions(world):  # noqa: F811
    from tests.helpers import ApiClient
    from zhengwu.inspections.services import plans as svc

    from .test_draw_services import plan_data

    plan = svc.create_plan(world["admin"], plan_data(world))
    api = ApiClient(world["admin"])
    assert api.get(f"inspections/plans/{plan.number}/public").status_code == 404
    r = api.post(f"inspections/plans/{plan.pk}/publish", {"lock_version": plan.lock_version})
    assert r.status_code == 200 and r.json()["state"] == "published"
    r = api.post(f"inspections/plans/{plan.pk}/draw", {"lock_version": r.json()["lock_version"] + 5})
    assert r.status_code == 409 and "刷新" in r.json()["detail"]
    r = api.post(f"inspections/plans/{plan.pk}/draw", {})
    assert r.status_code == 200 and r.json()["draw_seq"] == 1
    r = api.post(f"inspections/plans/{plan.pk}/redraw", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    body = ApiClient().get(f"inspections/plans/{plan.number}/public").json()
    assert body["seed"] and len(body["result"]) == 5 and body["draws"][0]["export_url"].endswith("/draws/1.json")


def test_double_submission_makes_one_plan(client, world):  # noqa: F811
    data = form_post(world, idempotency_key="k-123")
    first = client.post("/workbench/inspections/plans/new/", data)
    second = client.post("/workbench/inspections/plans/new/", data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert InspectionPlan.objects.count() == 1


def test_the_draft_says_how_many_will_be_drawn_and_warns_when_the_count_exceeds_the_pool(client, world):  # noqa: F811
    client.post("/workbench/inspections/plans/new/", form_post(world))
    plan = InspectionPlan.objects.get()
    page = client.get(f"/workbench/inspections/plans/{plan.pk}/").content.decode()
    assert "公布后将抽取 4 个对象" in page and "plan-count-over" not in page
    InspectionPlan.objects.filter(pk=plan.pk).update(count=50)
    page = client.get(f"/workbench/inspections/plans/{plan.pk}/").content.decode()
    assert 'id="plan-count-over"' in page and "将检查全部 20 个对象" in page


def test_region_choices_are_the_users_region_and_below(client, world, other_district):  # noqa: F811
    from zhengwu.org.models import Region

    street = Region.objects.get_or_create(code="410105001000", defaults={"name": "经八路街道",
                                                                          "parent": world["district"]})[0]
    page = client.get("/workbench/inspections/plans/new/")
    offered = set(page.context["form"].fields["region"].queryset)
    assert offered == {world["district"], street}
    html = page.content.decode()
    assert "经八路街道" in html and "中原区" not in html and "河南省" not in html
    r = client.post("/workbench/inspections/plans/new/", form_post(world, region=other_district.pk))
    assert r.status_code == 400 and not InspectionPlan.objects.exists()


def test_a_region_outside_the_scope_is_refused_by_the_service(world, other_district):  # noqa: F811
    from django.core.exceptions import ValidationError

    from zhengwu.inspections.services import plans as svc

    data = {"name": "跨区抽查", "department": world["dept"], "region": other_district, "items": [world["item"]],
            "count": 4, "inspectors_per_object": 2, "period_start": dt.date(2026, 3, 1),
            "period_end": dt.date(2026, 6, 30)}
    with pytest.raises(ValidationError) as exc:
        svc.create_plan(world["admin"], data)
    assert exc.value.message_dict["region"] == ["抽查区域：“中原区”不在您的管辖范围内，请选择本辖区或下级区划"]


def test_the_error_summary_names_each_field_once(client, world):  # noqa: F811
    r = client.post("/workbench/inspections/plans/new/", form_post(world, period_end="2026-01-01"))
    html = r.content.decode()
    assert "<div>检查结束日期：不能早于开始日期</div>" in html
    assert "检查结束日期：检查结束日期：" not in html
    r = client.post("/workbench/inspections/plans/new/", form_post(world, name=""))
    summary = r.context["form"].error_summary()
    assert len(summary) == 1 and summary[0].startswith("计划名称：") and not summary[0].startswith("计划名称：计划名称")
