"""三张清单 and the report of needs nobody has answered."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from tests.datashare.dcat_fixtures import published
from tests.datashare import dcat_fixtures
from zhengwu.core.models import AuditEvent
from zhengwu.datashare.models import DataNeed
from zhengwu.datashare.services import lists

people = dcat_fixtures.people  # the fixture, used by name


def test_need_answered_links_resource(people):
    need = lists.create_need(people.market_admin, {"department": people.market.pk, "provider": people.police.pk,
                                                   "description": "核验法定代表人身份", "fields_wanted": "姓名"})
    with pytest.raises(PermissionDenied):
        lists.create_need(people.market_admin, {"department": people.police.pk, "description": "x"})
    with pytest.raises(ValidationError) as exc:
        lists.create_need(people.market_admin, {"department": people.market.pk, "description": " "})
    assert exc.value.message_dict["description"] == ["所需数据不能为空"]
    with pytest.raises(PermissionDenied):  # the asking department does not answer its own need
        lists.answer_need(people.market_admin, need.pk, resource=None)
    r = published(people.data_admin, people.police)
    need = lists.answer_need(people.police_admin, need.pk, resource=r.pk, answer="已编目")
    assert (need.status, need.resource, need.answered_at is not None) == ("answered", r, True)
    assert list(r.needs.all()) == [need]
    with pytest.raises(ValidationError):
        lists.answer_need(people.police_admin, need.pk, resource=r.pk)
    assert AuditEvent.objects.filter(action="datashare.need.answer", object_id=str(need.pk)).exists()


def test_decline_needs_reason(people):
    need = lists.create_need(people.market_admin, {"department": people.market.pk, "provider": people.police.pk,
                                                   "description": "x"})
    with pytest.raises(ValidationError):
        lists.answer_need(people.police_admin, need.pk, decline=True, answer="")
    assert lists.answer_need(people.police_admin, need.pk, decline=True, answer="涉及国家秘密").status == "declined"


def test_duty_and_negative(people):
    with pytest.raises(PermissionDenied):
        lists.create_duty(people.police_admin, {"department": people.police.pk, "description": "x"})
    with pytest.raises(ValidationError) as exc:
        lists.create_duty(people.data_admin, {"department": people.police.pk, "description": "x",
                                              "due_date": "明天"})
    assert "完成时限" in exc.value.message_dict["due_date"][0]
    duty = lists.create_duty(people.data_admin, {"department": people.police.pk, "description": "人口信息",
                                                 "due_date": "2026-12-31"})
    assert lists.mark_duty_done(people.police_admin, duty.pk).done
    with pytest.raises(ValidationError) as exc:
        lists.create_negative(people.police_admin, {"department": people.police.pk, "description": "户籍档案",
                                                    "legal_basis": ""})
    assert exc.value.message_dict["legal_basis"] == ["法律法规依据不能为空"]
    entry = lists.create_negative(people.police_admin, {"department": people.police.pk, "description": "户籍档案",
                                                        "legal_basis": "《档案法》第二十八条"})
    assert entry.legal_basis.startswith("《档案法》")


def test_unanswered_report(people, client):
    now = timezone.now()
    for dept, days in [(people.market, 40), (people.market, 35), (people.police, 50), (people.police, 3)]:
        n = lists.create_need(people.data_admin, {"department": dept.pk, "description": f"需要{days}"})
        DataNeed.objects.filter(pk=n.pk).update(created_at=now - dt.timedelta(days=days))
    answered = lists.create_need(people.data_admin, {"department": people.police.pk, "description": "已答"})
    DataNeed.objects.filter(pk=answered.pk).update(created_at=now - dt.timedelta(days=90), status="answered")
    rows = lists.unanswered_needs(30, now=now)
    assert [(r["department__name"], r["n"]) for r in rows] == [("市场监管局", 2), ("公安分局", 1)]
    assert [r["n"] for r in lists.unanswered_needs(1, now=now)] == [2, 2]

    client.force_login(people.data_admin)
    page = client.get("/workbench/data/lists/unanswered/?days=30")
    assert page.status_code == 200 and "市场监管局" in page.content.decode()
    xlsx = client.get("/workbench/data/lists/unanswered/?days=30&format=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in ws[2]][:2] == ["市场监管局", 2]
    # a department sees its own needs only
    client.force_login(people.police_admin)
    assert "市场监管局" not in client.get("/workbench/data/lists/unanswered/?days=30").content.decode()


def test_list_pages(people, client):
    r = published(people.data_admin, people.police)
    client.force_login(people.market_admin)
    response = client.post("/workbench/data/lists/needs/", {"department": people.market.pk,
                                                            "provider": people.police.pk,
                                                            "description": "页面登记的需求"})
    assert response.status_code == 302
    need = DataNeed.objects.get(description="页面登记的需求")
    again = client.post("/workbench/data/lists/needs/", {"department": people.market.pk, "provider": people.police.pk,
                                                         "description": "页面登记的需求"})
    assert again.status_code == 200 and "已登记过相同的待响应需求" in again.content.decode()
    assert DataNeed.objects.filter(description="页面登记的需求").count() == 1
    client.force_login(people.data_admin)
    for kind in ("needs", "duties", "negative"):
        page = client.get(f"/workbench/data/lists/{kind}/")
        assert page.status_code == 200
    assert "页面登记的需求" in client.get("/workbench/data/lists/").content.decode()
    client.force_login(people.police_admin)
    client.post(f"/workbench/data/needs/{need.pk}/answer/", {"resource": r.pk, "answer": "可用"})
    need.refresh_from_db()
    assert need.status == "answered" and need.resource == r
    response = client.post("/workbench/data/lists/negative/", {"department": people.police.pk,
                                                               "description": "x", "legal_basis": ""})
    assert response.status_code == 200 and "法律法规依据不能为空" in response.content.decode()
