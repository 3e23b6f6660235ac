"""Demo 好差评 (idempotent).

- The story of window A01: ratings over the last weeks, an overdue 差评 for the supervisor, and an
  open 差评 of 市场监管局 for bumen_sj to verify → rectify → call back.
- The 红黑旗 months: 现场评价 of every window of the hall in the current month and the two before,
  enough per window and per department for the minimum-sample rule (本地评价规则“参与排名的最少评价数”),
  with 差评 rectified, found untrue or (this month) still being rectified, so that the ranking of
  each month gives 红旗 and 黑旗 to windows and departments — and one window (公积金专窗) and a few
  departments too few ratings, listed apart on the ranking page.

Everything is written through the services (visits, ratings, rectifications), as the tablet, the
window poster and the department's workbench would. Each month is loaded once (a marker visit
with a fixed nonce); loading again adds nothing, loading in a later month adds that month.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

DEMO_WINDOW = "A01"
DISTRICT = "410105000000"
STORY_MARK = "材料反复要求补交，跑了三趟还没办成"  # the story's overdue 差评: the story is loaded

# window number, the departments it serves in turn, short (too few ratings to be ranked)
RANKING_WINDOWS = [
    ("A01", ["市场监管局", "民政局"], False),
    ("A02", ["民政局", "卫健委"], False),
    ("A03", ["市场监管局", "卫健委"], False),
    ("B01", ["市场监管局", "税务局"], False),
    ("C01", ["不动产登记中心", "税务局"], False),
    ("C02", ["公安分局"], False),
    ("C03", ["人社局"], False),
    ("C04", ["公积金中心"], True),
]
# What becomes of each 差评 of a window in a month: "fixed" 整改办结; "untrue" 核实不属实 (no 整改:
# not counted as rectified; this month still 整改中). One profile per ranked window, best first
# (with 12 ratings: 100, 86.7, 73.3, 66.7, 63.3, 53.3, 46.7 points); shifted each month.
PROFILES = [(), ("fixed",), ("fixed", "fixed"), ("untrue",), ("fixed", "untrue"), ("untrue", "untrue"),
            ("fixed", "untrue", "untrue")]
MONTH_SHIFT = (0, 3, 5)  # this month, last month, the month before
PROBLEMS = [(["等候时间长、效率低"], "取号后等了一个多小时才叫到号"),
            (["业务不熟、解释不清"], "问了三个人说法都不一样"),
            (["要求材料多、反复提交"], "材料清单上没有的证明也要求提供"),
            (["服务态度差"], "工作人员说话很冲，不耐烦")]
GOOD = [(5, ["办事效率高"], "一次就办好了"), (4, ["服务态度好"], ""), (5, ["一次办成"], ""), (3, [], "还可以，排队有点久"),
        (5, [], ""), (4, ["材料精简"], "")]


def load(stdout) -> None:
    from zhengwu.accounts.models import User
    from zhengwu.org.models import Department, Window

    from . import services

    window = Window.objects.filter(number=DEMO_WINDOW, hall__region__code=DISTRICT).first()
    staff = User.objects.filter(username="chuangkou").first()
    market = Department.objects.filter(short_name="市场监管局", region__code=DISTRICT).first()
    if window is None or staff is None or market is None:
        stdout.write("好差评演示数据：缺少演示窗口或人员，跳过")
        return
    services.get_rules()
    _story(stdout, window, staff, market)
    _ranking_months(stdout, staff)


def _story(stdout, window, staff, market) -> None:
    from zhengwu.org.models import Department

    from . import services
    from .models import Rating

    if Rating.objects.filter(window=window, comment=STORY_MARK).exists():
        stdout.write("好差评演示数据（窗口 A01）已存在")
        return
    police = Department.objects.filter(short_name="公安分局", region__code=DISTRICT).first() or market
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
                        tags=["等候时间长、效率低", "需要多次跑动"], comment=STORY_MARK, phone="13803710009",
                        rated_at=old)
    # An open 差评 from today: bumen_sj verifies, rectifies and calls back.
    visit = services.start_visit(staff, window, department=market)
    services.rate_visit(visit, level=2, dims={"overall": 2, "efficiency": 2, "skill": 3, "attitude": 2},
                        tags=["服务态度差"], comment="窗口人员说话不耐烦，没有一次性告知需要的材料", phone="13803710008")
    stdout.write("好差评演示数据：窗口 A01 评价 9 条，其中差评 2 条（1 条已超期，供督办；1 条待核实，供 bumen_sj 整改）")


# -- 红黑旗 months ----------------------------------------------------------------------------------
def nonce(*parts) -> str:
    """The fixed nonce of a demo visit (32 hex digits, as the tablet's form key): the same visit
    on every load."""
    return hashlib.md5(":".join(str(p) for p in ("demo-ranking", *parts)).encode()).hexdigest()  # noqa: S324


def month_starts(today: dt.date, n: int = 3) -> list[dt.date]:
    """The first days of this month and the ``n - 1`` before it, this month first."""
    out = [today.replace(day=1)]
    while len(out) < n:
        out.append((out[-1] - dt.timedelta(days=1)).replace(day=1))
    return out


def month_size(min_ratings: int) -> int:
    """Ratings of a ranked window in a month: a few more than the rule asks, even (a window serving
    two departments gives each half, and each department is served by two windows), at most 40."""
    n = max(min_ratings, 1) + 2
    return min(40, n + n % 2)


def _moment(day: dt.date, i: int, n: int, now: dt.datetime) -> dt.datetime:
    """When the ``i``-th of ``n`` ratings of a day is given: office hours, never after ``now``."""
    start = dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())
    at = start + dt.timedelta(minutes=(i * 47) % 420)
    if at > now:
        day_start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        at = max(day_start, now - dt.timedelta(seconds=n - i))
    return at


def _ranking_months(stdout, staff) -> None:
    from .models import WindowVisit
    from .services import get_rules

    now = timezone.now()
    today = timezone.localdate(now)
    n = month_size(get_rules().min_ratings)
    added = []
    for offset, first in enumerate(month_starts(today)):
        key = f"{first:%Y-%m}"
        if WindowVisit.objects.filter(nonce=nonce(key, "marker")).exists():
            continue
        with transaction.atomic():
            count = _ranking_month(key, first, offset, today, now, n, staff)
        if count:
            added.append(f"{key} {count} 条")
    if added:
        stdout.write(f"好差评演示数据（红黑旗）：各窗口现场评价 {'，'.join(added)}")
    else:
        stdout.write("好差评演示数据（红黑旗）已存在")


def _ranking_month(key: str, first: dt.date, offset: int, today: dt.date, now: dt.datetime, n: int, staff) -> int:
    from zhengwu.accounts.models import User
    from zhengwu.org.models import Department, Window

    from . import services
    from .rules import Channel

    windows = {w.number: w for w in Window.objects.filter(hall__region__code=DISTRICT, is_active=True)}
    departments = {d.short_name: d for d in Department.objects.filter(region__code=DISTRICT)}
    rectifiers = list(User.objects.filter(username__in=["bumen_sj", "shenpi_sj", "shenpi_ga", "shenpi_rs"])
                      .order_by("username"))
    admin = User.objects.filter(username="admin").first()
    last_day = today if offset == 0 else (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) \
        - dt.timedelta(days=1)
    days = (last_day - first).days + 1
    count, marker_done, ranked_index = 0, False, 0
    for number, dep_names, short in RANKING_WINDOWS:
        window = windows.get(number)
        deps = [departments[d] for d in dep_names if d in departments]
        if window is None or not deps:
            continue
        size = max(1, n // 2) if short else n
        profile = () if short else PROFILES[(ranked_index + MONTH_SHIFT[offset % 3]) % len(PROFILES)]
        if not short:
            ranked_index += 1
        # The 差评 come last (this month: the latest days, not yet past their 整改期限).
        bad_at = {size - 1 - 2 * k: outcome for k, outcome in enumerate(profile)}
        tablet = number == DEMO_WINDOW
        for i in range(size):
            day = first + dt.timedelta(days=i * days // size)
            at = _moment(day, i, size, now)
            dep = deps[i % len(deps)]
            mark = nonce(key, "marker") if not marker_done else nonce(key, number, i)
            marker_done = True
            visit = services.start_visit(staff if tablet else None, window, department=dep, served_at=at,
                                         source="tablet" if tablet else "qr", nonce=mark)
            if services.visit_rating(visit) is not None:
                continue
            outcome = bad_at.get(i)
            if outcome is None:
                level, tags, comment = GOOD[(i + ranked_index) % len(GOOD)]
            else:
                tags, comment = PROBLEMS[(i + ranked_index) % len(PROBLEMS)]
                level = 1 if i % 4 == 3 else 2
            dims = {"overall": level, "efficiency": level, "skill": min(5, level + (i % 2)), "attitude": level}
            r = services.rate_visit(visit, level=level, dims=dims, tags=tags, comment=comment, rated_at=at,
                                    channel=Channel.TABLET if tablet else Channel.QR)
            count += 1
            if outcome is not None:
                user = next((u for u in rectifiers if services.may_rectify(u, r.rectification)), admin)
                _rectify(user, r.rectification, outcome, this_month=offset == 0)
    return count


def _rectify(user, rect, outcome: str, *, this_month: bool) -> None:
    """The department deals with a 差评 as its workbench would: 核实属实 and 整改 (an anonymous 差评
    is then 办结), or 核实不属实 (办结 without 整改); this month's untrue ones are still 整改中."""
    from . import services

    if user is None:
        return
    if outcome == "fixed":
        rect = services.verify(user, rect, rect.version, valid=True)
        services.rectify(user, rect, rect.version, measures="已对窗口人员开展业务培训，优化叫号分流，一次性告知所需材料")
    elif this_month:
        services.verify(user, rect, rect.version, valid=True)
    else:
        services.verify(user, rect, rect.version, valid=False,
                        reason="调取窗口录像和叫号记录核实，办理用时在承诺时限内，所反映问题不属实")
