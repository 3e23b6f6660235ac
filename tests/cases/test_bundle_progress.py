"""一件事 progress: a withdrawn (or refused) member case is not 已办结; it is shown apart and left
out of the count of items to be concluded."""

import pytest
from django.urls import reverse

from zhengwu.cases import rules
from zhengwu.cases.models import Case
from zhengwu.cases.services import applying, approval, intake
from zhengwu.cases.services import bundles as services

pytestmark = pytest.mark.django_db

FORM = {"shop_name": "老王小吃", "area": 30, "seats": 40, "sign_size": 2.5}
NAMES = ("食品经营许可申请书", "营业执照", "消防安全制度", "招牌设计效果图")


@pytest.mark.parametrize("states, label, percent", [
    (["submitted", "in_review", "withdrawn"], "0/2 已办结，1 项已撤回", 0),
    (["concluded", "delivered", "submitted"], "2/3 已办结", 66),
    (["delivered", "withdrawn", "refused"], "1/1 已办结，1 项已撤回，1 项不予受理", 100),
    (["withdrawn", "withdrawn"], "2 项已撤回", 0),
    ([], "0/0 已办结", 0),
])
def test_bundle_progress_counts_only_concluded_members_as_done(states, label, percent):
    progress = rules.bundle_progress(states)
    assert progress.label == label and progress.percent == percent


@pytest.fixture
def three_cases(bundle, sign_item, citizen, pdf):
    plan = services.bundle_plan(bundle)
    keys = {e.name: e.key for e in plan.pool}
    bc = services.apply_bundle(citizen, bundle, form_data=FORM, files={keys[n]: pdf(f"{n}.pdf") for n in NAMES},
                               optional_items=[str(sign_item.pk)], idempotency_key="p" * 32)
    return bc, list(bc.cases.order_by("pk"))


def test_withdrawn_member_is_not_counted_as_concluded(three_cases, citizen, login):
    bc, (food, fire, sign) = three_cases
    applying.withdraw(citizen, sign, sign.lock_version, "不做招牌了")
    page = login(citizen).get(reverse("cases:bundle_case", args=[bc.pk])).content.decode()
    assert '<span id="bundle-progress">0/2 已办结，1 项已撤回</span>' in page
    assert "1/3 已办结" not in page and 'data-zw-width="0"' in page
    assert ">已撤回</span>" in page  # the member's own row says so


def test_progress_grows_with_concluded_members_only(three_cases, citizen, login, window_staff, approver):
    bc, (food, fire, sign) = three_cases
    applying.withdraw(citizen, sign, sign.lock_version)
    food = intake.accept(window_staff, food, food.lock_version)
    for step in ("review", "decide"):
        food = Case.objects.get(pk=food.pk)
        approval.act_on_step(approver, food, step, "pass", food.lock_version)
    page = login(citizen).get(reverse("cases:bundle_case", args=[bc.pk])).content.decode()
    assert '<span id="bundle-progress">1/2 已办结，1 项已撤回</span>' in page and 'data-zw-width="50"' in page
