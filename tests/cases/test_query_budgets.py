"""Query budgets of the hot paths (the city benchmark's endpoints): a fixed, small number of
queries whatever the size of the case, its history or the inbox. A change that adds a query to
one of these should be a deliberate one (raise the budget here, and say why)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengwu.cases.models import Case
from zhengwu.cases.services import applying, intake

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_expiry_within_a_test(settings, monkeypatch):
    """Counts must not depend on the clock: a session is re-saved once a minute and the org tree,
    overviews and figures are cached for a minute or two, so on a slow machine a test that
    crossed that minute counted the re-save or the re-read (2 more queries) and failed."""
    from zhengwu.catalog import overview
    from zhengwu.org import permissions
    from zhengwu.ratings import queries as rating_queries

    settings.ZHENGWU_SESSION_REFRESH_SECONDS = 24 * 3600
    for generation in (overview._OVERVIEWS, permissions._TREE, rating_queries._FIGURES):
        monkeypatch.setattr(generation, "seconds", 24 * 3600)

# Budgets per request, as counted by django.test (the session row the middleware saves on every
# request included: SAVEPOINT/UPDATE/RELEASE inside the test transaction).
INBOX_PAGE = 10
STAFF_CASE_PAGE = 11  # the process version by primary key, not joined (cheaper to plan: see queries.STAFF_CASE_RELATED)
CASE_API = 10  # the same for the window clerk and for the applicant
SUBMISSION = 24  # POST /api/v1/cases/ + POST /api/v1/cases/<id>/submit, both requests (23 on PostgreSQL)


def fresh(case):
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def make_published_open_item(publish_item, dept):
    """An item that asks for no material and no form (咨询/预约类, as the benchmark submits to)."""
    from zhengwu.catalog.models import ServiceItem

    def make():
        return publish_item(dept, "政策咨询预约", item_type="20", service_object="person", statutory_days=1,
                            promised_days=1, materials=[("相关证明", "optional")],
                            item_fields={"implementation_code": f"Y{ServiceItem.objects.count()}"})

    return make


def _accepted(citizen, item, window_staff, pdf, n):
    case = applying.create_draft(citizen, item, form_data={"shop_name": f"小吃{n}号", "area": 20})
    for m in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(citizen, case, pdf(), name=m)
    case = applying.submit(citizen, case, fresh(case).lock_version)
    intake.accept(window_staff, case, fresh(case).lock_version)
    return fresh(case)


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code in (200, 201), response.content[:500]
    return len(ctx.captured_queries), response


def test_inbox_page_budget_does_not_grow_with_rows(staff_client, item, citizen, window_staff, approver, pdf):
    client = staff_client(approver)
    _accepted(citizen, item, window_staff, pdf, 1)
    client.get(reverse("cases:staff_inbox"))
    counts = []
    for sort in ("", "?sort=-due", "?time=overdue", "?sort=submitted"):
        n, _ = _count(lambda: client.get(reverse("cases:staff_inbox") + sort))
        counts.append(n)
    for k in range(2, 7):
        _accepted(citizen, item, window_staff, pdf, k)
    n, page = _count(lambda: client.get(reverse("cases:staff_inbox")))
    assert page.text.count("data-step=") == 6
    assert max(counts) <= INBOX_PAGE and n == counts[0], (counts, n)


def test_inbox_rows_are_read_through_a_bounded_subquery(item, citizen, window_staff, approver, pdf):
    from zhengwu.cases import queries

    for k in range(3):
        _accepted(citizen, item, window_staff, pdf, k)
    with CaptureQueriesContext(connection) as ctx:
        rows = queries.inbox_page(approver, {}, 0, 2)
    step_sql = [q["sql"] for q in ctx.captured_queries if "cases_casestep" in q["sql"]]
    assert len(rows) == 3 and len(step_sql) == 1 and "LIMIT 3" in step_sql[0]
    assert [r.due_date for r in rows] == sorted(r.due_date for r in rows)
    # page 2 starts where page 1 ended
    assert [r.pk for r in queries.inbox_page(approver, {}, 2, 2)] == [
        s.pk for s in queries.inbox(approver)][2:5]


def test_staff_case_page_budget_does_not_grow_with_history(staff_client, accepted_case, window_staff, approver):
    client = staff_client(window_staff)
    url = reverse("cases:staff_case", args=[accepted_case.pk])
    client.get(url)
    before, _ = _count(lambda: client.get(url))
    # more history: steps acted on, events, a suspension and its end
    from zhengwu.cases.services import approval

    approval.act_on_step(approver, fresh(accepted_case), "review", "pass", fresh(accepted_case).lock_version, "同意")
    approval.suspend(approver, fresh(accepted_case), fresh(accepted_case).lock_version, "hearing", "听证", 3)
    approval.resume(approver, fresh(accepted_case), fresh(accepted_case).lock_version, "")
    after, page = _count(lambda: client.get(url))
    assert before <= STAFF_CASE_PAGE and after <= STAFF_CASE_PAGE + 1, (before, after)  # + the suspensions
    assert "听证" in page.text


def test_case_api_budget(api, accepted_case, window_staff, citizen):
    staff = api(window_staff)
    staff.get(f"{accepted_case.pk}")
    n_staff, body = _count(lambda: staff.get(f"{accepted_case.pk}"))
    assert n_staff <= CASE_API, n_staff
    assert body.json()["steps"] and body.json()["timeline"]
    mine = api(citizen)
    mine.get(f"{accepted_case.pk}")
    n_mine, _ = _count(lambda: mine.get(f"{accepted_case.pk}"))
    assert n_mine <= CASE_API, n_mine


def test_submission_budget(api, citizen, make_published_open_item):
    c = api(citizen)
    item = make_published_open_item()

    def submit():
        r = c.post("", {"item_id": item.pk, "form_data": {}}, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 201, r.content
        case = r.json()
        return c.post(f"{case['id']}/submit", {"lock_version": case["lock_version"]})

    submit()
    n, r = _count(submit)
    assert r.json()["state"] == "submitted"
    assert n <= SUBMISSION, n


def test_audit_head_lock_is_taken_last_in_a_transition(api, citizen, make_published_open_item):
    """The audit chain's head stays locked until the transaction ends: the transition appends to
    it after everything else it writes, so the lock is held for as short a time as possible."""
    c = api(citizen)
    item = make_published_open_item()
    case = c.post("", {"item_id": item.pk, "form_data": {}}, headers={"Idempotency-Key": "x1"}).json()
    with CaptureQueriesContext(connection) as ctx:
        c.post(f"{case['id']}/submit", {"lock_version": case["lock_version"]})
    sql = [q["sql"] for q in ctx.captured_queries]
    head = next(i for i, s in enumerate(sql) if "core_audithead" in s)
    writes_after = [s for s in sql[head:] if s.startswith(("INSERT", "UPDATE"))
                    and "core_audit" not in s and "django_session" not in s]
    assert not writes_after, writes_after


def test_responses_after_a_change_equal_a_fresh_read(api, citizen, item, pdf):
    """create / submit / withdraw answer with the case's detail built from what the request
    already read: it must be exactly what GET /cases/<id> returns right after."""
    c = api(citizen)
    created = c.post("", {"item_id": item.pk, "form_data": {"shop_name": "老王小吃", "area": 30}},
                     headers={"Idempotency-Key": "same-1"})
    assert created.status_code == 201
    case_id = created.json()["id"]
    assert created.json() == c.get(f"{case_id}").json()
    for m in ("食品经营许可申请书", "营业执照"):
        assert c.upload(f"{case_id}/materials", {"file": pdf(), "name": m}).status_code == 201
    lock = c.get(f"{case_id}").json()["lock_version"]
    submitted = c.post(f"{case_id}/submit", {"lock_version": lock})
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert submitted.json() == c.get(f"{case_id}").json()
    assert submitted.json()["materials"]  # the uploads are listed (their flag came with the locked read)
    again = c.post(f"{case_id}/submit", {"lock_version": lock})  # a double click: the same answer
    assert again.status_code == 200 and again.json() == submitted.json()
    replay = c.post("", {"item_id": item.pk, "form_data": {}}, headers={"Idempotency-Key": "same-1"})
    assert replay.status_code == 200 and replay.json() == c.get(f"{case_id}").json()
    withdrawn = c.post(f"{case_id}/withdraw", {"lock_version": submitted.json()["lock_version"], "reason": "不办了"})
    assert withdrawn.status_code == 200 and withdrawn.json() == c.get(f"{case_id}").json()


def test_inbox_rows_and_filter_options_outside_the_django_template(staff_client, accepted_case, approver, item):
    """The rows (a Jinja2 fragment) and the 事项 and 部门 options (rendered by the view): same
    markup, values escaped, the chosen item and department selected."""
    from zhengwu.catalog.models import ServiceItem

    ServiceItem.objects.filter(pk=item.pk).update(name="食品经营许可证核发<b>")
    client = staff_client(approver)
    page = client.get(reverse("cases:staff_inbox"), {"item": str(item.pk),
                                                     "department": str(item.department_id)}).content.decode()
    assert f'<option value="{item.pk}" selected>食品经营许可证核发&lt;b&gt;（市场监管局）</option>' in page
    assert f'<option value="{item.department_id}" selected>市场监管局</option>' in page
    assert f'<tr data-case="{accepted_case.number}" data-step="review">' in page
    assert "食品经营许可证核发&lt;b&gt;<div" in page and "<b>" not in page.split('id="inbox-table"')[1]
    url = reverse("cases:staff_step", args=[accepted_case.pk, "review"])
    assert f'href="{url}" id="open-{accepted_case.pk}-review">办理</a>' in page
    assert 'data-time-status="normal"' in page


def test_filter_options_are_cached_until_a_publication(staff_client, approver, make_published_open_item,
                                                     django_capture_on_commit_callbacks):
    client = staff_client(approver)
    url = reverse("cases:staff_inbox")
    client.get(url)
    first, page = _count(lambda: client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_published_open_item()
    n, page = _count(lambda: client.get(url))
    assert f'<option value="{newcomer.pk}">' in page.content.decode()  # the publication shows at once
    again, _ = _count(lambda: client.get(url))
    # The 事项 and the 部门 options are read again after it, and only then.
    assert again == first and n == first + 2, (first, n, again)
