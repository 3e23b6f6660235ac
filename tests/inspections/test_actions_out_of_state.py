"""Every action on a 抽查计划, in a state where it may not apply, with the current lock version, is
refused with a Chinese 4xx — never a 500 (the cases' test_actions_out_of_state, for plans).

公布, 抽取 and 重新抽取 are tried through the API; 撤销 has no API, so the plan page's form is tried.
Each action is tried in each state inside a savepoint that is rolled back, so every action meets
the same plan; the person acting is the lead department's 部门管理员, who may take every action."""

from __future__ import annotations

import pytest

from tests.helpers import ApiClient, answer_rolled_back
from zhengwu.inspections.models import InspectionPlan
from zhengwu.inspections.services import plans as svc

from .test_draw_services import data_dir, plan_data, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
API_ACTIONS = {"publish": {}, "draw": {}, "redraw": {"reason": "检查人员回避后重新抽取"}}


def _in_state(state, w):
    admin = w["admin"]
    plan = svc.create_plan(admin, plan_data(w))
    if state in ("published", "drawn"):
        svc.publish(plan, admin)
    if state == "drawn":
        svc.draw(plan, admin)
    plan = InspectionPlan.objects.get(pk=plan.pk)
    assert plan.state == state
    return plan


@pytest.mark.parametrize("state", ["draft", "published", "drawn"])
def test_no_action_answers_500_in_a_state_where_it_does_not_apply(world, state):  # noqa: F811
    plan = _in_state(state, world)
    client = ApiClient(world["admin"], base="/api/v1/inspections/")
    answers = {}
    for action, body in API_ACTIONS.items():
        answers[action] = answer_rolled_back(
            lambda: client.post(f"plans/{plan.pk}/{action}", {"lock_version": plan.lock_version, **body}),
            action).status_code
    # 撤销 (no API): the plan page's form; refused → the page again with the reason (400), done → redirect.
    answers["cancel"] = answer_rolled_back(
        lambda: client.client.post(f"/workbench/inspections/plans/{plan.pk}/cancel/",
                                   {"lock_version": plan.lock_version}, headers=client.headers),
        "cancel", page=True).status_code
    assert any(code in (200, 302) for code in answers.values()), answers  # the state is real: something applies
