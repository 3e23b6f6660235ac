"""The 12345 工单 feed (上报省级平台): a record at 受理, 回访 and 办结 in the transaction of the
change, and a payload without the caller's phone, with the name masked and the numbers typed into
the content masked."""

import pytest
from django.db import transaction

from zhengwu.core.models import FeedRecord
from zhengwu.hotline import services
from zhengwu.hotline.models import KnowledgeArticle

pytestmark = pytest.mark.django_db


def records(ticket):
    return list(FeedRecord.objects.filter(feed="hotline", object_id=str(ticket.pk)).order_by("pk"))


def test_created_callback_closed_records_along_the_journey(new_ticket, centre, handler, market):
    t = new_ticket(content="饭店卫生差，我的电话13912345678，身份证41010519900307123X，请联系我。")
    [created] = records(t)
    assert (created.event, created.object_ref, created.version, created.status) == ("created", t.number, 0, "pending")
    p = created.payload
    assert p["工单编号"] == t.number and p["诉求类型"] == "投诉" and p["所属区划"] == t.region_code
    assert p["诉求分类"] == "市场监管/食品安全/餐饮卫生" and p["事件"] == "受理"
    t = services.dispatch(centre, t, t.lock_version, market.pk)
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, "经现场核查，已责令该饭店停业整改，已电话联系13912345678。")
    assert [r.event for r in records(t)] == ["created"]  # 派单、签收、答复 are not feed events
    t = services.callback(centre, t, t.lock_version, reached=False)
    assert [r.event for r in records(t)] == ["created"]  # an unanswered callback call is not a 回访
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=True, satisfaction=4, note="满意")
    t = services.close(centre, t, t.lock_version)
    rows = records(t)
    assert [r.event for r in rows] == ["created", "callback", "closed"]
    callback, closed = rows[1].payload, rows[2].payload
    assert callback["满意度"] == 4 and callback["满意度说明"] == "满意" and callback["问题解决"] is True
    assert closed["办结方式"] == "正常办结" and closed["按时办结"] is True and closed["承办单位"] == market.name
    assert closed["工单状态"] == "已办结" and closed["办结时间"]
    assert rows[2].version == t.lock_version


def test_the_payload_carries_no_phone_and_masks_the_caller(new_ticket):
    t = new_ticket(content="饭店卫生差，我的电话13912345678，身份证41010519900307123X，请联系我。")
    p = records(t)[0].payload
    flat = str(p)
    assert "13800001111" not in flat and "13912345678" not in flat and "41010519900307123X" not in flat
    assert "139****5678" in p["诉求内容"] and "4101**********123X" in p["诉求内容"]
    assert p["诉求人"] == "王**" and "联系电话" not in p and p["诉求地点"] == "经八路88号"


def test_a_confidential_ticket_goes_up_without_name_and_address(new_ticket):
    p = records(new_ticket(confidential=True))[0].payload
    assert p["保密"] is True and p["诉求人"] == "" and p["诉求地点"] == ""


def test_direct_close_and_merge_are_closed_records(centre, taxonomy, street, new_ticket):
    kb = KnowledgeArticle.objects.create(title="公积金提取", question="怎么提取", answer="带身份证办理。")
    t = services.register(centre, {"content": "公积金怎么提取？", "phone": "13800003333", "ticket_type": "咨询",
                                   "knowledge": kb.pk, "answer": ""})
    assert [(r.event, r.payload["办结方式"]) for r in records(t)] == [("created", ""), ("closed", "直接办结（知识库答复）")]
    main = new_ticket()
    dup = new_ticket(merge_into=main.number)
    assert [(r.event, r.payload["办结方式"]) for r in records(dup)] == [("created", ""), ("closed", "并单（重复诉求）")]


def test_a_rolled_back_close_leaves_no_record(dispatched, centre, handler):
    t = dispatched()
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, "已处理完毕，商户已整改到位。")
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=True, satisfaction=5)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.close(centre, t, t.lock_version)
            assert [r.event for r in records(t)][-1] == "closed"
            raise RuntimeError("the request failed after the close")
    assert [r.event for r in records(t)] == ["created", "callback"]


def test_a_repeated_registration_makes_one_record(centre, taxonomy, street):
    data = {"content": "路灯不亮，晚上出行不安全。", "phone": "13800006666", "region": street.code}
    a = services.register(centre, data, idempotency_key="same-call")
    b = services.register(centre, data, idempotency_key="same-call")
    assert a.pk == b.pk and len(records(a)) == 1
