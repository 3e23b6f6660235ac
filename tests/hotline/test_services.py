"""The write path: the whole journey, permissions, the optimistic lock, idempotency, bad input,
returns, extensions, callbacks and 重办, direct answers, merging, history and audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.core.models import AuditEvent
from zhengwu.hotline import services
from zhengwu.hotline.models import KnowledgeArticle, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_journey_register_dispatch_claim_reply_callback_close_archive(new_ticket, centre, handler, market):
    t = new_ticket()
    assert t.state == "registered" and t.number.startswith("RX") and len(t.number) == 17
    assert str(t.phone) == "138****1111" and t.phone_index  # encrypted, blind-indexed, masked
    t = services.dispatch(centre, t, t.lock_version, market.pk, opinion="请核查")
    assert t.state == "dispatched" and t.lead_department == market
    assert t.time_limit == "5个工作日" and t.due_at > t.claim_due_at > t.dispatched_at
    t = services.claim(handler, t, t.lock_version)
    assert t.state == "handling" and t.claimed_on_time is True
    t = services.reply(handler, t, t.lock_version, "经现场核查，已责令该饭店停业整改，并督促赔偿诉求人医药费。")
    assert t.state == "replied" and t.handle_hours is not None
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=True, satisfaction=4, note="满意")
    assert t.state == "callbacked" and t.satisfaction == 4
    t = services.close(centre, t, t.lock_version)
    assert t.state == "closed" and t.closed_on_time is True
    t = services.archive(centre, t, t.lock_version)
    assert t.state == "archived"
    actions = list(TicketEvent.objects.filter(ticket=t).order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["register", "dispatch", "claim", "reply", "callback", "close", "archive"]
    audited = set(AuditEvent.objects.filter(object_type="hotline.ticket", object_id=str(t.pk)).values_list("action", flat=True))
    assert {"hotline.register", "hotline.dispatch", "hotline.claim", "hotline.reply", "hotline.callback",
            "hotline.close", "hotline.archive"} <= audited
    # The audit never holds the clear phone number.
    assert not AuditEvent.objects.filter(after__icontains="13800001111").exists()


def test_history_is_append_only(new_ticket):
    e = TicketEvent.objects.filter(ticket=new_ticket()).first()
    e.opinion = "改写"
    with pytest.raises(RuntimeError):
        e.save()


def test_only_the_lead_department_may_act(dispatched, urban_handler, handler, centre):
    t = dispatched()
    with pytest.raises(PermissionDenied):
        services.claim(urban_handler, t, t.lock_version)
    with pytest.raises(PermissionDenied):
        services.dispatch(handler, services.register(centre, {"content": "再来一单测试内容", "phone": "13800002222"}), 0, 1)
    with pytest.raises(PermissionDenied):
        services.register(handler, {"content": "部门不能登记", "phone": "13800002222"})


def test_refused_transition_writes_nothing(dispatched, handler):
    t = dispatched()
    before = TicketEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.reply(handler, t, t.lock_version, "还没签收就答复，这样不行的。")
    assert "不能答复" in exc.value.messages[0]
    t.refresh_from_db()
    assert t.state == "dispatched" and t.reply == "" and TicketEvent.objects.count() == before


def test_stale_version_is_refused(dispatched, handler):
    t = dispatched()
    old = t.lock_version
    services.claim(handler, t, old)
    with pytest.raises(services.StaleTicket):
        services.return_ticket(handler, t, old, "不属于本单位职责范围的事项")


def test_idempotency_key_never_duplicates(centre, taxonomy, street):
    data = {"content": "同一通电话点了两次提交", "phone": "13800003333", "region": street.code}
    a = services.register(centre, data, idempotency_key="k-1")
    b = services.register(centre, data, idempotency_key="k-1")
    assert a.pk == b.pk and Ticket.objects.count() == 1


def test_bad_input_names_field_and_rule_and_writes_nothing(centre, taxonomy):
    with pytest.raises(ValidationError) as exc:
        services.register(centre, {"content": "", "phone": "abc", "ticket_type": "闲聊", "category": taxonomy["市场监管"].pk,
                                   "latitude": "99"})
    errors = exc.value.message_dict
    assert errors["content"] == ["诉求内容不能为空"]
    assert "联系电话格式不正确" in errors["phone"][0]
    assert "诉求类型不正确" in errors["ticket_type"][0]
    assert "请选择三级分类" in errors["category"][0]
    assert "纬度超出范围" in errors["latitude"][0]
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0
    with pytest.raises(ValidationError) as exc:
        services.register(centre, {"content": "电话渠道必须有号码"})
    assert "联系电话不能为空" in exc.value.message_dict["phone"][0]
    # Chinese labels are accepted for types.
    t = services.register(centre, {"content": "咨询一下政策", "phone": "13800004444", "ticket_type": "咨询"})
    assert t.ticket_type == "consult"


def test_dispatch_needs_category_and_department(new_ticket, centre, market):
    t = new_ticket(category="")
    with pytest.raises(ValidationError) as exc:
        services.dispatch(centre, t, t.lock_version, market.pk)
    assert "派单前请选择诉求分类" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.dispatch(centre, t, t.lock_version, "")
    assert exc.value.message_dict["department"] == ["请选择承办单位"]


def test_register_and_dispatch_at_once_with_co_departments(centre, taxonomy, street, market, urban):
    t = services.register(centre, {"content": "饭店油烟和占道经营一起反映", "phone": "13800005555", "region": street.code,
                                   "category": taxonomy["市场监管/食品安全/餐饮卫生"].pk, "dispatch_to": market.pk,
                                   "co_departments": [urban.pk, market.pk]})
    assert t.state == "dispatched"
    assert list(t.co_departments.all()) == [urban]


def test_return_review_redispatch_and_reject(dispatched, centre, handler, urban, urban_handler):
    t = dispatched()
    with pytest.raises(ValidationError) as exc:
        services.return_ticket(handler, t, t.lock_version, "不归")
    assert "退单理由太简单" in exc.value.message_dict["reason"][0]
    t = services.return_ticket(handler, t, t.lock_version, "该事项属于城市管理部门职责", urban.pk)
    assert t.state == "returned" and t.return_count == 1 and t.return_pending["suggested"] == urban.pk
    t = services.reject_return(centre, t, t.lock_version, "经核实属于市场监管职责，请继续办理")
    assert t.state == "dispatched" and t.return_pending is None
    t = services.claim(handler, t, t.lock_version)
    t = services.return_ticket(handler, t, t.lock_version, "该事项属于城市管理部门职责")
    t = services.redispatch(centre, t, t.lock_version, urban.pk, opinion="改派城管")
    assert t.state == "dispatched" and t.lead_department == urban and t.return_count == 2
    t = services.claim(urban_handler, t, t.lock_version)
    assert t.state == "handling"


def test_extension_request_approve_refuse_and_limit(dispatched, centre, handler):
    t = dispatched()
    t = services.claim(handler, t, t.lock_version)
    due = t.due_at
    t = services.request_extension(handler, t, t.lock_version, 3, "需要现场检测，等待检测报告")
    with pytest.raises(ValidationError):
        services.request_extension(handler, t, t.lock_version, 2, "再申请一次")
    t = services.decide_extension(centre, t, t.lock_version, True, "同意")
    assert t.extension_days == 3 and t.due_at > due and t.extension_pending is None
    with pytest.raises(ValidationError) as exc:
        services.request_extension(handler, t, t.lock_version, 8, "还要延期")
    assert "不能超过10个工作日" in exc.value.message_dict["days"][0]
    t = services.request_extension(handler, t, t.lock_version, 2, "还要延期两天")
    with pytest.raises(ValidationError):
        services.decide_extension(centre, t, t.lock_version, False, "")
    t = services.decide_extension(centre, t, t.lock_version, False, "不予延期，请按时办结")
    assert t.extension_days == 3 and t.extension_pending is None


def test_urge_counts(dispatched, supervisor):
    t = dispatched()
    t = services.urge(supervisor, t, t.lock_version, "请尽快签收办理")
    assert t.urge_count == 1 and t.state == "dispatched"


def test_callback_unreached_then_close_after_two_attempts(dispatched, centre, handler):
    t = dispatched()
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, "已处理完毕，商户已整改到位。")
    with pytest.raises(ValidationError):
        services.close(centre, t, t.lock_version)
    t = services.callback(centre, t, t.lock_version, reached=False)
    t = services.callback(centre, t, t.lock_version, reached=False)
    assert t.state == "replied" and t.callback_attempts == 2
    t = services.close(centre, t, t.lock_version)
    assert t.state == "closed"


def test_unsatisfied_callback_reopens(dispatched, centre, handler):
    t = dispatched()
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, "已电话联系商户，商户表示会整改。")
    with pytest.raises(ValidationError) as exc:
        services.callback(centre, t, t.lock_version, reached=True, resolved=False)
    assert "满意度" in exc.value.message_dict["satisfaction"][0]
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=False, satisfaction=2,
                          note="问题没有解决", reopen=True)
    assert t.state == "dispatched" and t.reopen_count == 1 and t.replied_at is None
    t = services.claim(handler, t, t.lock_version)
    assert t.state == "handling"


def test_direct_close_from_knowledge(new_ticket, centre, taxonomy):
    kb = KnowledgeArticle.objects.create(title="公积金提取", answer="携带身份证和租赁合同办理。")
    t = new_ticket(ticket_type="complaint")
    with pytest.raises(ValidationError):
        services.direct_close(centre, t, t.lock_version, kb.pk, "")
    t = services.register(centre, {"ticket_type": "consult", "content": "租房怎么提取公积金", "phone": "13800006666",
                                   "knowledge": kb.pk, "answer": ""})
    assert t.state == "closed" and t.reply == kb.answer and t.knowledge == kb
    kb.refresh_from_db()
    assert kb.used_count == 1


def test_merge(new_ticket, centre):
    main = new_ticket()
    dup = new_ticket(content="又打电话反映经八路饭店卫生问题")
    dup = services.merge(centre, dup, dup.lock_version, main, "重复来电")
    assert dup.state == "merged" and dup.merged_into == main and dup.is_repeat
    assert TicketEvent.objects.filter(ticket=main, action="note").exists()
    with pytest.raises(ValidationError):
        services.merge(centre, main, main.lock_version, main)
    third = services.register(centre, {"content": "第三次来电", "phone": "13800001111", "merge_into": main.number})
    assert third.state == "merged"


def test_repeat_caller_is_flagged(new_ticket):
    a = new_ticket()
    b = new_ticket(content="别的事情")
    assert not a.is_repeat and b.is_repeat


def test_confidential_ticket_hides_caller_from_department(new_ticket, centre, handler, market):
    t = new_ticket(confidential=True)
    t = services.dispatch(centre, t, t.lock_version, market.pk)
    assert services.may_see_caller(centre, t) and not services.may_see_caller(handler, t)
    with pytest.raises(PermissionDenied):
        services.reveal_phone(handler, t)
    assert services.reveal_phone(centre, t) == "13800001111"
    assert AuditEvent.objects.filter(action="pii.reveal", object_id=str(t.pk)).exists()


def test_citizen_submission(citizen, taxonomy):
    from zhengwu.hotline.rules import Actor

    applicant = citizen.applicant
    t = services.register(citizen, {"ticket_type": "suggestion", "content": "建议在经八路增设公交站点",
                                    "phone": "13912345678"}, channel="web", applicant=applicant, actor=Actor.CITIZEN)
    assert t.applicant == applicant and t.registered_by is None
    assert t.events.first().action == "submit"


def test_callback_feeds_haochaping_and_a_bad_one_opens_a_rectification(dispatched, centre, handler):
    from zhengwu.ratings.models import Rating

    t = dispatched()
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, "已处理完毕，商户已整改到位。")
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=False, satisfaction=2, note="还是很吵")
    rating = Rating.objects.get(kind="hotline", source_ref=t.number)
    assert rating.level == 2 and rating.is_bad and rating.department == t.lead_department
    assert rating.rectification.state == "verify"
    # Idempotent per ticket: handing the same ticket again records nothing new.
    from zhengwu.hotline import integrations

    assert integrations.rate_ticket(t, centre) is True
    assert Rating.objects.filter(kind="hotline", source_ref=t.number).count() == 1


def test_a_failing_rating_call_does_not_undo_the_callback(dispatched, centre, handler):
    from zhengwu.hotline.signals import callback_rated
    from zhengwu.ratings.models import Rating

    def boom(sender, **kw):
        raise RuntimeError("ratings down")

    callback_rated.connect(boom, dispatch_uid="test.ratings_down")
    try:
        t2 = dispatched(content="另一单")
        t2 = services.claim(handler, t2, t2.lock_version)
        t2 = services.reply(handler, t2, t2.lock_version, "已处理完毕，商户已整改到位。")
        t2 = services.callback(centre, t2, t2.lock_version, reached=True, resolved=True, satisfaction=3)
    finally:
        callback_rated.disconnect(dispatch_uid="test.ratings_down")
    assert t2.state == "callbacked"  # the callback stands
    assert not Rating.objects.filter(source_ref=t2.number).exists()  # the failed savepoint left nothing


def test_deadline_uses_category_days(new_ticket, centre, urban, taxonomy):
    t = new_ticket(category=taxonomy["城市管理/市容环境/垃圾清运"].pk, ticket_type="help")
    t = services.dispatch(centre, t, t.lock_version, urban.pk)
    assert t.time_limit == "3个工作日"
    t = new_ticket(category=taxonomy["城市管理/市容环境/占道经营"].pk, ticket_type="suggestion", urgency="emergency")
    t = services.dispatch(centre, t, t.lock_version, urban.pk)
    assert t.time_limit == "24小时"
    assert abs((t.due_at - t.dispatched_at) - dt.timedelta(hours=24)) < dt.timedelta(seconds=5)


def test_escalation_urges_overdue_once_a_day(dispatched, handler):
    from django.utils import timezone

    t = dispatched()
    now = timezone.now()
    Ticket.objects.filter(pk=t.pk).update(due_at=now - dt.timedelta(hours=1))
    assert services.escalate_overdue() == 1
    assert services.escalate_overdue() == 0  # not again within 24 h
    t.refresh_from_db()
    assert t.urge_count == 1 and t.state == "dispatched"
    e = t.events.filter(action="urge").get()
    assert e.actor is None and e.actor_name == "系统" and "办结时限" in e.opinion
    unclaimed = dispatched(content="另一单")
    Ticket.objects.filter(pk=unclaimed.pk).update(claim_due_at=now - dt.timedelta(minutes=1))
    assert services.escalate_overdue() == 1
    assert "签收时限" in unclaimed.events.filter(action="urge").get().opinion


def test_co_department_opinion(centre, taxonomy, street, market, urban, urban_handler, handler):
    t = services.register(centre, {"content": "饭店占道经营又卫生差", "phone": "13800005556", "region": street.code,
                                   "category": taxonomy["市场监管/食品安全/餐饮卫生"].pk, "dispatch_to": market.pk,
                                   "co_departments": [urban.pk]})
    services.co_opinion(urban_handler, t, "已清理店外占道物品")
    assert t.events.filter(action="co_reply", department=urban).exists()
    with pytest.raises(PermissionDenied):
        services.co_opinion(handler, t, "主办单位不是协办")
    from zhengwu.hotline import queries

    rows, _ = queries.department_list(urban_handler, "co")
    assert [r.pk for r in rows] == [t.pk]
    assert queries.staff_ticket(urban_handler, t.pk).pk == t.pk


def test_own_routing_types_dispatch_without_category(centre, bureau):
    t = services.register(centre, {"ticket_type": "cannot_do", "content": "窗口说系统故障，跑了三次办不成",
                                   "phone": "13800007771"})
    assert services.routed_departments()["cannot_do"] == bureau.pk
    t = services.dispatch(centre, t, t.lock_version, bureau.pk)
    assert t.state == "dispatched" and t.time_limit == "3个工作日"


def test_callback_feeds_ratings_module(dispatched, centre, handler):
    from zhengwu.ratings.models import Rating

    t = dispatched()
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, "已处理完毕，商户已整改到位。")
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=False, satisfaction=2, note="没解决")
    rating = Rating.objects.get(source_ref=t.number)
    assert rating.level == 2 and rating.department_id == t.lead_department_id
    from zhengwu.hotline import integrations

    assert integrations.rate_ticket(t, centre) is True  # idempotent per ticket
    assert Rating.objects.filter(source_ref=t.number).count() == 1
