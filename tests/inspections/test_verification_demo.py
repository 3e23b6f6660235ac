"""The 监管 demo loads on the demo district and loads again without duplicates."""

from __future__ import annotations

import io

import pytest


@pytest.fixture
def demo_base(db):
    from zhengwu.accounts import demo as accounts_demo
    from zhengwu.org import demo as org_demo

    out = io.StringIO()
    org_demo.load(out)
    accounts_demo.load(out)


def _counts():
    from zhengwu.inspections.models import (
        InspectedObject,
        InspectionPlan,
        Inspector,
        SupervisionItem,
    )

    return (SupervisionItem.objects.count(), Inspector.objects.count(), InspectedObject.objects.count(),
            InspectionPlan.objects.count())


def test_demo_loads_twice_without_duplicates(demo_base):
    from django.utils import timezone

    from zhengwu.core.identifiers import uscc_problem
    from zhengwu.inspections import demo
    from zhengwu.inspections.models import InspectedObject, Inspector

    out = io.StringIO()
    demo.load(out)
    first = _counts()
    assert first[0] >= 5 and first[1] == 20 and first[2] == 200 and first[3] == 1
    assert Inspector.objects.filter(status="suspended").count() == 1
    assert Inspector.objects.filter(valid_until__lt=timezone.localdate()).count() == 3
    assert not any(uscc_problem(u) for u in InspectedObject.objects.values_list("uscc", flat=True))
    demo.load(out)
    assert _counts() == first
    assert "监管演示数据" in out.getvalue()


def test_demo_commitment_cases_give_three_pending_checks_once(demo_base, settings, tmp_path):
    from zhengwu.accounts.models import User
    from zhengwu.catalog import demo as catalog_demo
    from zhengwu.inspections import demo
    from zhengwu.inspections.models import CommitmentCheck
    from zhengwu.inspections.services import verification

    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    catalog_demo.load(out)
    demo.load(out)
    assert CommitmentCheck.objects.count() == 3
    admin = User.objects.get(username="bumen_sj")
    assert verification.tab_counts(admin) == {"overdue": 0, "due_soon": 0, "pending": 3}
    demo.load(out)
    assert CommitmentCheck.objects.count() == 3
