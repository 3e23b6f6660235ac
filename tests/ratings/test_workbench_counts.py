"""The 差评整改 card counts the bad ratings still open in the user's scope (bounded query)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.ratings import services

pytestmark = pytest.mark.django_db


def rect_count(user) -> str | None:
    c = Client()
    c.force_login(user)
    html = c.get(reverse("workbench:home")).content.decode()
    found = re.search(r'差评整改</span><span class="badge[^"]*" data-count="(\d+)"', html)
    return found and found.group(1)


def test_open_rectifications_are_counted_in_scope(citizen, concluded_case, dept_admin, other_admin, supervisor):
    assert rect_count(dept_admin) == "0"
    r = services.rate_case(citizen, concluded_case, level=1, comment="材料反复要求")
    assert rect_count(dept_admin) == "1" and rect_count(supervisor) == "1"
    assert rect_count(other_admin) == "0"  # another department's bad rating
    rect = services.verify(dept_admin, r.rectification, 0, valid=True, reason="经核实属实")
    rect = services.rectify(dept_admin, rect, rect.version, measures="已组织窗口人员培训，一次性告知材料清单")
    rect = services.callback(dept_admin, rect, rect.version, reached=True, satisfied=True, note="满意")
    assert not rect.is_open and rect_count(dept_admin) == "0"  # rectified: no longer waiting
