"""Bench data for 双随机、一公开 (registered in :data:`zhengwu_bench.generate.DOMAINS` as
``inspected_objects``): the 检查对象名录库 — 2,000 / 20,000 / 200,000 / 1,000,000 objects at the
tiny / small / medium / city sizes, COPY'd in chunks of 50,000 (:class:`.bulk.Table`) — and 300
执法人员 across six departments of the demo district (a few expired or suspended, as in life), so
that ``bench/inspections.py`` draws 500 objects from a million with 300 inspectors.

Every object has a valid, unique 统一社会信用代码 (entity type 2, so never one of the 法人库's);
categories, industries, sub-regions and risk levels spread so that a plan's filter selects a
realistic share. Deterministic for a seed (``ctx.rnd("inspected_objects")``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .bulk import Table, analyze, next_id, reset_sequences, ts
from .context import DEMO_DISTRICT, Context

OBJECTS = {"tiny": 2_000, "small": 20_000, "medium": 200_000, "city": 1_000_000}
INSPECTORS = 300
CHUNK = 50_000
INSPECTOR_DEPARTMENTS = ["市场监管局", "卫健委", "生态环境分局", "应急管理局", "消防救援大队", "文广旅局"]
CATEGORIES = [("企业", 60), ("个体工商户", 35), ("场所", 4), ("项目", 1)]
INDUSTRIES = ["餐饮服务", "食品销售", "批发和零售业", "住宿业", "制造业", "居民服务业", "娱乐业", "医药零售",
              "建筑业", "交通运输业", "信息技术服务", "教育培训"]
RISKS = [("A", 30), ("B", 45), ("C", 20), ("D", 5)]
SUBREGIONS = ["410105001000", "410105002000", "410105003000", "410105004000", "410105005000", "410105006000",
              "410102001000", "410103001000"]
STREETS = ["花园路", "农业路", "经三路", "文化路", "金水路", "丰产路", "纬五路", "东风路"]
WORDS = "金华恒信达盛和泰隆兴源鑫通瑞丰祥安嘉禾润"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲"


def object_uscc(i: int) -> str:
    from zhengwu.core.identifiers import make_uscc

    return make_uscc("9", "2", SUBREGIONS[i % len(SUBREGIONS)][:6], f"Q{i:07d}")


def gen_inspected_objects(ctx: Context) -> int:
    from zhengwu.inspections.models import InspectedObject

    n = OBJECTS.get(ctx.size.name, 0)
    rnd = ctx.rnd("inspected_objects")
    cats, cat_w = zip(*CATEGORIES)
    risks, risk_w = zip(*RISKS)
    now = ts(ctx.now)
    cols = ["id", "uscc", "name", "category", "industry", "region_code", "address", "risk_level", "source",
            "is_active", "updated_at"]
    table = Table(InspectedObject, cols)
    pk = next_id(InspectedObject)

    def rows():
        nonlocal pk
        for i in range(n):
            category = rnd.choices(cats, cat_w)[0]
            industry = INDUSTRIES[rnd.randrange(len(INDUSTRIES))]
            suffix = {"企业": "有限公司", "个体工商户": "店", "场所": "经营场所", "项目": "建设项目"}[category]
            name = f"郑州{WORDS[i % len(WORDS)]}{WORDS[(i // 20) % len(WORDS)]}{industry[:2]}{suffix}{i}"
            region = SUBREGIONS[i % len(SUBREGIONS)]
            yield (pk, object_uscc(i), name, category, industry, region,
                   f"郑州市{STREETS[rnd.randrange(len(STREETS))]}{rnd.randint(1, 500)}号",
                   rnd.choices(risks, risk_w)[0], "import", i % 97 != 0, now)
            pk += 1

    with transaction.atomic():
        it = rows()
        while True:
            chunk = [row for _, row in zip(range(CHUNK), it)]
            if not chunk:
                break
            table.write(chunk)
    reset_sequences(InspectedObject)
    analyze(InspectedObject)
    ctx.timings["inspected_objects"] = {"inspectors": gen_inspectors(ctx)}
    return table.count


def gen_inspectors(ctx: Context) -> int:
    """300 执法人员 over six departments of the demo district (idempotent by 执法证号)."""
    from zhengwu.inspections.models import Inspector
    from zhengwu.org.models import Department

    depts = list(Department.objects.filter(region__code=DEMO_DISTRICT, short_name__in=INSPECTOR_DEPARTMENTS)
                 .select_related("region").order_by("pk"))
    depts.sort(key=lambda d: d.short_name != INSPECTOR_DEPARTMENTS[0])  # 市场监管局 first
    if not depts:
        raise RuntimeError("演示辖区没有执法部门：请先运行 zhengwu demo")
    rnd = ctx.rnd("inspectors")
    have = set(Inspector.objects.filter(cert_number__startswith="JZ").values_list("cert_number", flat=True))
    rows = []
    for i in range(INSPECTORS):
        cert = f"JZ{ctx.seed % 100:02d}{i:06d}"
        if cert in have:
            continue
        # Half of them in 市场监管局 (the plan's lead department), the rest in the joint ones.
        dept = depts[0] if i % 2 == 0 else depts[1 + i % (len(depts) - 1)] if len(depts) > 1 else depts[0]
        expired, suspended = i % 29 == 7, i % 41 == 9
        rows.append(Inspector(
            name=SURNAMES[rnd.randrange(len(SURNAMES))] + GIVEN[rnd.randrange(len(GIVEN))],
            cert_number=cert, department=dept, region=dept.region, field="行政执法",
            status=Inspector.Status.SUSPENDED if suspended else Inspector.Status.ACTIVE,
            valid_until=ctx.today - dt.timedelta(days=10) if expired else ctx.today + dt.timedelta(days=700 + i)))
    Inspector.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
