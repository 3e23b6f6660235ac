"""Demo data of the cases app: an 应用密钥 of 市场监管局's own 审批系统 for the 办件 exchange API
(``cases:write`` + ``cases:read``, bound to the department), so the README's curl lines work on a
fresh demo. Demo only."""

from __future__ import annotations

import hashlib

DEMO_EXCHANGE_KEY = "zw_demo0029_cases-exchange-demo-key-2026"


def load(stdout) -> None:
    from zhengwu.accounts.models import ApiKey
    from zhengwu.org.models import Department

    dept = Department.objects.filter(region__code="410105000000", name="郑州市金水区市场监督管理局").first()
    if dept is None:
        return
    _key, created = ApiKey.objects.get_or_create(prefix=DEMO_EXCHANGE_KEY.split("_")[1], defaults={
        "name": "演示市场监管审批系统", "key_hash": hashlib.sha256(DEMO_EXCHANGE_KEY.encode()).hexdigest(),
        "scopes": ["cases:read", "cases:write"], "department": dept,
        "note": "演示数据：正式环境请停用并用 zhengwu apikey create 另发"})
    if created:
        stdout.write(f"办件交换：演示应用密钥（{dept.short_name or dept.name}，cases:write + cases:read）")
