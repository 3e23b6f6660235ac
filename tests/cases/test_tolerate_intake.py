"""容缺受理 at the window: the 补交期限 box comes prefilled with an ISO date (what <input type=date>
reads), and only the guide's 容缺可后补 materials the applicant has not handed in may be 容缺."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from zhengwu.cases import rules
from zhengwu.cases.models import Case, PendingMaterial
from zhengwu.cases.services import applying, intake

pytestmark = pytest.mark.django_db


def fresh(case):
    return Case.objects.get(pk=case.pk)


def tolerate_panel(html):
    return html[html.index('id="form-tolerate"'):html.index("</form>", html.index('id="form-tolerate"'))]


@pytest.mark.parametrize("supplied, expected", [
    (set(), ["健康证明", "场所照片"]),
    ({"场所照片"}, ["健康证明"]),
    ({"健康证明", "场所照片"}, []),
])
def test_only_tolerated_materials_not_handed_in_may_be_tolerated(supplied, expected):
    catalogue = [("申请人居民身份证", "required"), ("健康证明", "tolerated"), ("卫生承诺", "optional"),
                 ("场所照片", "tolerated")]
    assert rules.tolerable_materials(catalogue, supplied) == expected


def test_due_date_is_prefilled_as_an_iso_date(staff_client, window_staff, submitted_case):
    html = staff_client(window_staff).get(reverse("cases:staff_case", args=[submitted_case.pk])).text
    box = re.search(r'<input[^>]*type="date"[^>]*name="due_date"[^>]*>|<input[^>]*name="due_date"[^>]*type="date"[^>]*>',
                    tolerate_panel(html)).group(0)
    expected = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    assert f'value="{expected}"' in box


def test_the_list_offers_only_missing_tolerated_materials(staff_client, window_staff, submitted_case):
    panel = tolerate_panel(staff_client(window_staff).get(reverse("cases:staff_case", args=[submitted_case.pk])).text)
    assert 'value="健康证明"' in panel
    assert 'value="营业执照"' not in panel and 'value="食品经营许可申请书"' not in panel  # 必要 and handed in


def test_nothing_to_tolerate_says_so_instead_of_a_form(staff_client, window_staff, submitted_case, citizen, pdf):
    case = fresh(submitted_case)
    Case.objects.filter(pk=case.pk).update(state="draft")  # hand in the 容缺 material too, then submit again
    applying.upload_material(citizen, fresh(case), pdf(), name="健康证明")
    Case.objects.filter(pk=case.pk).update(state="submitted")
    html = staff_client(window_staff).get(reverse("cases:staff_case", args=[case.pk])).text
    assert 'id="form-tolerate"' not in html and 'id="tolerate-none"' in html
    assert "“容缺可后补”的材料均已提交" in html


@pytest.mark.parametrize("name, message", [
    ("营业执照", "“营业执照”是必要材料，不能容缺"),
    ("租赁合同", "“租赁合同”不在本事项办事指南的容缺材料清单中"),
])
def test_service_refuses_materials_that_may_not_be_tolerated(window_staff, submitted_case, name, message):
    due = timezone.localdate() + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as exc:
        intake.accept_pending(window_staff, submitted_case, submitted_case.lock_version, [(name, due)])
    assert message in exc.value.message_dict["pending"][0]
    assert fresh(submitted_case).state == "submitted" and not PendingMaterial.objects.exists()


def test_service_refuses_a_material_already_handed_in(window_staff, submitted_case, citizen, pdf):
    Case.objects.filter(pk=submitted_case.pk).update(state="draft")
    applying.upload_material(citizen, fresh(submitted_case), pdf(), name="健康证明")
    Case.objects.filter(pk=submitted_case.pk).update(state="submitted")
    case = fresh(submitted_case)
    with pytest.raises(ValidationError) as exc:
        intake.accept_pending(window_staff, case, case.lock_version,
                              [("健康证明", timezone.localdate() + dt.timedelta(days=10))])
    assert "“健康证明”已提交，无需容缺" in exc.value.message_dict["pending"][0]


def test_page_post_of_a_supplied_material_is_refused_with_the_rule(staff_client, window_staff, submitted_case):
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = staff_client(window_staff).post(
        reverse("cases:staff_intake_action", args=[submitted_case.pk, "tolerate"]),
        {"lock_version": submitted_case.lock_version, "due_date": due, "materials": ["营业执照"]})
    assert response.status_code == 200 and "容缺材料：“营业执照”不能容缺" in response.text
    assert fresh(submitted_case).state == "submitted"
