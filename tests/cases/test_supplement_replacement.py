"""补正: every material the window's 一次性告知 flagged must be replaced (a new file uploaded for it)
before the case can be resubmitted — online, at the window (窗口补正录入) and through the API."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengwu.cases.models import Case, CaseMaterial
from zhengwu.cases.services import applying, intake

pytestmark = pytest.mark.django_db

PHOTO_REASON = "照片背景不是白色，请上传白底照片"


def fresh(case):
    return Case.objects.get(pk=case.pk)


def material_field(item, name):
    return f"m_{item.published_version.materials.get(name=name).pk}"


@pytest.fixture
def flagged(submitted_case, window_staff):
    """The window asked for 营业执照 again (a file was handed in) and for 租赁合同 (none was)."""
    return intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                                     [{"material": "营业执照", "reason": PHOTO_REASON},
                                      {"material": "租赁合同", "reason": "缺少租赁合同"}])


def test_the_notice_marks_the_flagged_file_as_needing_correction(flagged):
    current = CaseMaterial.objects.exclude(status="replaced").get(case=flagged, name="营业执照")
    assert current.status == CaseMaterial.Status.REJECTED
    other = CaseMaterial.objects.get(case=flagged, name="食品经营许可申请书")
    assert other.status == CaseMaterial.Status.SUBMITTED


def test_resubmitting_without_new_files_is_refused_naming_each_material(flagged, citizen, pdf):
    with pytest.raises(ValidationError) as exc:
        applying.resubmit(citizen, fresh(flagged), fresh(flagged).lock_version)
    assert exc.value.message_dict["materials"] == ["请重新上传：营业执照、租赁合同"]
    case = fresh(flagged)
    assert case.state == "supplement" and case.supplements.get().resolved_at is None
    assert not case.events.filter(action="resubmit").exists()

    applying.upload_material(citizen, case, pdf("新执照.pdf"), name="营业执照")
    with pytest.raises(ValidationError) as exc:  # one replaced, the other still owed
        applying.resubmit(citizen, fresh(case), fresh(case).lock_version)
    assert exc.value.message_dict["materials"] == ["请重新上传：租赁合同"]

    applying.upload_material(citizen, case, pdf("合同.pdf"), name="租赁合同")
    case = applying.resubmit(citizen, fresh(case), fresh(case).lock_version)
    assert fresh(case).state == "submitted" and case.supplements.get().resolved_at is not None


def test_edit_page_refuses_resubmit_without_upload_and_names_the_material(flagged, login, citizen, item, pdf):
    client = login(citizen)
    url = reverse("cases:edit", args=[flagged.pk])
    before = fresh(flagged)
    response = client.post(url, {"lock": before.lock_version, "action": "resubmit", "f_shop_name": "老王小吃",
                                 "f_area": "30", "delivery_method": "window"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "请重新上传：营业执照、租赁合同" in html
    assert "补正材料已提交" not in html
    case = fresh(flagged)
    assert case.state == "supplement" and case.supplements.get().resolved_at is None
    assert CaseMaterial.objects.filter(case=case).count() == before.materials.count()

    lease_field = re.search(r'name="(n_\d+)"', html).group(1)  # the material outside the catalogue
    response = client.post(url, {"lock": case.lock_version, "action": "resubmit", "f_shop_name": "老王小吃",
                                 "f_area": "30", "delivery_method": "window",
                                 material_field(item, "营业执照"): pdf("白底照片.pdf"), lease_field: pdf("合同.pdf")})
    assert response.status_code == 302
    assert fresh(flagged).state == "submitted"


def test_window_cannot_resubmit_for_the_applicant_without_the_new_file(flagged, staff_client, window_staff):
    case = fresh(flagged)
    response = staff_client(window_staff).post(reverse("cases:staff_file_draft", args=[case.pk]), {
        "lock_version": case.lock_version, "op": "submit", "f_shop_name": "老王小吃", "f_area": "30"})
    assert response.status_code == 200
    assert "请重新上传：营业执照、租赁合同" in response.text
    assert fresh(case).state == "supplement"


def test_api_resubmit_without_new_files_is_refused(flagged, api, citizen):
    me = api(citizen)
    r = me.post(f"{flagged.pk}/resubmit", {"lock_version": fresh(flagged).lock_version})
    assert r.status_code in (400, 422)
    assert r.json()["detail"] == "请重新上传：营业执照、租赁合同"
    assert fresh(flagged).state == "supplement"

