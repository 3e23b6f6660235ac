"""办理流程 of an 即办件: a step with 0 working days reads 当场办理 (cases.rules.step_limit, beside
promised_limit / promised_completion), never "0个工作日" — on the public guide (printed as it is)
and the workbench's guide view."""

import pytest
from django.urls import reverse

from zhengwu.cases import rules

pytestmark = pytest.mark.django_db

STEPS = [{"name": "申请", "description": "提交申请", "days": 0},
         {"name": "受理", "description": "窗口受理", "days": 0},
         {"name": "审查", "description": "", "days": ""},
         {"name": "办结", "description": "当场出证", "days": 0}]


@pytest.mark.parametrize("days, text", [(0, "当场办理"), ("0", "当场办理"), (2, "2个工作日"), ("3", "3个工作日"),
                                        (None, ""), ("", "")])
def test_step_limit_wording(days, text):
    assert rules.step_limit(days) == text


@pytest.fixture
def instant(publish_item, make_department):
    dept = make_department(name="市场监管局")
    return publish_item(dept, "营业执照补领", case_type="instant", promised_days=0, statutory_days=None,
                        process_steps=STEPS)


def _process(html, start):
    i = html.index(start)
    return html[i:html.index("</ol>", i)]


def test_the_public_guide_says_on_the_spot(client, instant):
    html = client.get(reverse("catalog:item_guide", args=[instant.pk])).content.decode()
    steps = _process(html, 'id="guide-process"')
    assert "0个工作日" not in steps and steps.count("（当场办理）") == 3


def test_the_workbench_guide_view_says_on_the_spot(client, instant, make_staff):
    client.force_login(make_staff("item_admin"))
    html = client.get(reverse("catalog:wb_item_detail", args=[instant.pk])).content.decode()
    steps = _process(html, "办理流程")
    assert "0个工作日" not in steps and steps.count("（当场办理）") == 3
