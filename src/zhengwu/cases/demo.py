"""Demo data of the cases app:

- an 应用密钥 of 市场监管局's own 审批系统 for the 办件 exchange API (``cases:write`` + ``cases:read``,
  bound to the department), so the README's curl lines work on a fresh demo;
- 秒批 rules on the demo district's 户籍类证明出具, so that the demo citizen (张小民, in the demo 人口库
  with a 金水区 household) is approved at once when applying online.

Demo only."""

from __future__ import annotations

import hashlib

DEMO_EXCHANGE_KEY = "zw_demo0029_cases-exchange-demo-key-2026"
INSTANT_ITEM = "户籍类证明出具"
INSTANT_RULES = "人口库有记录 = 是\n姓名一致 = 是\n在世 = 是\n户籍区划 开头 410105"
INSTANT_BASIS = "《中华人民共和国户口登记条例》第三条：户籍登记信息由公安机关户籍档案证明（演示规则）"


def load(stdout) -> None:
    _exchange_key(stdout)
    _instant_rule(stdout)


def _exchange_key(stdout) -> None:
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


def _instant_rule(stdout) -> None:
    from zhengwu.catalog.models import ServiceItem
    from zhengwu.catalog.models.items import ItemStatus

    from .models import InstantRule

    item = ServiceItem.objects.filter(name=INSTANT_ITEM, status=ItemStatus.PUBLISHED,
                                      region__code__startswith="410105").order_by("pk").first()
    if item is None or InstantRule.objects.filter(service_item=item).exists():
        return
    # Demo data, not a user's edit: written directly (services.instant.save_rule is the edit path).
    InstantRule.objects.create(service_item=item, enabled=True, rules_text=INSTANT_RULES, basis=INSTANT_BASIS,
                               lock_version=1)
    stdout.write(f"秒批演示：{INSTANT_ITEM}（人口库核验通过即准予）")
