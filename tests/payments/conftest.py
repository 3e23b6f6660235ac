"""Fixtures for payments: an item with fees (a fixed 工本费 with 减免, a rule-priced 检测费),
an item with fixed fees only, and cases of them from application to 准予."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FIXED_FEES = [{"name": "工本费", "amount": "20.00", "rule": "", "standard": "20元/证", "basis": "《某价格文件》",
               "reductions": [{"name": "低保家庭", "condition": "持有效低保证", "percent": None, "waive": True},
                              {"name": "残疾人", "condition": "持残疾人证", "percent": 50, "waive": False}]}]
RULE_FEE = {"name": "检测费", "amount": None, "rule": "按检测项目计费", "standard": "", "basis": "《某收费标准》",
            "reductions": []}


@pytest.fixture
def citizen(make_citizen):
    return make_citizen(name="王缴费")


@pytest.fixture
def window_staff(make_staff):
    return make_staff("window")


@pytest.fixture
def fee_item(publish_item, dept):
    return publish_item(dept, "食品小作坊登记", promised_days=10, fees=FIXED_FEES,
                        materials=[("申请书", "required")])


@pytest.fixture
def rule_item(publish_item, dept):
    return publish_item(dept, "特种设备检验", promised_days=10, fees=FIXED_FEES + [RULE_FEE],
                        materials=[("申请书", "required")])


@pytest.fixture
def free_item(publish_item, dept):
    return publish_item(dept, "不收费事项", promised_days=10, materials=[("申请书", "required")])


@pytest.fixture
def make_case(citizen, window_staff):
    """make_case(item, approve=True) → a case accepted and (by default) concluded 准予."""
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import applying, approval, intake

    def make(item, approve=True, approver=None):
        case = applying.create_draft(citizen, item, form_data={})
        applying.upload_material(citizen, case, SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                                 name="申请书")
        case.refresh_from_db()
        case = applying.submit(citizen, case, case.lock_version)
        intake.accept(window_staff, case, Case.objects.get(pk=case.pk).lock_version)
        if approve:
            for step in ("review", "decide"):
                c = Case.objects.get(pk=case.pk)
                approval.act_on_step(approver, c, step, "pass", c.lock_version, "符合条件")
        return Case.objects.get(pk=case.pk)

    return make


@pytest.fixture
def approved(make_case, fee_item, approver):
    return make_case(fee_item, approver=approver)


@pytest.fixture
def order(approved):
    return approved.payment_order


@pytest.fixture
def bank(settings, monkeypatch):
    """The "bank" channel configured with a known secret; sign(body) → the X-Signature."""
    import hashlib
    import hmac

    from zhengwu.payments import providers

    settings.ZHENGWU_PAYMENT_PROVIDERS = {"bank": {"label": "合作银行", "secret": "s3cret"}}
    providers._build.cache_clear()
    yield lambda body: hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    providers._build.cache_clear()
