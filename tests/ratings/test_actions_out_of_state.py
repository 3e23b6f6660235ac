"""Every action on a 差评整改, in a state where it may not apply, with the current version, is
refused with a Chinese 4xx — never a 500 (the cases' test_actions_out_of_state, for
rectifications).

核实, 整改, 回访 and 督办 are tried through the API; 申诉 and its decision (申诉成立 closes an open
rectification) have no API, so their forms are tried. Each action is tried in each state inside a
savepoint that is rolled back, so every action meets the same rectification; the person acting is
the department's 部门管理员 and a 督办人员 at once, so no role check stops an action first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import answer_rolled_back
from zhengwu.ratings.models import Appeal, Rectification

pytestmark = pytest.mark.django_db
API_ACTIONS = {
    "verify": {"valid": True, "reason": "属实"},
    "rectify": {"measures": "组织培训并公示材料清单"},
    "callback": {"reached": True, "satisfied": True},
    "urge": {"note": "请尽快办理"},
}
APPEAL = "评价人多次辱骂窗口人员，且所述事实与录像不符"


@pytest.fixture
def all_roles(dept_admin, district):
    from zhengwu.org.models import RoleGrant

    RoleGrant.objects.create(user=dept_admin, role="supervisor", region=district)
    return dept_admin


def _in_state(state, user, citizen, case):
    from zhengwu.ratings import services

    rect = services.rate_case(citizen, case, level=1, tags=["办理时间长、效率低"]).rectification
    steps = {
        "rectify": lambda x: services.verify(user, x, x.version, valid=True, reason="属实"),
        "callback": lambda x: services.rectify(user, x, x.version, measures="组织培训并公示材料清单"),
        "reopened": lambda x: services.callback(user, x, x.version, reached=True, satisfied=False),
        "closed": lambda x: services.callback(user, x, x.version, reached=True, satisfied=True),
    }
    path = {"verify": [], "rectify": ["rectify"], "callback": ["rectify", "callback"],
            "reopened": ["rectify", "callback", "reopened"], "closed": ["rectify", "callback", "closed"]}[state]
    for step in path:
        steps[step](Rectification.objects.get(pk=rect.pk))
    rect = Rectification.objects.get(pk=rect.pk)
    assert rect.state == state
    return rect


@pytest.mark.parametrize("state", ["verify", "rectify", "callback", "reopened", "closed"])
def test_no_action_answers_500_in_a_state_where_it_does_not_apply(api, all_roles, citizen, concluded_case, state):
    from zhengwu.ratings import services

    rect = _in_state(state, all_roles, citizen, concluded_case)
    client = api(all_roles)
    answers = {}
    for action, body in API_ACTIONS.items():
        answers[action] = answer_rolled_back(
            lambda: client.post(f"rectifications/{rect.pk}/{action}", {"version": rect.version, **body}),
            action).status_code
    # 申诉 (no API): the rectification page's form; refused → the page again (400), done → redirect.
    answers["appeal"] = answer_rolled_back(
        lambda: client.client.post(reverse("ratings:rect_action", args=[rect.pk, "appeal"]), {"reason": APPEAL},
                                   headers=client.headers), "appeal", page=True).status_code
    # 申诉成立 (no API): the appeals page's form; it answers with a redirect either way (the message says why).
    def appeal_decided():
        appeal = services.file_appeal(all_roles, rect.rating, reason=APPEAL)
        r = client.client.post(reverse("ratings:appeal_decide", args=[appeal.pk]),
                               {"upheld": "1", "note": "申诉成立"}, headers=client.headers)
        if r.status_code == 302:
            assert Appeal.objects.get(pk=appeal.pk).state == Appeal.State.UPHELD
        return r

    answers["appeal_decide"] = answer_rolled_back(appeal_decided, "appeal_decide", explained=()).status_code
    assert any(code in (200, 302) for code in answers.values()), answers  # the state is real: something applies
