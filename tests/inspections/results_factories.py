"""Rows the results tests need, made directly with the ORM (the draw part's services make them in
the product): a drawn plan with its current Draw, tasks and their inspectors."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from zhengwu.core.identifiers import make_uscc
from zhengwu.inspections.models import (Draw, InspectedObject, InspectionPlan, InspectionTask, Inspector,
                                        SupervisionItem, TaskInspector)

_seq = itertools.count(1)


def item(department, name=None):
    return SupervisionItem.objects.create(department=department, name=name or f"监管事项{next(_seq)}",
                                          legal_basis="《市场主体登记管理条例》")


def inspector(department, *, user=None, name=None):
    n = next(_seq)
    return Inspector.objects.create(user=user, name=name or f"执法员{n}", cert_number=f"ZF{n:08d}",
                                    department=department, region=department.region,
                                    valid_until=dt.date(2030, 12, 31))


def obj(name=None, **kw):
    n = next(_seq)
    kw.setdefault("region_code", "410105001000")
    return InspectedObject.objects.create(uscc=make_uscc("9", "1", "410105", f"R{n:07d}"),
                                          name=name or f"检查对象{n}公司", **kw)


def plan(department, *, start=None, end=None, object_filter=None, state=InspectionPlan.State.DRAWN, items=1):
    n = next(_seq)
    today = timezone.localdate()
    p = InspectionPlan.objects.create(number=f"SJ{n:06d}", name=f"双随机抽查计划{n}", department=department,
                                      region=department.region, object_filter=object_filter or {},
                                      count=1, period_start=start or today - dt.timedelta(days=30),
                                      period_end=end or today + dt.timedelta(days=60), state=state)
    for _ in range(items):
        p.items.add(item(department))
    return p


def draw(p, seq=1, *, current=True):
    return Draw.objects.create(plan=p, seq=seq, seed=f"seed{seq}", algorithm="zw-draw-1", inputs_digest="0" * 64,
                               result_digest="1" * 64, is_current=current, drawn_at=timezone.now())


def task(d, inspected, inspectors):
    t = InspectionTask.objects.create(draw=d, plan=d.plan, inspected=inspected)
    for i, ins in enumerate(inspectors):
        TaskInspector.objects.create(task=t, inspector=ins, lead=i == 0)
    return t
