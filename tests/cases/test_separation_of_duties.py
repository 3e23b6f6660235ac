"""审查与决定相分离 as a per-process rule: with the flag set, whoever acted on an earlier step of a
case may not take its decision step; enforced in the service, said on the page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengwu.cases import workflow
from zhengwu.cases.models import Case, ProcessDefinition
from zhengwu.cases.rules import separation_refusal
from zhengwu.cases.services import applying, approval, intake

pytestmark = pytest.mark.django_db

MESSAGE = "本事项实行审查与决定相分离：您已办理本办件的审查环节，不能再作出决定，请由其他人员办理"


@pytest.mark.parametrize("separate, decision, earlier, refused", [
    (True, True, True, True), (False, True, True, False), (True, False, True, False), (True, True, False, False),
])
def test_rule(separate, decision, earlier, refused):
    assert (separation_refusal(separate, decision, earlier) == MESSAGE) == refused


@pytest.fixture
def separated_case(item, item_admin, citizen, pdf, window_staff):
    approval.save_process_definition(item_admin, item, workflow.default_definition(item.department_id),
                                     separate_duties=True)
    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王小吃", "area": 30})
    for m in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(citizen, case, pdf(), name=m)
    case.refresh_from_db()
    case = applying.submit(citizen, case, case.lock_version)
    return intake.accept(window_staff, case, case.lock_version)


def test_the_reviewer_may_not_decide_another_approver_may(separated_case, approver, make_staff, dept):
    case = approval.act_on_step(approver, separated_case, "review", "pass", separated_case.lock_version)
    case = Case.objects.get(pk=case.pk)
    with pytest.raises(ValidationError) as exc:
        approval.act_on_step(approver, case, "decide", "pass", case.lock_version)
    assert exc.value.messages == [MESSAGE]
    assert Case.objects.get(pk=case.pk).state == "in_review"
    other = make_staff("approver", department=dept)
    case = approval.act_on_step(other, Case.objects.get(pk=case.pk), "decide", "pass", case.lock_version)
    assert Case.objects.get(pk=case.pk).state == "concluded"


def test_without_the_flag_one_person_may_do_both(accepted_case, approver):
    case = approval.act_on_step(approver, accepted_case, "review", "pass", accepted_case.lock_version)
    case = Case.objects.get(pk=case.pk)
    approval.act_on_step(approver, case, "decide", "pass", case.lock_version)
    assert Case.objects.get(pk=case.pk).state == "concluded"


def test_page_says_why(staff_client, separated_case, approver):
    approval.act_on_step(approver, separated_case, "review", "pass", separated_case.lock_version)
    case = Case.objects.get(pk=separated_case.pk)
    response = staff_client(approver).post(reverse("cases:staff_step_act", args=[case.pk, "decide"]),
                                           {"lock_version": case.lock_version, "action": "pass", "opinion": "同意"})
    assert response.status_code == 200 and MESSAGE in response.content.decode()


def test_editor_sets_the_flag_and_a_new_version_keeps_it(staff_client, item_admin, item):
    client = staff_client(item_admin)
    page = client.get(reverse("cases:staff_process_edit", args=[item.pk])).content.decode()
    assert 'name="separate_duties"' in page
    steps = workflow.default_definition(item.department_id)
    approval.save_process_definition(item_admin, item, steps, separate_duties=True)
    assert 'id="separate_duties" checked' in client.get(reverse("cases:staff_process_edit", args=[item.pk])).content.decode()
    approval.save_process_definition(item_admin, item, steps)  # not asked: kept
    assert ProcessDefinition.objects.get(service_item=item, is_current=True).separate_duties
    approval.save_process_definition(item_admin, item, steps, separate_duties=False)
    assert not ProcessDefinition.objects.get(service_item=item, is_current=True).separate_duties
