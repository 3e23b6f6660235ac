"""Every action on a 共享申请, in a state where it may not apply, with the current lock version, is
refused with a Chinese 4xx — never a 500 (the cases' test_actions_out_of_state, for share
requests).

Share requests have no JSON API (/api/v1/data/ is the 查询核验 of other systems): the actions are
the workbench's forms, tried here. Each action is tried in each state inside a savepoint that is
rolled back, so every action meets the same request; the person acting is the consumer's 审批人员,
the provider's 部门管理员 and a 数据管理员 at once, so no role check stops an action before its
state is checked."""

from __future__ import annotations

import pytest

from tests.datashare import sharing_factories as sf
from tests.helpers import answer_rolled_back
from zhengwu.datashare.models import ShareRequest

pytestmark = pytest.mark.django_db
URL = "/workbench/data/share-requests/{pk}/{action}/"
ACTIONS = {
    "withdraw": {},
    "provider_approve": {"fields": ["name"]},
    "provider_refuse": {"reason": "用途与资源无关"},
    "countersign": {},
    "countersign_refuse": {"reason": "超出必要范围"},
    "revoke": {"reason": "违规超范围使用"},
    "key": {},  # 领取密钥: not a transition, but only an approved request has a key
}


@pytest.fixture
def org(make_department):
    return {"provider": make_department(name="公安分局"), "consumer": make_department(name="人社局")}


@pytest.fixture
def all_roles(make_staff, org, district):
    from zhengwu.org.models import RoleGrant

    user = make_staff("approver", department=org["consumer"])
    RoleGrant.objects.create(user=user, role="dept_admin", region=district, department=org["provider"])
    RoleGrant.objects.create(user=user, role="data_admin", region=district)
    return user


def _in_state(state, user, org):
    from zhengwu.datashare.services import sharing

    req = sf.submit(user, org["consumer"], sf.resource(org["provider"], share_type="conditional"))
    if state in ("provider_approved", "approved"):
        sharing.provider_approve(user, req.pk, None, ["name"])
    if state == "approved":
        sharing.countersign(user, req.pk, None)
    req = ShareRequest.objects.get(pk=req.pk)
    assert req.state == state
    return req


@pytest.mark.parametrize("state", ["submitted", "provider_approved", "approved"])
def test_no_action_answers_500_in_a_state_where_it_does_not_apply(client, all_roles, org, state):
    req = _in_state(state, all_roles, org)
    client.force_login(all_roles)
    answers = {}
    for action, body in ACTIONS.items():
        # Refused: the request's page again, with the reason (400).
        answers[action] = answer_rolled_back(
            lambda: client.post(URL.format(pk=req.pk, action=action), {"lock_version": req.lock_version, **body}),
            action, page=True).status_code
    # Done: a redirect to the request's page (the key: the page showing it once).
    assert any(code in (200, 302) for code in answers.values()), answers  # the state is real
