"""Departments in the other districts of 郑州市: the demo's department set per district, plus
街道便民服务中心 up to the size's count."""

from __future__ import annotations

import math

from .bulk import Table, next_id, reset_sequences
from .context import DEMO_DISTRICT, Context

STREETS = ["东风", "人民", "建设", "解放", "文化", "花园", "南阳", "丰产", "经纬", "中原", "嵩山", "伏牛", "桐柏",
           "秦岭", "航海", "陇海", "淮河", "长江", "黄河", "金水", "二七", "大学", "工人", "民主", "未来", "商都",
           "祭城", "龙湖", "如意", "凤凰", "柳林", "杨金", "兴达", "丰庆", "国基", "杜岭", "北林", "城东", "绿城",
           "紫荆", "梧桐", "须水", "石佛", "沟赵", "双桥", "古荥", "京广", "铭功", "福华", "碧沙"]


def _demo_department_names() -> list[str]:
    from zhengwu.catalog.data import demo

    return list(demo.all_items())


def gen_departments(ctx: Context) -> int:
    from zhengwu.org.models import Department, Region

    rnd = ctx.rnd("departments")
    counties = list(Region.objects.filter(code__startswith="4101", level=3).exclude(code=DEMO_DISTRICT)
                    .order_by("code").values_list("id", "code", "name"))
    if not counties:
        raise RuntimeError("郑州市的县级区划不存在：请先运行 zhengwu demo（加载区划数据）")
    shorts = _demo_department_names()
    rows, seen = [], set(Department.objects.values_list("region_id", "name"))
    pk = next_id(Department)
    out = []

    def add(region, name, short, kind):
        nonlocal pk
        if (region[0], name) in seen:
            return
        seen.add((region[0], name))
        rows.append((pk, name, short[:40], None, None, region[0], kind, "0371-6" + f"{rnd.randrange(10**6, 10**7)}",
                     f"{region[2]}{rnd.choice(STREETS)}路{rnd.randrange(1, 300)}号", True, 100 + len(rows) % 50))
        out.append((pk, region[0], region[1], short, kind))
        pk += 1

    per_county = max(1, math.ceil(ctx.size.departments / len(counties)))
    for county in counties:
        for short in shorts[:per_county]:
            add(county, f"{county[2]}{short}", short, "government")
    k = 0
    while len(rows) < ctx.size.departments and k < 10 * ctx.size.departments:
        county = counties[k % len(counties)]
        street = STREETS[(k // len(counties)) % len(STREETS)]
        n = k // (len(counties) * len(STREETS))
        add(county, f"{county[2]}{street}{'' if n == 0 else n + 1}街道便民服务中心", f"{street}街道", "street")
        k += 1
    Table(Department, ["id", "name", "short_name", "uscc", "parent_id", "region_id", "kind", "phone", "address",
                       "is_active", "sort_order"]).write(rows)
    reset_sequences(Department)
    demo = list(Department.objects.filter(region__code=DEMO_DISTRICT).values_list("id", "region_id", "region__code",
                                                                                   "short_name", "kind"))
    ctx.departments = out + demo
    return len(rows)
