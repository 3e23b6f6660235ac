"""Pages: rate my case, QR rating (replay refused), the window tablet, the rectification
workbench (other departments 404), supervisor views, figures, 红黑旗, exports, rules, receipt."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengwu.ratings import services
from zhengwu.ratings.models import Rating, Rectification, WindowVisit

pytestmark = pytest.mark.django_db


def test_rate_my_case_page(client, concluded_case, citizen, other_citizen):
    url = reverse("ratings:rate_case", args=[concluded_case.pk])
    client.force_login(other_citizen)
    assert client.get(url).status_code == 404
    client.force_login(citizen)
    page = client.get(url)
    assert page.status_code == 200 and "提交评价" in page.content.decode()
    bad = client.post(url, {"level": "5", "dim_overall": "5"})
    assert bad.status_code == 400 and "尚未评分" in bad.content.decode()
    res = client.post(url, {"level": "2", "comment": "等太久", "tags": ["办理时间长、效率低"]}, follow=True)
    assert "感谢您的评价" in res.content.decode() and "待核实" in res.content.decode()
    client.post(url, {"level": "5"})
    assert Rating.objects.count() == 1
    detail = client.get(reverse("cases:my_case", args=[concluded_case.pk])).content.decode()
    assert 'id="rate-link"' in detail


def test_qr_page_rates_once_and_refuses_replay(client, concluded_case):
    token = services.issue_token("case", concluded_case.pk)
    url = reverse("ratings:qr_rate", args=[token])
    assert client.get(url).status_code == 200
    res = client.post(url, {"level": "4"})
    assert res.status_code == 200 and "感谢您的评价" in res.content.decode()
    replay = client.post(url, {"level": "1", "tags": ["其他"], "comment": "再评一次"})
    assert replay.status_code in (400, 409) and "只能评价一次" in replay.content.decode()
    forged = client.get(reverse("ratings:qr_rate", args=["abc:def"]))
    assert forged.status_code == 400 and "无效" in forged.content.decode()


def test_qr_code_of_an_open_case_asks_to_wait(client, make_case, citizen):
    case = make_case(citizen, state="in_review")
    page = client.get(reverse("ratings:qr_rate", args=[services.issue_token("case", case.pk)]))
    assert "办结后" in page.content.decode() and Rating.objects.count() == 0


def test_window_poster_qr_creates_a_visit_and_limits_per_day(client, window, dept):
    token = services.issue_token("window", window.pk)
    url = reverse("ratings:qr_rate", args=[token])
    assert "办理的业务部门" in client.get(url).content.decode()
    assert client.post(url, {"level": "5", "department": str(dept.pk)}).status_code == 200
    again = client.post(url, {"level": "5", "department": str(dept.pk)})
    assert again.status_code == 409 and "今天已评价过" in again.content.decode()
    assert WindowVisit.objects.filter(source="qr").count() == 1 and Rating.objects.get().department_id == dept.pk


def test_tablet_flow(client, window, window_staff, dept, make_staff):
    client.force_login(window_staff)
    start = client.get(reverse("ratings:tablet_start"))
    assert start.status_code == 200 and window.number in start.content.decode()
    res = client.post(reverse("ratings:tablet_start"), {"window": window.pk})
    assert res.url == reverse("ratings:tablet", args=[window.pk])
    res = client.post(reverse("ratings:tablet", args=[window.pk]), {"department": dept.pk, "nonce": "a" * 32})
    again = client.post(reverse("ratings:tablet", args=[window.pk]), {"department": dept.pk, "nonce": "a" * 32})
    visit = WindowVisit.objects.get()  # a double tap records one service
    assert again.url == res.url
    idle = client.get(reverse("ratings:tablet", args=[window.pk]), {"thanks": "1"})
    assert idle.status_code == 200 and "感谢您的评价" in idle.content.decode()
    assert res.url == reverse("ratings:tablet_rate", args=[window.pk, visit.pk]) and visit.staff_id == window_staff.pk
    page = client.get(res.url).content.decode()
    assert "<svg" in page and "服务态度" in page
    res = client.post(reverse("ratings:tablet_rate", args=[window.pk, visit.pk]),
                      {"level": "1", "dim_overall": "1", "dim_efficiency": "1", "dim_skill": "2", "dim_attitude": "1",
                       "comment": "态度差", "phone": "13900003333"})
    assert res.status_code == 302 and "thanks=bad" in res.url
    r = Rating.objects.get()
    assert r.window_id == window.pk and r.staff_id == window_staff.pk and r.is_bad and r.real_name
    # the visit cannot be rated twice; other staff without the window role cannot use the tablet
    assert client.get(reverse("ratings:tablet_rate", args=[window.pk, visit.pk])).status_code == 302
    client.force_login(make_staff("approver", department=dept))
    assert client.get(reverse("ratings:tablet", args=[window.pk])).status_code == 403


def test_rectification_workbench_pages(client, concluded_case, citizen, dept_admin, other_admin, supervisor):
    r = services.rate_case(citizen, concluded_case, level=1, comment="很差")
    rect = r.rectification
    detail = reverse("ratings:rect_detail", args=[rect.pk])
    client.force_login(other_admin)
    assert client.get(detail).status_code == 404
    assert client.post(reverse("ratings:rect_action", args=[rect.pk, "verify"]),
                       {"version": 0, "valid": "1"}).status_code == 404
    client.force_login(dept_admin)
    assert "#%d" % rect.pk in client.get(reverse("ratings:rect_list")).content.decode()
    page = client.get(detail).content.decode()
    assert "verify-submit" in page and "138****5678" in page
    res = client.post(reverse("ratings:rect_action", args=[rect.pk, "reveal"]))
    assert "13812345678" in res.content.decode()
    res = client.post(reverse("ratings:rect_action", args=[rect.pk, "verify"]), {"version": 0, "valid": "0"})
    assert res.status_code == 400 and "理由" in res.content.decode()
    client.post(reverse("ratings:rect_action", args=[rect.pk, "verify"]), {"version": 0, "valid": "1"})
    stale = client.post(reverse("ratings:rect_action", args=[rect.pk, "rectify"]),
                        {"version": 0, "measures": "已整改并培训窗口人员"})
    assert stale.status_code == 409
    client.post(reverse("ratings:rect_action", args=[rect.pk, "rectify"]), {"version": 1, "measures": "已整改并培训窗口人员"})
    client.post(reverse("ratings:rect_action", args=[rect.pk, "callback"]),
                {"version": 2, "reached": "1", "satisfied": "1", "note": "满意"})
    assert Rectification.objects.get().state == "closed"
    # appeal page for the supervisor
    client.post(reverse("ratings:rect_action", args=[rect.pk, "appeal"]), {"reason": "评价人与本案无关，系恶意差评"})
    client.force_login(supervisor)
    assert "评价人与本案无关" in client.get(reverse("ratings:appeals")).content.decode()
    assert client.get(reverse("ratings:overdue")).status_code == 200


def test_figures_ranking_public_screen_exports(client, concluded_case, citizen, leader, dept_admin, sysadmin):
    from openpyxl import load_workbook

    services.rate_case(citizen, concluded_case, level=2, tags=["需要多次跑动"])
    client.force_login(leader)
    page = client.get(reverse("ratings:figures"), {"by": "department"}).content.decode()
    assert concluded_case.department.name in page and "满意率" in page and "基本满意" in page  # definition shown
    assert client.get(reverse("ratings:figures"), {"period": "2026-13"}).status_code == 400
    assert client.get(reverse("ratings:ranking")).status_code == 200
    period = timezone.localdate().strftime("%Y-%m")
    for name in ("ratings:export_ratings", "ratings:export_rectifications"):
        res = client.get(reverse(name), {"period": period})
        assert res.status_code == 200
        wb = load_workbook(io.BytesIO(b"".join(res.streaming_content)))
        ws = wb.worksheets[0]
        assert ws.max_row >= 2
    assert client.get(reverse("ratings:rules")).status_code == 403
    client.logout()
    public = client.get(reverse("ratings:public")).content.decode()
    assert concluded_case.department.name in public and "指标口径" in public
    assert client.get(reverse("ratings:screen"), {"by": "department"}).status_code == 200
    client.force_login(sysadmin)
    assert client.post(reverse("ratings:rules"), {"rectify_workdays": "x"}).status_code == 400
    data = {"default_after_days": "15", "rectify_workdays": "5", "bad_levels": "1,2", "red_count": "3",
            "black_count": "3", "min_ratings": "10", "weight_satisfaction": "60", "weight_active": "20",
            "weight_rectify": "20", "bad_penalty": "1"}
    assert client.post(reverse("ratings:rules"), data).status_code == 302
    assert services.get_rules().rectify_workdays == 5


def test_menu_entries(client, dept_admin):
    client.force_login(dept_admin)
    page = client.get(reverse("workbench:home")).content.decode()
    assert reverse("ratings:rect_list") in page and reverse("ratings:figures") in page


def test_receipt_pdf_carries_a_rating_qr_code(client, concluded_case, citizen):
    from zhengwu.ratings.models import RatingToken

    client.force_login(citizen)
    res = client.get(reverse("cases:receipt_pdf", args=[concluded_case.pk]))
    assert res.status_code == 200
    assert RatingToken.objects.filter(kind="case", ref=concluded_case.pk).exists()


def test_receipt_page_shows_a_rating_qr_code(client, concluded_case, citizen):
    client.force_login(citizen)
    page = client.get(reverse("cases:receipt", args=[concluded_case.pk])).content.decode()
    assert 'id="receipt-rating-qr"' in page and "<svg" in page


def test_admin_edits_the_local_rules_with_checks(client, django_user_model):
    from zhengwu.ratings.models import RatingRules

    admin = django_user_model.objects.create_superuser("root", password="Test@2026pw", kind="staff")
    services.get_rules()
    client.force_login(admin)
    url = reverse("admin:ratings_ratingrules_change", args=[1])
    page = client.get(url)
    assert page.status_code == 200 and 'name="bad_levels"' not in page.content.decode()  # not a local rule
    data = {"default_after_days": 15, "rectify_workdays": 15, "red_count": 3, "black_count": 3,
            "min_ratings": 10, "weight_satisfaction": 60, "weight_active": 20, "weight_rectify": 20,
            "bad_penalty": 1, "weight_on_time": 20, "overdue_penalty": 0.5, "complaint_penalty": 1}
    client.post(url, data)
    assert RatingRules.objects.get().rectify_workdays == 15


def test_my_ratings_lists_only_my_own_with_rectification_progress(client, concluded_case, citizen, other_citizen):
    services.rate_case(citizen, concluded_case, level=1, comment="态度差")
    url = reverse("ratings:mine")
    client.force_login(other_citizen)
    page = client.get(url).content.decode()
    assert 'id="no-ratings"' in page and concluded_case.number not in page
    client.force_login(citizen)
    page = client.get(url).content.decode()
    assert concluded_case.number in page and "非常不满意" in page and "整改进度" in page and "态度差" in page
    assert 'id="nav-my-ratings"' in page
