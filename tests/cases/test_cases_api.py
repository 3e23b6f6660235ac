"""The cases API contract: paths in the OpenAPI schema, status codes, fields, error bodies.

Every request goes through :class:`ApiClient` (tests/helpers.py): session login with CSRF
enforced, the token sent back in ``X-CSRFToken`` as a page's JavaScript would.
"""

import datetime as dt

import pytest

from zhengwu.cases.models import Case

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/cases/", "/api/v1/cases/mine", "/api/v1/cases/intake", "/api/v1/cases/inbox",
    "/api/v1/cases/search", "/api/v1/cases/figures", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/form",
    "/api/v1/cases/{case_id}/materials", "/api/v1/cases/{case_id}/submit", "/api/v1/cases/{case_id}/resubmit",
    "/api/v1/cases/{case_id}/withdraw", "/api/v1/cases/{case_id}/receipt.pdf",
    "/api/v1/cases/{case_id}/decision.pdf", "/api/v1/cases/{case_id}/accept", "/api/v1/cases/{case_id}/supplement",
    "/api/v1/cases/{case_id}/refuse", "/api/v1/cases/{case_id}/accept-pending",
    "/api/v1/cases/{case_id}/accept-commitment", "/api/v1/cases/{case_id}/steps/{step_id}/act",
    "/api/v1/cases/{case_id}/suspend", "/api/v1/cases/{case_id}/resume", "/api/v1/cases/{case_id}/deliver",
]


def test_openapi_documents_every_path_with_typed_bodies(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(PATHS) <= set(schema["paths"])
    submit = schema["paths"]["/api/v1/cases/{case_id}/submit"]["post"]
    assert submit["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CaseDetailOut")
    assert submit["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert submit["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SubmitIn")
    upload = schema["paths"]["/api/v1/cases/{case_id}/materials"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    create = schema["paths"]["/api/v1/cases/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    decision = schema["paths"]["/api/v1/cases/{case_id}/decision.pdf"]["get"]
    assert "application/pdf" in decision["responses"]["200"]["content"]
    detail = schema["components"]["schemas"]["CaseDetailOut"]["properties"]
    assert {"timeline", "steps", "pending_materials", "supplement_notices", "result", "time"} <= set(detail)


def _draft(c, item, key="k-1", form=None):
    return c.post("", {"item_id": item.pk, "form_data": form or {"shop_name": "老王小吃", "area": 30}},
                  headers={"Idempotency-Key": key})


def _upload(c, case_id, pdf, name):
    return c.upload(f"{case_id}/materials", {"file": pdf(), "name": name})


def test_citizen_applies_online_and_gets_one_case_per_idempotency_key(api, citizen, item, pdf):
    c = api(citizen)
    r = _draft(c, item)
    assert r.status_code == 201
    body = r.json()
    assert body["state"] == "draft" and body["number"] is None and body["lock_version"] == 0
    assert body["form_data"]["applicant_name"] == "王小吃"  # prefilled
    assert body["applicant"]["id_number"].count("*") == 10  # masked
    again = _draft(c, item)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Case.objects.count() == 1

    r = c.patch(f"{body['id']}/form", {"form_data": {"shop_name": "老王小吃店", "area": 35}, "lock_version": 0})
    assert r.status_code == 200 and r.json()["form_data"]["area"] == 35 and r.json()["lock_version"] == 1

    m = _upload(c, body["id"], pdf, "食品经营许可申请书")
    assert m.status_code == 201
    assert set(m.json()) >= {"id", "name", "sha256", "size", "content_type", "status"}
    assert m.json()["content_type"] == "application/pdf" and len(m.json()["sha256"]) == 64
    material_id = item.published_version.materials.get(name="营业执照").pk
    m2 = c.upload(f"{body['id']}/materials", {"file": pdf(), "material_id": material_id})
    assert m2.status_code == 201 and m2.json()["material_id"] == material_id

    r = c.post(f"{body['id']}/submit", {"lock_version": 1})
    assert r.status_code == 200
    sub = r.json()
    assert sub["state"] == "submitted" and sub["number"].startswith("410105") and sub["lock_version"] == 2
    assert [e["action"] for e in sub["timeline"]] == ["create", "upload", "upload", "submit"]
    assert sub["receipt_url"].endswith(f"/cases/{body['id']}/receipt.pdf")
    # A retry after a timeout carries the old version: the same case comes back, nothing new.
    retry = c.post(f"{body['id']}/submit", {"lock_version": 1})
    assert retry.status_code == 200 and retry.json()["number"] == sub["number"]
    receipt = c.get(f"{body['id']}/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")


def test_bad_input_gets_chinese_field_errors(api, citizen, item, pdf):
    c = api(citizen)
    case_id = _draft(c, item, form={"shop_name": "王"}).json()["id"]
    r = c.post(f"{case_id}/submit", {"lock_version": 0})
    assert r.status_code == 400
    body = r.json()
    assert body["errors"]["shop_name"] == ["店铺名称：至少2个字"]
    assert body["errors"]["area"] == ["经营面积（平方米）：必填"]
    assert "缺少必要材料" in body["errors"]["materials"][0]
    assert body["detail"]
    bad = c.upload(f"{case_id}/materials", {"file": pdf("x.pdf", b"MZ\x90 not a pdf"), "name": "营业执照"})
    assert bad.status_code == 400 and "只接受PDF、JPG、PNG、OFD" in bad.json()["errors"]["file"][0]
    assert c.post("", {"item_id": 999999}).json() == {"detail": "事项不存在", "errors": {"item_id": ["事项不存在"]}}
    long_key = c.post("", {"item_id": item.pk}, headers={"Idempotency-Key": "x" * 51})
    assert long_key.status_code == 400 and "Idempotency-Key" in long_key.json()["errors"]


def test_stale_version_is_409_with_the_service_message(api, submitted_case, window_staff):
    w = api(window_staff)
    r = w.post(f"{submitted_case.pk}/accept", {"lock_version": submitted_case.lock_version - 1})
    assert r.status_code == 409
    assert r.json()["detail"] == "该办件已被他人处理或已更新，请刷新页面后重试"


def test_intake_supplement_resubmit_accept_parallel_approval_decision(api, submitted_case, citizen, window_staff,
                                                                      approver, pdf):
    case_id = submitted_case.pk
    w, me, ap = api(window_staff), api(citizen), api(approver)
    queue = w.get("intake").json()
    assert [i["id"] for i in queue["items"]] == [case_id] and queue["next_cursor"] is None

    r = w.post(f"{case_id}/supplement", {"lock_version": 1, "items": [{"material": "营业执照", "reason": "复印件不清晰"}]})
    assert r.status_code == 200 and r.json()["state"] == "supplement"
    mine = me.get(f"{case_id}").json()
    assert mine["supplement_notices"][0]["items"] == [{"material": "营业执照", "reason": "复印件不清晰"}]
    assert mine["actions"] == ["resubmit", "withdraw"]
    assert _upload(me, case_id, pdf, "营业执照").status_code == 201
    r = me.post(f"{case_id}/resubmit", {"lock_version": mine["lock_version"], "note": "已换清晰件"})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    assert r.json()["supplement_notices"][0]["resolved_at"]

    r = w.post(f"{case_id}/accept", {"lock_version": r.json()["lock_version"], "opinion": "材料齐全"})
    assert r.status_code == 200
    accepted = r.json()
    assert accepted["state"] == "in_review" and accepted["due_date"] and accepted["time"]["label"] == "正常"
    assert [s["step_id"] for s in accepted["steps"]] == ["review", "decide"]
    assert w.get("intake").json()["items"] == []

    inbox = ap.get("inbox").json()
    assert len(inbox["items"]) == 1
    row = inbox["items"][0]
    assert row["step_id"] == "review" and row["case"]["id"] == case_id
    assert row["time"]["label"] == "正常" and row["time"]["days_left"] > 0
    detail = ap.get(f"{case_id}").json()
    assert [s["can_act"] for s in detail["steps"]] == [True, False]

    r = ap.post(f"{case_id}/steps/review/act",
                {"action": "pass", "opinion": "符合条件", "lock_version": detail["lock_version"]})
    assert r.status_code == 200
    r = ap.post(f"{case_id}/steps/decide/act",
                {"action": "pass", "opinion": "准予", "lock_version": r.json()["lock_version"]})
    done = r.json()
    assert done["state"] == "concluded" and done["outcome_label"] == "准予" and done["concluded_on_time"] is True
    assert done["result"]["decision_number"] and done["result"]["decision_url"].endswith("/decision.pdf")
    pdf_response = me.get(f"{case_id}/decision.pdf")
    assert pdf_response.status_code == 200 and b"".join(pdf_response.streaming_content).startswith(b"%PDF")

    r = w.post(f"{case_id}/deliver", {"lock_version": done["lock_version"], "method": "mail",
                                      "address": "郑州市金水区花园路100号3单元", "carrier": "EMS",
                                      "tracking_number": "EMS123"})
    assert r.status_code == 200 and r.json()["state"] == "delivered"
    result = r.json()["result"]
    assert result["delivery_label"] == "邮寄送达" and result["address"] == "郑州市金水区****"


def test_step_action_needs_an_opinion_to_return_or_reject(api, submitted_case, window_staff, approver):
    w, ap = api(window_staff), api(approver)
    case = w.post(f"{submitted_case.pk}/accept", {"lock_version": 1}).json()
    r = ap.post(f"{case['id']}/steps/review/act", {"action": "reject", "lock_version": case["lock_version"]})
    assert r.status_code == 400 and r.json()["errors"] == {"opinion": ["退回或不予通过时须填写意见"]}
    r = ap.post(f"{case['id']}/steps/review/act", {"action": "jump", "lock_version": case["lock_version"]})
    assert r.status_code == 400 and "不允许" in r.json()["detail"]


def test_refuse_and_withdraw(api, submitted_case, window_staff, citizen):
    w, me = api(window_staff), api(citizen)
    r = w.post(f"{submitted_case.pk}/refuse", {"lock_version": 1, "reason": "", "legal_basis": ""})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"reason"}
    r = w.post(f"{submitted_case.pk}/refuse", {"lock_version": 1, "reason": "不属于本部门职权",
                                                "legal_basis": "《行政许可法》第三十二条"})
    assert r.status_code == 200 and "第三十二条" in me.get(f"{submitted_case.pk}").json()["refusal_reason"]
    r = me.post(f"{submitted_case.pk}/withdraw", {"lock_version": 2})
    assert r.status_code == 400 and "不能撤回申请" in r.json()["detail"]


def test_accept_pending_then_suspend_and_resume(api, submitted_case, window_staff, approver):
    w, ap = api(window_staff), api(approver)
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    r = w.post(f"{submitted_case.pk}/accept-pending",
               {"lock_version": 1, "pending": [{"name": "健康证明", "due_date": due}]})
    assert r.status_code == 200
    case = r.json()
    assert case["intake_mode_label"] == "容缺受理" and case["pending_materials"][0]["name"] == "健康证明"
    r = ap.post(f"{case['id']}/suspend", {"lock_version": case["lock_version"], "kind": "expert",
                                          "reason": "需专家评审", "planned_workdays": 5})
    assert r.status_code == 200
    suspended = r.json()
    assert suspended["state"] == "suspended" and suspended["suspensions"][0]["kind_label"] == "专家评审"
    assert suspended["time"]["label"] == "挂起"
    assert ap.get("inbox").json()["items"][0]["time"]["label"] == "挂起"
    r = ap.post(f"{case['id']}/resume", {"lock_version": suspended["lock_version"]})
    assert r.status_code == 200 and r.json()["state"] == "in_review"
    r = ap.post(f"{case['id']}/suspend", {"lock_version": r.json()["lock_version"], "kind": "party", "reason": "x"})
    assert r.status_code == 400 and "kind" in r.json()["errors"]


def test_accept_with_commitment(api, submitted_case, window_staff):
    r = api(window_staff).post(f"{submitted_case.pk}/accept-commitment",
                               {"lock_version": 1, "commitment_text": "本人承诺所填信息真实有效", "signed": True})
    assert r.status_code == 200
    assert r.json()["intake_mode"] == "commitment" and r.json()["commitment_signed_at"]


def test_mine_is_paginated_by_cursor(api, citizen, item):
    c = api(citizen)
    ids = [_draft(c, item, key=f"k{i}").json()["id"] for i in range(5)]
    first = c.get("mine", limit=2).json()
    assert [i["id"] for i in first["items"]] == ids[::-1][:2] and first["next_cursor"]
    second = c.get("mine", limit=2, cursor=first["next_cursor"]).json()
    third = c.get("mine", limit=2, cursor=second["next_cursor"]).json()
    assert [i["id"] for i in second["items"] + third["items"]] == ids[::-1][2:]
    assert third["next_cursor"] is None
    bad = c.get("mine", cursor="not-a-cursor")
    assert bad.status_code == 400 and "分页游标无效" in bad.json()["errors"]["cursor"][0]


def test_staff_search_by_number_state_and_date(api, submitted_case, window_staff):
    w = api(window_staff)
    by_number = w.get("search", number=submitted_case.number).json()
    assert [i["id"] for i in by_number["items"]] == [submitted_case.pk]
    today = dt.date.today().isoformat()
    assert len(w.get("search", state="submitted", date_from=today, date_to=today).json()["items"]) == 1
    assert w.get("search", state="concluded").json()["items"] == []
    assert w.get("search", state="nonsense").status_code == 400
    r = w.get("search", date_from="2026-02-01", date_to="2026-01-01")
    assert r.status_code == 400 and r.json()["errors"] == {"date_to": ["结束日期不能早于开始日期"]}


def test_figures_endpoint(api, make_staff, district, submitted_case, window_staff):
    leader = make_staff("leader", region=district)
    case = api(window_staff).post(f"{submitted_case.pk}/accept", {"lock_version": 1}).json()
    assert case["state"] == "in_review"
    r = api(leader).get("figures", group_by="department")
    assert r.status_code == 200
    body = r.json()
    assert [d["label"] for d in body["definitions"]][:3] == ["受理量", "办结量", "按时办结率"]
    assert body["rows"][0]["label"] == "市场监管局" and body["rows"][0]["figures"]["accepted"] == 1
    assert body["total"]["accepted"] == 1 and body["total"]["on_time_rate"] is None
    bad = api(leader).get("figures", group_by="hall")
    assert bad.status_code == 400 and "group_by" in bad.json()["errors"]
    bad = api(leader).get("figures", start="2026-03-01", end="2026-02-01")
    assert bad.status_code == 400 and bad.json()["errors"] == {"end": ["结束日期不能早于开始日期"]}


def test_window_staff_files_on_behalf_of_an_applicant(api, window_staff, item, citizen):
    id_number = citizen.applicant.id_number.reveal_unaudited()
    r = api(window_staff).post("", {"item_id": item.pk, "channel": "window", "applicant_id_number": id_number,
                                    "form_data": {"shop_name": "老王小吃", "area": 30}})
    assert r.status_code == 201
    assert r.json()["channel_label"] == "窗口受理" and r.json()["applicant"]["name"] == "王小吃"
    r = api(window_staff).post("", {"item_id": item.pk, "applicant_id_number": "110101199003077777"})
    assert r.status_code == 400 and "applicant_id_number" in r.json()["errors"]


def _queries(c, path, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert c.get(path, **params).status_code == 200
    return len(ctx.captured_queries)


def _submitted(item, citizen, pdf, key):
    from zhengwu.cases.services import applying

    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王小吃", "area": 30}, idempotency_key=key)
    for m in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(citizen, case, pdf(), name=m)
    return applying.submit(citizen, case, Case.objects.get(pk=case.pk).lock_version)


def _accepted(item, citizen, pdf, window_staff, key):
    from zhengwu.cases.services import intake

    case = _submitted(item, citizen, pdf, key)
    return intake.accept(window_staff, case, case.lock_version)


def test_inbox_and_intake_pages_by_cursor_and_filter_by_time_status(api, item, citizen, window_staff, approver, pdf):
    accepted = [_accepted(item, citizen, pdf, window_staff, f"a{i}").pk for i in range(3)]
    waiting = [_submitted(item, citizen, pdf, f"s{i}").pk for i in range(3)]
    ap, w = api(approver), api(window_staff)
    first = ap.get("inbox", limit=2).json()
    second = ap.get("inbox", limit=2, cursor=first["next_cursor"]).json()
    assert [i["case"]["id"] for i in first["items"] + second["items"]] == accepted  # same due date: by id
    assert second["next_cursor"] is None
    assert len(ap.get("inbox", time="normal").json()["items"]) == 3
    assert ap.get("inbox", time="overdue").json()["items"] == []
    assert ap.get("inbox", time="late").status_code == 400
    q1 = w.get("intake", limit=2).json()
    q2 = w.get("intake", limit=2, cursor=q1["next_cursor"]).json()
    assert [i["id"] for i in q1["items"] + q2["items"]] == waiting and q2["next_cursor"] is None


def test_lists_and_detail_cost_the_same_queries_for_one_row_or_many(api, item, citizen, window_staff, approver,
                                                                   pdf):
    from zhengwu.cases.services import applying

    first = _accepted(item, citizen, pdf, window_staff, "n0")
    _submitted(item, citizen, pdf, "w0")
    me, w, ap = api(citizen), api(window_staff), api(approver)

    def measure():
        return {"mine": _queries(me, "mine"), "inbox": _queries(ap, "inbox"), "search": _queries(w, "search"),
                "intake": _queries(w, "intake"), "detail": _queries(ap, f"{first.pk}")}

    measure()  # each client's first request stamps its session (SessionIdleRefreshMiddleware)
    one = measure()
    for i in range(3):
        _accepted(item, citizen, pdf, window_staff, f"n{i + 1}")
        _submitted(item, citizen, pdf, f"w{i + 1}")
        applying.upload_material(citizen, first, pdf(), name=f"补充材料{i}")  # a longer history
    assert measure() == one
    assert one["detail"] <= 16


def test_intake_first_pages_are_the_oldest_waiting_cases_across_departments(api, item, citizen, window_staff, pdf,
                                                                             publish_item, fire_dept):
    """The first page is found department by department on PostgreSQL (queries._oldest_waiting);
    it must be the same page the plain query gives, in the same order."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from zhengwu.cases import queries
    from zhengwu.cases.services import applying

    fire_item = publish_item(fire_dept, "消防安全检查")
    ids = []
    for i in range(3):
        ids.append(_submitted(item, citizen, pdf, f"m{i}").pk)
        fire = applying.create_draft(citizen, fire_item, form_data={}, idempotency_key=f"f{i}")
        ids.append(applying.submit(citizen, fire, fire.lock_version).pk)
    start = timezone.now() - dt.timedelta(days=1)
    order = [ids[k] for k in (3, 0, 5, 1, 4, 2)]  # interleaved between the two departments
    for n, pk in enumerate(order):
        Case.objects.filter(pk=pk).update(submitted_at=start + dt.timedelta(minutes=n))

    plain = [c.pk for c in queries.intake_queue(window_staff)]
    assert plain == order
    for upto in (1, 2, 3, 7):
        with CaptureQueriesContext(connection) as ran:
            first = [c.pk for c in queries.intake_queue(window_staff, upto=upto)[:upto]]
        assert first == order[:upto]
        assert any("LATERAL" in q["sql"] for q in ran.captured_queries) == (connection.vendor == "postgresql")
    filtered = [c.pk for c in queries.intake_queue(window_staff, {"department": str(fire_dept.pk)}, upto=2)]
    assert filtered == [pk for pk in order if Case.objects.get(pk=pk).department_id == fire_dept.pk]

    w = api(window_staff)
    q1 = w.get("intake", limit=4).json()
    q2 = w.get("intake", limit=4, cursor=q1["next_cursor"]).json()
    assert [i["id"] for i in q1["items"]] == order[:4] and [i["id"] for i in q2["items"]] == order[4:]


def test_mine_lists_the_cases_one_files_as_agent_too(api, citizen, make_citizen, item):
    other = make_citizen(name="王申请", id_body="41010519800202123")
    Case.objects.create(number="T00000077", service_item=item, item_version=item.published_version,
                        department=item.department, region=item.region, applicant=other.applicant,
                        agent=citizen.applicant, state="draft")
    Case.objects.create(number="T00000078", service_item=item, item_version=item.published_version,
                        department=item.department, region=item.region, applicant=other.applicant, state="draft")
    assert [i["number"] for i in api(citizen).get("mine").json()["items"]] == ["T00000077"]
    assert sorted(i["number"] for i in api(other).get("mine").json()["items"]) == ["T00000077", "T00000078"]
