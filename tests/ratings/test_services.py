"""The write path: one rating per event, 差评 → rectification (verify → rectify → callback),
appeals, 督办, 默认好评, the hotline contract, follow-ups, and the aggregate the figures read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhengwu.core import calendar
from zhengwu.ratings import queries, services
from zhengwu.ratings.models import OutboxRecord, Rating, RatingDaily, Rectification
from zhengwu.ratings.rules import RState

pytestmark = pytest.mark.django_db

WINDOW_DIMS = {"overall": 2, "efficiency": 2, "skill": 3, "attitude": 1}


def _month_report(**kw):
    today = timezone.localdate()
    start = today.replace(day=1)
    return queries.figures_report(start=start, end=today, **kw)


def test_a_case_is_rated_once_by_its_applicant(concluded_case, citizen, other_citizen):
    r = services.rate_case(citizen, concluded_case, level=5, comment="很快",
                           dims={"overall": 5, "efficiency": 5, "guide": 4, "convenience": 5, "usability": 5})
    assert r.kind == "case" and r.applicant_id == citizen.applicant.pk and r.item_id == concluded_case.service_item_id
    assert r.department_id == concluded_case.department_id and not r.is_bad
    with pytest.raises(services.AlreadyRated) as exc:
        services.rate_case(citizen, concluded_case, level=1, tags=["需要多次跑动"])
    assert "只能评价一次" in exc.value.messages[0]
    assert Rating.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.rate_case(other_citizen, concluded_case, level=5)
    # the outbox has the record the upper-level system expects
    o = OutboxRecord.objects.get(rating=r)
    assert (o.case_number, o.level, o.channel_code, o.applicant_type) == (concluded_case.number, 5, "1", "person")
    assert o.implementation_code == concluded_case.service_item.implementation_code and o.sent_at is None


def test_a_case_rating_counts_for_the_staff_member_who_accepted_it(concluded_case, citizen, window_staff,
                                                                   dept_admin):
    from zhengwu.cases.models import CaseEvent

    CaseEvent.objects.create(case=concluded_case, action="submit", label="提交", actor=citizen)
    CaseEvent.objects.create(case=concluded_case, action="accept_pending", label="容缺受理", actor=window_staff)
    CaseEvent.objects.create(case=concluded_case, action="approve", label="审批通过", actor=dept_admin)
    assert services.rate_case(citizen, concluded_case, level=5).staff_id == window_staff.pk


def test_an_open_case_cannot_be_rated_and_bad_input_writes_nothing(make_case, citizen):
    case = make_case(citizen, state="in_review")
    with pytest.raises(ValidationError) as exc:
        services.rate_case(citizen, case, level=5)
    assert "办结后" in str(exc.value)
    done = make_case(citizen)
    for bad in ({"level": 7}, {"level": 5, "dims": {"attitude": 5}}, {"level": 5, "comment": "长" * 600}):
        with pytest.raises(ValidationError):
            services.rate_case(citizen, done, **bad)
    assert Rating.objects.count() == 0 and OutboxRecord.objects.count() == 0
    assert not RatingDaily.objects.filter(ratings__gt=0).exists()
    assert sum(RatingDaily.objects.values_list("events", flat=True)) == 1  # the concluded case is rateable


def test_bad_rating_flows_through_verify_rectify_callback(concluded_case, citizen, dept_admin, approver,
                                                          other_admin):
    r = services.rate_case(citizen, concluded_case, level=1, comment="材料反复要求")
    rect = Rectification.objects.get(rating=r)
    assert rect.state == RState.VERIFY and rect.real_name and rect.department_id == concluded_case.department_id
    assert rect.due_date == calendar.add_workdays(timezone.localdate(), services.get_rules().rectify_workdays)
    report = _month_report()
    assert report.total.figures.bad == 1 and report.total.figures.rectify_rate == 0
    assert report.total.figures.callback_rate == 0

    with pytest.raises(PermissionDenied):  # 谁办理谁负责: another department may not touch it
        services.verify(other_admin, rect, rect.version, valid=True)
    rect = services.verify(dept_admin, rect, 0, valid=True, reason="经核实属实")
    assert rect.state == RState.RECTIFY
    with pytest.raises(services.Stale):  # a second tab with the old version
        services.rectify(approver, rect, 0, measures="已整改完毕，组织培训")
    rect = services.rectify(approver, rect, rect.version, measures="已组织窗口人员培训，一次性告知材料清单")
    assert rect.state == RState.CALLBACK
    # unsatisfied → 重新整改, then satisfied → 已办结
    rect = services.callback(dept_admin, rect, rect.version, reached=True, satisfied=False, note="仍不满意")
    assert rect.state == RState.REOPENED and rect.reopen_count == 1
    rect = services.rectify(dept_admin, rect, rect.version, measures="专人跟进，上门送达结果")
    rect = services.callback(dept_admin, rect, rect.version, reached=True, satisfied=True, note="满意")
    assert rect.state == RState.CLOSED and rect.closed_at is not None
    f = _month_report().total.figures
    assert (f.bad, f.rectify_rate, f.callback_rate) == (1, 1.0, 1.0)
    assert [e.action for e in rect.events.all()] == ["open", "verify", "rectify", "callback", "rectify", "callback"]
    # 追评 once after closing
    f1 = services.followup(citizen, r, level=4, comment="整改后满意")
    assert f1.followup_of_id == r.pk
    with pytest.raises(services.AlreadyRated):
        services.followup(citizen, r, level=5)
    assert _month_report().total.figures.ratings == 1  # a follow-up is not a new rating


def test_real_name_callback_not_reached_three_times_closes(window, window_staff, dept, dept_admin):
    visit = services.start_visit(window_staff, window, department=dept)
    r = services.rate_visit(visit, level=2, dims=WINDOW_DIMS, phone="13900001111", tags=["服务态度差"])
    rect = r.rectification
    assert rect.real_name
    rect = services.verify(dept_admin, rect, rect.version, valid=True)
    rect = services.rectify(dept_admin, rect, rect.version, measures="批评教育并调整窗口人员")
    for i in range(2):
        rect = services.callback(dept_admin, rect, rect.version, reached=False)
        assert rect.state == RState.CALLBACK
    rect = services.callback(dept_admin, rect, rect.version, reached=False)
    assert rect.state == RState.CLOSED and not rect.called_back
    f = _month_report().total.figures
    # 办结 as 多次联系未果: the rater never confirmed the 整改, so it is neither 整改完成 nor 回访整改完成
    assert (f.bad, f.rectify_rate, f.callback_rate) == (1, 0.0, 0.0)


def test_phone_is_encrypted_masked_and_revealed_with_audit(window, window_staff, dept, dept_admin, other_admin):
    from zhengwu.core.models import AuditEvent

    visit = services.start_visit(window_staff, window, department=dept)
    r = services.rate_visit(visit, level=1, phone="13900001111", tags=["服务态度差"])
    raw = Rating.objects.filter(pk=r.pk).values_list("phone", flat=True).first().token()
    assert "13900001111" not in raw and str(Rating.objects.get(pk=r.pk).phone) == "139****1111"
    with pytest.raises(PermissionDenied):
        services.reveal_phone(other_admin, r)
    assert services.reveal_phone(dept_admin, r) == "13900001111"
    assert AuditEvent.objects.filter(action="pii.reveal", actor_id=dept_admin.pk).exists()
    with pytest.raises(ValidationError) as exc:
        services.rate_visit(services.start_visit(window_staff, window, department=dept), level=5, phone="12345")
    assert "回访电话" in str(exc.value)


def test_anonymous_visit_rating_and_window_events(window, window_staff, dept):
    v1 = services.start_visit(window_staff, window, department=dept)
    services.start_visit(window_staff, window, department=dept)  # served, not rated
    services.rate_visit(v1, level=5, dims={"overall": 5, "efficiency": 4, "skill": 5, "attitude": 5})
    with pytest.raises(services.AlreadyRated):
        services.rate_visit(v1, level=1, tags=["服务态度差"])
    rep = _month_report(group_by="window")
    (row,) = rep.rows
    assert row.key == window.pk and row.figures.events == 2 and row.figures.active_rate == 0.5
    assert row.figures.dimension_avg == {"overall": 5.0, "efficiency": 4.0, "skill": 5.0, "attitude": 5.0}
    with pytest.raises(PermissionDenied):
        services.start_visit(None, window, department=dept)


def test_qr_tokens_are_signed_single_use_and_bound_to_their_event(concluded_case, citizen, make_case):
    token = services.issue_token("case", concluded_case.pk)
    with pytest.raises(ValidationError) as exc:
        services.read_token(token[:-2] + "xx")
    assert "无效" in str(exc.value)
    other = make_case(citizen)
    with pytest.raises(ValidationError) as exc:
        services.rate_case(None, other, level=5, token=token)  # a token for another case
    assert "不符" in str(exc.value)
    r = services.rate_case(None, concluded_case, level=4, token=token)
    assert r.channel == "qr" and r.applicant_id == citizen.applicant.pk  # real-name: the case's applicant
    with pytest.raises(ValidationError) as exc:  # replay
        services.rate_case(None, concluded_case, level=1, token=token, tags=["需要多次跑动"])
    assert "已使用过" in str(exc.value)
    # a fresh code for an already rated case is refused by the one-rating rule
    with pytest.raises(services.AlreadyRated):
        services.rate_case(None, concluded_case, level=1, token=services.issue_token("case", concluded_case.pk),
                           tags=["需要多次跑动"])
    assert Rating.objects.count() == 1


def test_appeal_upheld_excludes_the_rating_from_figures_but_keeps_it(concluded_case, citizen, dept_admin, supervisor,
                                                                     make_case, approver):
    good = services.rate_case(citizen, make_case(citizen), level=5)
    bad = services.rate_case(citizen, concluded_case, level=1, comment="恶意")
    f = _month_report().total.figures
    assert (f.ratings, f.bad, f.satisfaction_rate) == (2, 1, 0.5)
    with pytest.raises(PermissionDenied):
        services.file_appeal(approver, bad, reason="该评价人与本案无关，系恶意差评，有录像为证")
    with pytest.raises(ValidationError):
        services.file_appeal(dept_admin, bad, reason="恶意")
    with pytest.raises(ValidationError):
        services.file_appeal(dept_admin, good, reason="这是一条好评，不应申诉的")
    appeal = services.file_appeal(dept_admin, bad, reason="评价人与本案无关，系恶意差评，有录像为证")
    with pytest.raises(ValidationError):
        services.file_appeal(dept_admin, bad, reason="重复申诉，评价人与本案无关")
    with pytest.raises(PermissionDenied):
        services.decide_appeal(dept_admin, appeal, upheld=True, note="成立")
    services.decide_appeal(supervisor, appeal, upheld=True, note="经调阅录像，申诉成立")
    bad.refresh_from_db()
    assert bad.excluded and Rating.objects.filter(pk=bad.pk).exists()
    f = _month_report().total.figures
    assert (f.ratings, f.bad, f.satisfaction_rate, f.excluded, f.rectify_rate) == (1, 0, 1.0, 1, None)
    assert bad.rectification.state == RState.CLOSED
    assert OutboxRecord.objects.filter(rating=bad, kind="exclude").exists()
    with pytest.raises(ValidationError):
        services.decide_appeal(supervisor, appeal, upheld=False, note="再审")


def test_urge_overdue(concluded_case, citizen, supervisor, dept_admin):
    r = services.rate_case(citizen, concluded_case, level=2, tags=["需要多次跑动"])
    Rectification.objects.filter(rating=r).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert list(queries.overdue(supervisor)) == [r.rectification]
    assert list(queries.overdue(dept_admin)) == [r.rectification]
    with pytest.raises(PermissionDenied):
        services.urge(dept_admin, r.rectification)
    rect = services.urge(supervisor, r.rectification, note="请三日内办结")
    assert rect.urge_count == 1 and rect.events.filter(action="urge").exists()


def test_default_ratings_off_by_default_then_counted_but_not_active(make_case, citizen, sysadmin):
    old = timezone.now() - dt.timedelta(days=20)
    make_case(citizen, concluded_at=old)
    rated = make_case(citizen, concluded_at=old)
    services.rate_case(citizen, rated, level=5)
    assert services.apply_default_ratings() == 0  # off by default
    services.update_rules(sysadmin, default_enabled=True, default_after_days=15)
    assert services.apply_default_ratings() == 1
    assert services.apply_default_ratings() == 0  # idempotent
    d = Rating.objects.get(is_default=True)
    assert d.level == 4 and d.channel == "system"
    start = timezone.localdate(old).replace(day=1)
    rep = queries.figures_report(start=start, end=timezone.localdate())
    f = rep.total.figures
    assert f.ratings == 2 and f.defaults == 1 and f.active == 1 and f.events == 2 and f.satisfaction_rate == 1.0


def test_rules_are_validated_and_audited(sysadmin, dept_admin):
    with pytest.raises(PermissionDenied):
        services.update_rules(dept_admin, rectify_workdays=5)
    with pytest.raises(ValidationError) as exc:
        services.update_rules(sysadmin, bad_levels="4,5")
    assert "bad_levels" in exc.value.message_dict
    # 基本满意 counts as satisfied (满意率): it can never also be a 差评 (国办发〔2019〕51号)
    with pytest.raises(ValidationError) as exc:
        services.update_rules(sysadmin, rectify_workdays=5, bad_levels="3,2,1")
    assert "基本满意" in exc.value.message_dict["bad_levels"][0]
    assert services.get_rules().rectify_workdays == 10  # nothing half-written
    cfg = services.update_rules(sysadmin, rectify_workdays=5, bad_levels="2，1")  # the national set: accepted
    assert cfg.rectify_workdays == 5 and cfg.bad_level_set == {1, 2}


def test_rate_hotline_ticket_contract(dept, district, citizen):
    r = services.rate_hotline_ticket(ticket_number="ZZ20261001001", department=dept, level=2, comment="没解决")
    assert r.kind == "hotline" and r.is_bad and r.rectification.department_id == dept.pk
    again = services.rate_hotline_ticket(ticket_number="ZZ20261001001", department=dept, level=5)
    assert again.pk == r.pk and again.level == 2  # idempotent, unchanged
    assert Rating.objects.filter(kind="hotline").count() == 1
    with pytest.raises(ValidationError):
        services.rate_hotline_ticket(ticket_number="ZZ2", department=dept, level=9)
    with pytest.raises(ValidationError):
        services.rate_hotline_ticket(ticket_number=" ", department=dept, level=5)
    services.record_rateable_event(kind="hotline", ref="ZZ20261001002", department=dept)  # callback done, unrated
    rep = _month_report(group_by="kind")
    (row,) = [x for x in rep.rows if x.key == "hotline"]
    assert row.figures.events == 2 and row.figures.ratings == 1 and row.figures.active_rate == 0.5
    # the caller may pass the citizen's User or Applicant: a real-name rating either way
    for ticket, who in (("ZZ3", citizen), ("ZZ4", citizen.applicant)):
        r = services.rate_hotline_ticket(ticket_number=ticket, department=dept, level=1, applicant=who,
                                         rated_at=timezone.now() - dt.timedelta(hours=1))
        assert r.applicant_id == citizen.applicant.pk and r.rectification.real_name


def test_month_figures_by_department_and_scope(concluded_case, citizen, make_case, window, window_staff, dept,
                                               other_dept, other_admin, leader):
    services.rate_case(citizen, concluded_case, level=5)
    make_case(citizen)  # concluded, unrated: a rateable event
    v = services.start_visit(window_staff, window, department=other_dept)
    services.rate_visit(v, level=1, tags=["服务态度差"])
    today = timezone.localdate()
    rows = {r["label"]: r for r in queries.month_figures_by_department(today.year, today.month)}
    assert rows[dept.name]["ratings"] == 1 and rows[dept.name]["events"] == 2 and rows[dept.name]["active_rate"] == 0.5
    assert rows[other_dept.name]["bad"] == 1 and rows[other_dept.name]["satisfaction_rate"] == 0.0
    mine = queries.month_figures_by_department(today.year, today.month, user=other_admin)
    assert [r["label"] for r in mine] == [other_dept.name]
    assert {r["label"] for r in queries.month_figures_by_department(today.year, today.month, user=leader)} == {
        dept.name, other_dept.name}
    assert queries.month_figures_by_department(today.year, today.month, region_code="410102000000") == []


def test_aggregate_matches_the_ratings(concluded_case, citizen, window, window_staff, dept, dept_admin, supervisor):
    """The daily aggregate equals a recount from the ratings after a mixed history."""
    services.rate_case(citizen, concluded_case, level=2, tags=["需要多次跑动"])
    for level in (5, 4, 1, 3):
        services.rate_visit(services.start_visit(window_staff, window, department=dept), level=level,
                            phone="13900002222" if level == 1 else "", tags=["服务态度差"] if level == 1 else [])
    rect = Rectification.objects.filter(rating__kind="window").get()
    rect = services.verify(dept_admin, rect, rect.version, valid=True)
    services.rectify(dept_admin, rect, rect.version, measures="整改到位并回访说明")
    appeal = services.file_appeal(dept_admin, Rating.objects.get(kind="case"), reason="评价人与本次服务无关，系误评")
    services.decide_appeal(supervisor, appeal, upheld=True, note="申诉成立")
    valid = Rating.objects.filter(excluded=False, followup_of__isnull=True)
    f = _month_report().total.figures
    assert f.ratings == valid.count() == 4
    assert f.bad == valid.filter(is_bad=True).count() == 1
    assert f.satisfied == valid.filter(level__gte=3).count() == 3
    assert f.excluded == 1 and f.events == 5  # 1 concluded case + 4 visits


def test_concluding_a_case_counts_one_rateable_event(make_case, citizen):
    case = make_case(citizen, state="in_review")
    assert _month_report().total.figures.events == 0
    case.state, case.concluded_at = "concluded", timezone.now()
    case.save(update_fields=["state", "concluded_at"])  # what cases' conclude transition saves
    case.state = "delivered"
    case.save(update_fields=["state"])  # delivering is not a new event
    assert _month_report().total.figures.events == 1


def test_a_departments_dimensions_are_averaged_over_the_ratings_that_scored_them(concluded_case, citizen, window,
                                                                                window_staff, dept):
    """An online rating (办事指南精确度) and three window ratings (服务水平) of one department: 办事指南精确度
    is the online rating's 4, not 4 / 4 ratings = 1.0; the report's heading names the grouping (部门)."""
    services.rate_case(citizen, concluded_case, level=5,
                       dims={"overall": 5, "efficiency": 5, "guide": 4, "convenience": 5, "usability": 5})
    for skill in (5, 4, 3):
        services.rate_visit(services.start_visit(window_staff, window, department=dept), level=5,
                            dims={"overall": 5, "efficiency": 4, "skill": skill, "attitude": 5})
    rep = _month_report(group_by="department")
    row = next(r for r in rep.rows if r.key == dept.pk)
    assert row.figures.dimension_avg["guide"] == 4.0 and row.figures.dimension_avg["skill"] == 4.0
    assert row.figures.dimension_avg["overall"] == 5.0 and row.figures.dimension_avg["efficiency"] == 4.25
    assert rep.total.figures.dimension_avg["guide"] == 4.0
    assert rep.group_label == "部门"
