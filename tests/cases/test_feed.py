"""The 办件 feed (上报省级平台): a record at 受理, 不予受理 and 办结 in the transaction of the change,
with the national 办件信息 fields the case has and the applicant's personal data masked."""

import pytest
from django.db import transaction

from zhengwu.cases.models import Case
from zhengwu.cases.services import applying, approval, intake
from zhengwu.core.models import FeedRecord

pytestmark = pytest.mark.django_db


def fresh(case):
    return Case.objects.get(pk=case.pk)


def records(case):
    return list(FeedRecord.objects.filter(feed="cases", object_id=str(case.pk)).order_by("pk"))


def test_accept_and_conclude_records_with_the_national_fields(submitted_case, window_staff, approver, item, dept,
                                                              citizen):
    assert records(submitted_case) == []  # a submission is not a feed event
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    [accepted] = records(case)
    p = accepted.payload
    assert (accepted.event, accepted.object_ref, accepted.version) == ("accepted", case.number, fresh(case).lock_version)
    assert p["办件编号"] == case.number and p["事项名称"] == "食品经营许可证核发" and p["实施编码"] == "X"
    assert p["受理部门"] == dept.name and p["受理部门统一社会信用代码"] == dept.uscc
    assert p["所属区划"] == "410105000000" and p["申报渠道"] == "网上申报" and p["受理方式"] == "一般受理"
    assert p["受理日期"] == fresh(case).accepted_on.isoformat() and p["承诺时限（工作日）"] == 10
    assert p["承诺办结日期"] == fresh(case).due_date.isoformat() and p["办结时间"] is None and p["事件"] == "受理"
    approval.act_on_step(approver, fresh(case), "review", "pass", fresh(case).lock_version)
    approval.act_on_step(approver, fresh(case), "decide", "pass", fresh(case).lock_version)
    rows = records(case)
    assert [r.event for r in rows] == ["accepted", "concluded"]
    done = rows[1].payload
    assert done["办理结果"] == "准予" and done["按时办结"] is True and done["是否超期"] is False
    assert done["办结时间"] and done["办件状态"] == "已办结"


def test_a_natural_person_goes_up_masked(submitted_case, window_staff, citizen):
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    p = records(case)[0].payload
    clear_id = citizen.applicant.id_number.reveal_unaudited()
    assert p["申请人类型"] == "自然人" and p["申请人名称"] == "王**" and p["证件类型"] == "居民身份证"
    assert p["证件号码"] == clear_id[:4] + "*" * 10 + clear_id[-4:]
    flat = str(p)
    assert clear_id not in flat and "王小吃" not in flat and "13800000000" not in flat
    assert "shop_name" not in flat and "老王小吃" not in flat  # form data never goes


def test_an_enterprise_goes_up_with_its_name_and_uscc(item, window_staff, pdf):
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    firm = register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT7Q"),
                          legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                          phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")
    case = applying.create_draft(firm, item, form_data={"shop_name": "示范餐厅", "area": 80})
    for m in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(firm, case, pdf(), name=m)
    case = applying.submit(firm, fresh(case), fresh(case).lock_version)
    case = intake.accept(window_staff, case, fresh(case).lock_version)
    p = records(case)[0].payload
    assert p["申请人类型"] == "法人" and p["申请人名称"] == "金水示范餐饮有限公司"
    assert p["证件类型"] == "统一社会信用代码" and p["证件号码"] == firm.applicant.uscc
    assert "刘企业" not in str(p)  # the legal representative is not needed upward


def test_refusal_is_a_record(submitted_case, window_staff):
    case = intake.refuse(window_staff, submitted_case, submitted_case.lock_version, "不属于本部门职权",
                         "《行政许可法》第三十二条")
    [refused] = records(case)
    assert refused.event == "refused" and refused.payload["办理结果"] == "不予受理"
    assert "第三十二条" in refused.payload["不予受理理由"]


def test_a_rolled_back_acceptance_leaves_no_record(submitted_case, window_staff):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            intake.accept(window_staff, submitted_case, submitted_case.lock_version)
            assert len(records(submitted_case)) == 1
            raise RuntimeError("the request failed after the acceptance")
    assert records(submitted_case) == [] and fresh(submitted_case).state == "submitted"


def test_a_refused_transition_writes_no_record(submitted_case, window_staff, approver):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        approval.act_on_step(approver, fresh(submitted_case), "review", "pass", fresh(submitted_case).lock_version)
    assert records(submitted_case) == []


def test_delivery_goes_up_as_the_delivered_event(submitted_case, window_staff, approver):
    """送达: the 办件 record of the result reaching the applicant — how and when, no address."""
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    approval.act_on_step(approver, fresh(case), "review", "pass", fresh(case).lock_version)
    approval.act_on_step(approver, fresh(case), "decide", "pass", fresh(case).lock_version)
    case = fresh(case)
    approval.deliver(window_staff, case, case.lock_version, "mail", address="郑州市金水区花园路88号3单元",
                     carrier="中国邮政EMS", tracking_number="EM123456789CN")
    rows = records(case)
    assert [r.event for r in rows] == ["accepted", "concluded", "delivered"]
    p = rows[-1].payload
    assert p["事件"] == "送达" and p["办件状态"] == "已送达" and p["送达方式"] == "邮寄送达" and p["送达时间"]
    assert rows[-1].version == fresh(case).lock_version
    assert rows[1].payload["送达方式"] == "" and rows[1].payload["送达时间"] is None
    flat = str(p)
    assert "花园路" not in flat and "EM123456789CN" not in flat
