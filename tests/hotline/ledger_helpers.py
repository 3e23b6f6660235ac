"""Shared by the ledger and by-type figures tests: tickets walked through the services at set times."""

import contextlib
import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from zhengwu.hotline import services

TZ = ZoneInfo("Asia/Shanghai")
REPLY = "经调取窗口监控核实，已对相关人员批评教育并整改。"


def when(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@contextlib.contextmanager
def now_is(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.timezone.utc)):
        yield


def make_ticket(centre, handler, department, *, ticket_type, day, fate, satisfaction=4, phone="13700000001",
                content="在政务服务中心办事，窗口工作人员态度生硬，不一次性告知材料。", reply_day=None, category=None):
    """A ticket registered on 2026-11-``day`` 09:00 and walked to ``fate``: registered, handling,
    replied or closed (answered on ``reply_day``, default the next day; closed the same afternoon)."""
    with now_is(when(11, day, 9)):
        t = services.register(centre, {"ticket_type": ticket_type, "content": content, "phone": phone,
                                       "caller_name": "钱女士", "address": "金水区政务服务中心",
                                       "category": category.pk if category else None})
    if fate == "registered":
        return t
    reply_day = reply_day or day + 1
    steps = [(when(11, day, 10), services.dispatch, centre, {"department": department.pk}),
             (when(11, day, 11), services.claim, handler, {})]
    if fate in ("replied", "closed"):
        steps.append((when(11, reply_day, 10), services.reply, handler, {"text": REPLY}))
    if fate == "closed":
        steps += [(when(11, reply_day, 14), services.callback, centre,
                   {"reached": True, "resolved": True, "satisfaction": satisfaction}),
                  (when(11, reply_day, 15), services.close, centre, {})]
    for moment, fn, who, kw in steps:
        with now_is(moment):
            t = fn(who, t, t.lock_version, **kw)
    return t
