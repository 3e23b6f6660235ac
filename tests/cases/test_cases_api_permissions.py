"""Who sees and does what through the cases API — the same rules as the pages.

- another applicant's case: 404 for every read and action (the API does not confirm it exists);
- staff of another department or region: 404 (reads and actions); a case visible to the user
  (own department, or a step of their department) but an action that is not theirs: 403;
- anonymous: 401 (with or without a CSRF token); logged in, an unsafe request without the CSRF
  token: 403 (checked first, like Django).
"""

import pytest

from zhengwu.cases.services import approval, intake

pytestmark = pytest.mark.django_db

READS = ["{id}", "{id}/receipt.pdf", "{id}/decision.pdf"]
ACTIONS = [("{id}/submit", {"lock_version": 1}), ("{id}/withdraw", {"lock_version": 1}),
           ("{id}/resubmit", {"lock_version": 1}), ("{id}/accept", {"lock_version": 1}),
           ("{id}/refuse", {"lock_version": 1, "reason": "x", "legal_basis": "y"}),
           ("{id}/steps/review/act", {"lock_version": 1, "action": "pass"})]


@pytest.fixture
def other_citizen(make_citizen):
    return make_citizen(name="李四")


def test_another_applicants_case_is_404_for_reads_and_actions(api, submitted_case, other_citizen):
    c = api(other_citizen)
    for path in READS:
        r = c.get(path.format(id=submitted_case.pk))
        assert r.status_code == 404 and r.json()["detail"] == "办件不存在或无权查看", path
    for path, body in ACTIONS:
        assert c.post(path.format(id=submitted_case.pk), body).status_code == 404, path
    assert c.patch(f"{submitted_case.pk}/form", {"form_data": {}, "lock_version": 1}).status_code == 404
    assert c.get("mine").json()["items"] == []


def test_an_idempotency_key_never_returns_someone_elses_case(api, item, citizen, other_citizen):
    mine = api(citizen).post("", {"item_id": item.pk}, headers={"Idempotency-Key": "same"}).json()
    theirs = api(other_citizen).post("", {"item_id": item.pk}, headers={"Idempotency-Key": "same"})
    assert theirs.status_code == 201 and theirs.json()["id"] != mine["id"]


def test_staff_of_another_department_or_region_get_404(api, submitted_case, make_staff, make_department,
                                                       other_district):
    stranger_dept = make_department(name="教育局")
    for role, kw in (("window", {"department": stranger_dept}), ("window", {"region": other_district}),
                     ("approver", {"department": stranger_dept})):
        c = api(make_staff(role, **kw))
        assert c.get(f"{submitted_case.pk}").status_code == 404
        assert c.post(f"{submitted_case.pk}/accept", {"lock_version": 1}).status_code == 404
        assert c.get("search", number=submitted_case.number).json()["items"] == []
        if role == "window":
            assert c.get("intake").json()["items"] == []
        assert c.get("inbox").json()["items"] == []


def _two_department_case(submitted_case, window_staff, fire_dept, item):
    """The case of 市场监管局 with a parallel 消防 step (并联审批)."""
    manager = type(window_staff).objects.create(username="mgr", kind="staff")
    from zhengwu.org.models import RoleGrant

    RoleGrant.objects.create(user=manager, role="item_admin", region=item.region)
    approval.save_process_definition(manager, item, [
        {"id": "market", "name": "市场监管审查", "role": "approver", "department": item.department_id, "share": 0.5,
         "parallel": "joint", "actions": ["pass", "reject"]},
        {"id": "fire", "name": "消防审查", "role": "approver", "department": fire_dept.pk, "share": 0.5,
         "parallel": "joint", "actions": ["pass", "reject"]},
    ])
    return intake.accept(window_staff, submitted_case, submitted_case.lock_version)


def test_visible_case_but_not_their_step_is_403(api, submitted_case, window_staff, approver, fire_approver,
                                                 fire_dept, item):
    case = _two_department_case(submitted_case, window_staff, fire_dept, item)
    market, fire = api(approver), api(fire_approver)
    # 市场监管局 sees its case but may not act on the 消防 step.
    r = market.post(f"{case.pk}/steps/fire/act", {"action": "pass", "lock_version": case.lock_version})
    assert r.status_code == 403 and "消防救援大队" in r.json()["detail"]
    # 消防 sees the case through its step, acts on it, and may not do the window's work.
    detail = fire.get(f"{case.pk}")
    assert detail.status_code == 200
    assert {s["step_id"]: s["can_act"] for s in detail.json()["steps"]} == {"market": False, "fire": True}
    assert [i["step_id"] for i in fire.get("inbox").json()["items"]] == ["fire"]
    assert fire.post(f"{case.pk}/deliver", {"lock_version": case.lock_version, "method": "window"}).status_code == 403
    r = fire.post(f"{case.pk}/steps/fire/act", {"action": "pass", "lock_version": case.lock_version})
    assert r.status_code == 200
    # The market approver's inbox holds only the market step.
    assert [i["step_id"] for i in market.get("inbox").json()["items"]] == ["market"]


def test_applicants_get_403_on_staff_actions_and_lists(api, submitted_case, citizen):
    c = api(citizen)
    r = c.post(f"{submitted_case.pk}/accept", {"lock_version": 1})
    assert r.status_code == 403 and r.json()["detail"] == "仅受理该部门事项的窗口人员可以操作"
    for path in ("intake", "inbox", "search", "figures"):
        r = c.get(path)
        assert r.status_code == 403 and r.json()["detail"], path


def test_applicant_sees_only_what_is_visible_to_applicants(api, submitted_case, citizen, window_staff):
    from zhengwu.cases.services.base import record_event

    record_event(submitted_case, "note", "内部备注", window_staff, opinion="内部意见", visible=False)
    labels = [e["label"] for e in api(citizen).get(f"{submitted_case.pk}").json()["timeline"]]
    assert "内部备注" not in labels
    assert "内部备注" in [e["label"] for e in api(window_staff).get(f"{submitted_case.pk}").json()["timeline"]]


def test_leader_sees_figures_not_cases(api, submitted_case, make_staff, district):
    leader = api(make_staff("leader", region=district))
    assert leader.get("figures").status_code == 200
    assert leader.get(f"{submitted_case.pk}").status_code == 404
    assert leader.get("search").status_code == 403


def test_anonymous_is_401_and_unsafe_requests_need_the_csrf_token(api, submitted_case, citizen, item):
    anon = api(None)
    for path in ("mine", f"{submitted_case.pk}", "inbox", "figures"):
        r = anon.get(path)
        assert r.status_code == 401 and r.json()["detail"] == "请先登录", path
    assert anon.post(f"{submitted_case.pk}/submit", {"lock_version": 1}).status_code == 401
    # Logged in but without the token (a cross-site form post): refused before anything runs.
    me = api(citizen)
    r = me.post("", {"item_id": item.pk}, csrf=False)
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert me.post(f"{submitted_case.pk}/withdraw", {"lock_version": 1}, csrf=False).status_code == 403
    assert me.get(f"{submitted_case.pk}").json()["state"] == "submitted"
