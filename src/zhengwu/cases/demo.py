"""Demo data of the cases app: 秒批 rules on the demo district's 户籍类证明出具, so that the demo citizen
(张小民, in the demo 人口库 with a 金水区 household) is approved at once when applying online."""

from __future__ import annotations

INSTANT_ITEM = "户籍类证明出具"
INSTANT_RULES = "人口库有记录 = 是\n姓名一致 = 是\n在世 = 是\n户籍区划 开头 410105"
INSTANT_BASIS = "《中华人民共和国户口登记条例》第三条：户籍登记信息由公安机关户籍档案证明（演示规则）"


def load(stdout) -> None:
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
