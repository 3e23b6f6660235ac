"""Demo hall (金水区政务服务中心 of the org demo): zones, business types A–D, a window setup for every
demo window, this week's roster, Mon–Fri 09:00–12:00 and 13:30–17:30, a Saturday 周末办 session,
the default HallRules and the slots of the booking period. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

DISTRICT = "410105000000"
ZONES = [("综合受理区", "一楼东侧"), ("企业开办专区", "一楼西侧"), ("不动产登记专区", "二楼"), ("社保医保专区", "二楼")]
# prefix, name, zone, service minutes, bookable, appointment share, window numbers
TYPES = [
    ("A", "综合受理", "综合受理区", 10, True, 50, ["A01", "A02", "A03"]),
    ("B", "企业开办", "企业开办专区", 20, True, 60, ["B01"]),
    ("C", "不动产登记", "不动产登记专区", 20, True, 50, ["C01"]),
    ("D", "社保医保", "社保医保专区", 10, True, 40, ["C03"]),
    ("E", "户政业务", "综合受理区", 15, False, 0, ["C02"]),
    ("F", "公积金业务", "社保医保专区", 15, True, 40, ["C04"]),
]
# which demo items a type serves (by words in their names)
ITEM_WORDS = {"B": ["营业执照", "企业", "食品经营"], "C": ["不动产"], "D": ["社保", "医保", "养老", "失业"],
              "F": ["公积金"]}


def load(stdout) -> None:
    from zhengwu.catalog.models import ServiceItem
    from zhengwu.org.models import Hall, RoleGrant, Window

    from .models import (
        BusinessType,
        Duty,
        ExtraSession,
        HallRules,
        OpeningPeriod,
        WindowSetup,
        Zone,
    )
    from .services.slots import generate

    hall = Hall.objects.filter(region__code=DISTRICT, name="金水区政务服务中心").first()
    if hall is None:
        stdout.write("预约与大厅：未找到演示大厅（请先加载组织机构演示数据）")
        return
    with transaction.atomic():
        zones = {}
        for order, (name, floor) in enumerate(ZONES):
            zones[name] = Zone.objects.get_or_create(hall=hall, name=name, defaults={"floor": floor, "order": order})[0]
        windows = {w.number: w for w in Window.objects.filter(hall=hall)}
        setups = {n: WindowSetup.objects.get_or_create(window=w)[0] for n, w in windows.items()}
        for order, (prefix, name, zone, minutes, bookable, share, numbers) in enumerate(TYPES):
            bt, created = BusinessType.objects.get_or_create(
                hall=hall, prefix=prefix,
                defaults={"name": name, "zone": zones[zone], "service_minutes": minutes, "bookable": bookable,
                          "appointment_share": share, "order": order})
            for n in numbers:
                if n in setups:
                    setups[n].business_types.add(bt)
                    if setups[n].zone_id is None:
                        setups[n].zone = zones[zone]
                        setups[n].save(update_fields=["zone"])
            if created and prefix in ITEM_WORDS:
                from django.db.models import Q

                cond = Q(pk__in=[])
                for word in ITEM_WORDS[prefix]:
                    cond |= Q(name__contains=word)
                bt.items.set(ServiceItem.objects.filter(cond, region=hall.region)[:30])
        # 综合窗口 A01/A02 also take 企业开办 and 社保医保 when their own windows are busy.
        for n in ("A01", "A02"):
            if n in setups:
                setups[n].business_types.add(*BusinessType.objects.filter(hall=hall, prefix__in=["B", "D"]))
        if not OpeningPeriod.objects.filter(hall=hall).exists():
            OpeningPeriod.objects.bulk_create(
                [OpeningPeriod(hall=hall, weekday=wd, start=dt.time(9), end=dt.time(12)) for wd in range(5)]
                + [OpeningPeriod(hall=hall, weekday=wd, start=dt.time(13, 30), end=dt.time(17, 30)) for wd in range(5)])
        if not ExtraSession.objects.filter(hall=hall).exists():
            ExtraSession.objects.create(hall=hall, kind="weekend", weekday=5, start=dt.time(9), end=dt.time(12),
                                        note="周末办：综合受理、企业开办")
            sat = ExtraSession.objects.get(hall=hall, kind="weekend")
            sat.business_types.set(BusinessType.objects.filter(hall=hall, prefix__in=["A", "B"]))
            ExtraSession.objects.create(hall=hall, kind="delayed", weekday=2, start=dt.time(17, 30), end=dt.time(19),
                                        note="每周三延时办")
        HallRules.objects.get_or_create(hall=hall)
        # This week's roster: each window clerk at their usual window, the whole day.
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        duties = 0
        for g in RoleGrant.objects.filter(role="window", window__hall=hall).select_related("user"):
            for i in range(5):
                _d, made = Duty.objects.get_or_create(window_id=g.window_id, date=monday + dt.timedelta(days=i),
                                                      period="day", defaults={"user": g.user})
                duties += made
            # and the Saturday 周末办 session
            _d, made = Duty.objects.get_or_create(window_id=g.window_id, date=monday + dt.timedelta(days=5),
                                                  period="extra", defaults={"user": g.user})
            duties += made
    from .services.booking import bookable_items_changed

    bookable_items_changed()
    r = generate(hall)
    stdout.write(f"预约与大厅：{len(ZONES)} 个功能区，{len(TYPES)} 个业务类型，{len(setups)} 个窗口设置，"
                 f"新增排班 {duties} 条，新增预约时段 {r['created']} 个")
    # 效能监察's history (30 working days of served tickets) is demo_history.load_history, which
    # `zhengwu demo` runs for every app unless --no-history.
