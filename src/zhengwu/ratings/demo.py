"""Demo 好差评 (idempotent): window A01 ratings over the last weeks, an overdue 差评 for the
supervisor, and an open 差评 of 市场监管局 for bumen_sj to verify → rectify → call back."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

DEMO_WINDOW = "A01"


def load(stdout) -> None:
    from zhengwu.accounts.models import User
    from zhengwu.org.models import Department, Window

    from . import services
    from .models import Rating

    window = Window.objects.filter(number=DEMO_WINDOW, hall__region__code="410105000000").first()
    staff = User.objects.filter(username="chuangkou").first()
    market = Department.objects.filter(short_name="市场监管局", region__code="410105000000").first()
    if window is None or staff is None or market is None:
        stdout.write("好差评演示数据：缺少演示窗口或人员，跳过")
        return
    services.get_rules()
    if Rating.objects.filter(window=window).exists():
        stdout.write("好差评演示数据已存在")
        return
    police = Department.objects.filter(short_name="公安分局", region__code="410105000000").first() or market
    now = timezone.now()
    plan = [  # days ago, department, level, dims, comment, phone
        (12, market, 5, {"overall": 5, "efficiency": 5, "skill": 5, "attitude": 5}, "一次就办好了，很快", ""),
        (11, police, 4, {"overall": 4, "efficiency": 4, "skill": 4, "attitude": 5}, "", ""),
        (9, market, 5, {}, "", ""),
        (8, market, 3, {"overall": 3, "efficiency": 3, "skill": 3, "attitude": 4}, "排队有点久", ""),
        (6, police, 5, {}, "", ""),
        (4, market, 4, {}, "", ""),
        (2, market, 5, {"overall": 5, "efficiency": 5, "skill": 5, "attitude": 5}, "", ""),
    ]
    for days, dep, level, dims, comment, phone in plan:
        at = now - dt.timedelta(days=days)
        visit = services.start_visit(staff, window, department=dep, served_at=at)
        services.rate_visit(visit, level=level, dims=dims, comment=comment, phone=phone, rated_at=at)
    # An overdue 差评 (20 days ago, 10 working days to fix): the supervisor's 督办 list.
    old = now - dt.timedelta(days=20)
    visit = services.start_visit(staff, window, department=market, served_at=old)
    services.rate_visit(visit, level=1, dims={"overall": 1, "efficiency": 1, "skill": 2, "attitude": 1},
                        tags=["等候时间长、效率低", "需要多次跑动"], comment="材料反复要求补交，跑了三趟还没办成", phone="13803710009",
                        rated_at=old)
    # An open 差评 from today: bumen_sj verifies, rectifies and calls back.
    visit = services.start_visit(staff, window, department=market)
    services.rate_visit(visit, level=2, dims={"overall": 2, "efficiency": 2, "skill": 3, "attitude": 2},
                        tags=["服务态度差"], comment="窗口人员说话不耐烦，没有一次性告知需要的材料", phone="13803710008")
    stdout.write("好差评演示数据：窗口 A01 评价 9 条，其中差评 2 条（1 条已超期，供督办；1 条待核实，供 bumen_sj 整改）")
