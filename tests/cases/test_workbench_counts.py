"""The workbench home page's cards count the work waiting for the user (bounded queries)."""

import re

import pytest
from django.urls import reverse

from zhengwu.workbench import menu

pytestmark = pytest.mark.django_db


def counts(client) -> dict[str, str]:
    html = client.get(reverse("workbench:home")).content.decode()
    return dict(re.findall(r'[\s>](受理|待办)</span><span class="badge[^"]*" data-count="(\d+)"', html))


def test_window_sees_cases_waiting_for_intake_and_approver_steps(staff_client, window_staff, approver,
                                                                  submitted_case, make_staff):
    assert counts(staff_client(window_staff)) == {"受理": "1", "待办": "0"}
    assert "受理" not in counts(staff_client(approver))
    from zhengwu.cases.services import intake

    intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    assert counts(staff_client(approver)) == {"待办": "1"}
    assert counts(staff_client(window_staff))["受理"] == "0"


def test_counts_are_capped(monkeypatch, staff_client, window_staff, submitted_case, citizen, item, pdf):
    from zhengwu.cases.services import applying

    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王二店", "area": 20})
    for m in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(citizen, case, pdf(), name=m)
    case.refresh_from_db()
    applying.submit(citizen, case, case.lock_version)
    monkeypatch.setattr(menu, "COUNT_CAP", 1)
    html = staff_client(window_staff).get(reverse("workbench:home")).content.decode()
    assert re.search(r'data-count="2"[^>]*>1\+', html)


def test_leader_sees_extension_requests_waiting(staff_client, accepted_case, approver, make_staff, dept, fire_dept):
    from zhengwu.cases.services import deadlines

    leader = make_staff("leader", department=dept)
    html = staff_client(leader).get(reverse("workbench:home")).content.decode()
    assert re.search(r'延期审批</span><span class="badge[^"]*" data-count="0"', html)
    deadlines.request_extension(approver, accepted_case, accepted_case.lock_version, "需集体研究，二十日内不能作出决定")
    html = staff_client(leader).get(reverse("workbench:home")).content.decode()
    assert re.search(r'延期审批</span><span class="badge[^"]*" data-count="1"', html)
    other = staff_client(make_staff("leader", department=fire_dept)).get(reverse("workbench:home")).content.decode()
    assert re.search(r'延期审批</span><span class="badge[^"]*" data-count="0"', other)  # not their department
