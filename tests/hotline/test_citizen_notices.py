"""The citizen is told of their 12345 ticket as an applicant is of a case (walk finding #15): a
站内消息 and an SMS through the outbox at 受理转办, 答复 (inviting 评价 / announcing the 回访) and
办结; a caller without an account gets the SMS only, a landline nothing; each step once; no
personal data in the logs."""

import logging

import pytest

from zhengwu.cases.models import Notification, SmsMessage
from zhengwu.core.pii import blind_index
from zhengwu.hotline import notice_rules, services
from zhengwu.hotline.models import KnowledgeArticle, Ticket, TicketNotice
from zhengwu.hotline.services import notices

pytestmark = pytest.mark.django_db
REPLY = "经现场核查，已责令该饭店停业整改，并督促赔偿诉求人医药费。"


def sms_to(phone):
    return list(SmsMessage.objects.filter(phone_index=blind_index("phone", phone)).order_by("pk")
                .values_list("body", flat=True))


def test_a_portal_ticket_tells_the_citizen_in_app_and_by_sms(client, citizen, centre, handler, taxonomy, street,
                                                             district, market, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(citizen)
    client.post("/hotline/", {"ticket_type": "complaint", "content": "经八路一家饭店后厨卫生脏乱差，吃完后腹泻",
                              "district": district.code, "region": street.code, "address": "经八路88号",
                              "idempotency_key": "k1"})
    t = Ticket.objects.get()
    assert not Notification.objects.filter(recipient=citizen).exists()  # the page itself confirmed it
    t = services.dispatch(centre, t, t.lock_version, market.pk, category=taxonomy["市场监管/食品安全/餐饮卫生"].pk)
    t = services.claim(handler, t, t.lock_version)  # the department's own step: not told
    t = services.reply(handler, t, t.lock_version, REPLY)
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=True, satisfaction=5)
    t = services.close(centre, t, t.lock_version)
    inbox = list(Notification.objects.filter(recipient=citizen).order_by("pk"))
    assert [n.title for n in inbox] == ["12345诉求已受理", "12345诉求已答复", "12345诉求已办结"]
    accepted, answered, closed = (n.body for n in inbox)
    assert t.number in accepted and market.name in accepted and "我的诉求" in accepted
    assert REPLY in answered and "评价" in answered
    assert "已办结" in closed
    sms = sms_to("13912345678")
    assert [s.removeprefix(s[:s.index("】") + 1]) for s in sms] == [accepted, answered, closed]
    assert all(s.startswith("【") for s in sms)
    assert list(TicketNotice.objects.filter(ticket=t).order_by("pk").values_list("step", "in_app", "sms")) == [
        ("accepted", True, True), ("answered:0", True, True), ("closed", True, True)]
    logged = caplog.text
    assert "13912345678" not in logged and "张市民" not in logged


def test_a_phone_caller_without_an_account_gets_the_sms_only(dispatched, centre, handler):
    t = dispatched()  # phone 13800001111, no account
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, REPLY)
    assert not Notification.objects.exists()
    accepted, answered = sms_to("13800001111")
    assert t.number in accepted and "12345" in accepted and "我的诉求" not in accepted
    assert REPLY in answered and "回访" in answered and "我的诉求" not in answered
    assert all(not sms.case_id for sms in SmsMessage.objects.all())


def test_a_landline_gets_no_sms_and_a_direct_close_is_told(new_ticket, centre, taxonomy, street):
    new_ticket(phone="0371-66668888")
    assert not SmsMessage.objects.exists() and not TicketNotice.objects.exists()  # not dispatched yet
    kb = KnowledgeArticle.objects.create(title="公积金提取", question="怎么提取", answer="带身份证到公积金中心办理。")
    services.register(centre, {"content": "公积金怎么提取？", "phone": "13800003333", "ticket_type": "咨询",
                               "knowledge": kb.pk, "answer": ""})
    [body] = sms_to("13800003333")
    assert "已答复办结：带身份证到公积金中心办理。" in body
    t = services.dispatch(centre, new_ticket(phone="0371-66668888"), 0, taxonomy["市场监管/食品安全/餐饮卫生"].department_id)
    assert TicketNotice.objects.filter(ticket=t, step="accepted", sms=False, in_app=False).exists()
    assert SmsMessage.objects.count() == 1


def test_a_step_is_told_once_however_often_it_is_retried(dispatched, centre, handler):
    t = dispatched()
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, REPLY)
    before = SmsMessage.objects.count()
    for action in ("dispatch", "reply", "reply"):  # the hook run again for the same steps
        assert notices.on_transition(Ticket.objects.get(pk=t.pk), action) is None
    assert SmsMessage.objects.count() == before == 2
    # 重办 and a second answer: a step of its own.
    t = services.reopen(centre, t, t.lock_version, "诉求人不满意，请重新核查")
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, "再次核查，饭店已完成整改并赔偿到位。")
    assert SmsMessage.objects.count() == 3
    assert sorted(TicketNotice.objects.filter(ticket=t).values_list("step", flat=True)) == [
        "accepted", "answered:0", "answered:1"]


def test_rules_mobile_and_snippet():
    assert notice_rules.mobile("+86 139-1234-5678") == "13912345678"
    assert notice_rules.mobile("8613912345678") == "13912345678"
    assert notice_rules.mobile("0371-66668888") == "" and notice_rules.mobile("") == ""
    assert notice_rules.snippet("已联系13912345678处理") == "已联系139****5678处理。"
    assert notice_rules.snippet("字" * 150).endswith("…") and len(notice_rules.snippet("字" * 150)) == 101
    assert notice_rules.step_key("claim") is None and notice_rules.step_key("reply", 2) == "answered:2"


def test_each_in_app_notice_links_the_citizens_own_ticket_page(client, citizen, make_citizen, centre, handler,
                                                               taxonomy, street, district, market):
    """The 站内消息 of every step links the citizen's 我的诉求 page of that ticket (查看诉求): it opens
    for the citizen who filed it, not for another citizen."""
    from django.urls import reverse

    client.force_login(citizen)
    client.post("/hotline/", {"ticket_type": "complaint", "content": "经八路一家饭店后厨卫生脏乱差，吃完后腹泻",
                              "district": district.code, "region": street.code, "address": "经八路88号",
                              "idempotency_key": "k2"})
    t = Ticket.objects.get()
    t = services.dispatch(centre, t, t.lock_version, market.pk, category=taxonomy["市场监管/食品安全/餐饮卫生"].pk)
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, REPLY)
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=True, satisfaction=5)
    t = services.close(centre, t, t.lock_version)
    page = reverse("hotline:my_ticket", args=[t.pk])
    inbox = list(Notification.objects.filter(recipient=citizen).order_by("pk"))
    assert len(inbox) == 3 and {(n.link, n.link_label) for n in inbox} == {(page, "查看诉求")}
    listing = client.get(reverse("cases:notifications")).content.decode()
    assert f'href="{page}"' in listing and "查看诉求" in listing
    assert client.get(page).status_code == 200
    client.force_login(make_citizen(name="李路人", phone="13700001234"))
    assert client.get(page).status_code == 404


def test_the_sms_carries_the_link_when_the_public_address_is_set(settings, client, citizen, centre, taxonomy,
                                                                 street, district, market):
    settings.ZHENGWU_PUBLIC_URL = "https://zwfw.example.gov.cn"
    client.force_login(citizen)
    client.post("/hotline/", {"ticket_type": "complaint", "content": "经八路一家饭店后厨卫生脏乱差，吃完后腹泻",
                              "district": district.code, "region": street.code, "address": "经八路88号",
                              "idempotency_key": "k3"})
    t = Ticket.objects.get()
    services.dispatch(centre, t, t.lock_version, market.pk, category=taxonomy["市场监管/食品安全/餐饮卫生"].pk)
    [sms] = sms_to("13912345678")
    assert sms.endswith(f"查看诉求：https://zwfw.example.gov.cn/hotline/mine/{t.pk}/")


def test_a_caller_without_an_account_gets_no_link(dispatched, settings):
    settings.ZHENGWU_PUBLIC_URL = "https://zwfw.example.gov.cn"
    dispatched()
    [sms] = sms_to("13800001111")
    assert "查看诉求" not in sms and "https://" not in sms
