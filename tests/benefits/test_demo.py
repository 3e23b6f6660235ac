"""Demo 免申即享: three published policies with a run done; the demo citizen and the demo enterprise
each see an entitlement, the elderly demo residents the 高龄津贴 granted; loading twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_demo_policies_and_entitlements(client):
    from zhengwu.accounts import demo as accounts_demo
    from zhengwu.accounts.models import Applicant
    from zhengwu.benefits import demo
    from zhengwu.benefits.models import EligibilityRun, Entitlement
    from zhengwu.datashare import demo_registries
    from zhengwu.org import demo as org_demo

    out = io.StringIO()
    org_demo.load(out)
    accounts_demo.load(out)
    demo_registries.load(out)
    demo.load(out)
    demo.load(out)  # idempotent
    assert EligibilityRun.objects.filter(state="done").count() == 3
    states = dict(Entitlement.objects.values_list("policy__name", "state").order_by())
    assert Entitlement.objects.filter(policy__name="高龄津贴", state="granted").count() == 3  # 88, 84, 82; not 76
    assert states["青年人才生活补贴"] == "pending" and states["小微企业开办补贴"] == "pending"
    citizen = Applicant.objects.get(id_number_index=Entitlement.objects.get(policy__name="青年人才生活补贴").subject_key)
    client.force_login(citizen.user)
    page = client.get(reverse("benefits:mine")).content.decode()
    assert "青年人才生活补贴" in page and "年龄介于 18–40 周岁：您的信息为 " in page
    enterprise = Applicant.objects.get(uscc=accounts_demo.ENTERPRISE_USCC)
    client.force_login(enterprise.user)
    assert "小微企业开办补贴" in client.get(reverse("benefits:mine")).content.decode()
