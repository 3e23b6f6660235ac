"""What every domain's generator shares: the sizes, the run's context, the demo district and the
working-day calendar over the generated year."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

BENCH_PASSWORD = "Demo@2026zw"  # the demo password: every generated applicant logs in with it
MARKER_USERNAME = "bench-data"
DEMO_DISTRICT = "410105000000"


@dataclass(frozen=True)
class Size:
    name: str
    items: int
    departments: int  # generated departments outside the demo district (approximate floor)
    applicants: int
    cases: int
    ratings: int = 0  # extension points: the city size asks 1,000,000 and 300,000
    tickets: int = 0
    licences: int = 0  # 电子证照 (issue 23: a million at city size)
    persons: int = 0  # 人口库 (issue 24: 10,000,000 at city size)
    legal_entities: int = 0  # 法人库 (issue 24: 2,000,000 at city size)


SIZES = {
    "tiny": Size("tiny", items=60, departments=40, applicants=50, cases=400, licences=300, persons=500, legal_entities=100),
    "small": Size("small", items=2_000, departments=120, applicants=2_000, cases=20_000, ratings=20_000, tickets=6_000,
                   licences=20_000, persons=20_000, legal_entities=4_000),
    "medium": Size("medium", items=20_000, departments=800, applicants=50_000, cases=200_000, ratings=200_000,
                   tickets=60_000, licences=200_000, persons=1_000_000, legal_entities=200_000),
    "city": Size("city", items=100_000, departments=3_000, applicants=200_000, cases=1_000_000, ratings=1_000_000,
                 tickets=300_000, licences=1_000_000, persons=10_000_000,
                 legal_entities=2_000_000),
}


class AlreadyGenerated(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Context shared by the domains
# ---------------------------------------------------------------------------------------------
@dataclass
class Context:
    size: Size
    seed: int
    today: dt.date
    now: dt.datetime
    log: Callable[[str], None]
    timings: dict[str, dict] = field(default_factory=dict)
    # filled by the domains
    departments: list = field(default_factory=list)  # (id, region_id, region_code, short, kind)
    items: list = field(default_factory=list)  # ItemInfo
    applicant_ids: list[int] = field(default_factory=list)

    def rnd(self, domain: str) -> random.Random:
        return random.Random(f"{self.seed}:{domain}")


@dataclass
class ItemInfo:
    id: int
    version_id: int
    process_id: int
    department_id: int
    region_id: int
    region_code: str
    promised_days: int
    blocks: list  # [[(step_id, name, role, department_id)]]
    block_offsets: list  # working days after acceptance at which each block is due
    demo: bool = False


def marker():
    from zhengwu.accounts.models import User

    return User.objects.filter(username=MARKER_USERNAME).first()


def ensure_demo(log) -> None:
    from zhengwu.org.models import Region

    if Region.objects.filter(code=DEMO_DISTRICT).exists():
        return
    from django.core.management import call_command

    log("演示辖区不存在：先加载 zhengwu demo …")
    call_command("demo", no_history=True)  # the bench generates its own year of history




class Days:
    """Working-day arithmetic over a window of dates, cached (1M cases, a few thousand distinct sums)."""

    def __init__(self, today: dt.date):
        from zhengwu.core import calendar

        self.cal = calendar.get_calendar()
        self.today = today
        start = today - dt.timedelta(days=400)
        self.days = [start + dt.timedelta(days=k) for k in range(401)]
        self.workdays = [d for d in self.days if self.cal.is_workday(d)]
        self.weekend = [d for d in self.days if not self.cal.is_workday(d)]

    @functools.lru_cache(maxsize=200_000)  # noqa: B019 - one instance per run
    def add(self, day: dt.date, n: int) -> dt.date:
        return self.cal.add_workdays(day, n)

    @functools.lru_cache(maxsize=10_000)  # noqa: B019
    def on_or_after(self, day: dt.date) -> dt.date:
        return self.cal.next_workday_on_or_after(day)

    def workdays_back(self, n: int) -> dt.date:
        """The working day ``n`` working days before today (0 = the last working day up to today)."""
        i = bisect.bisect_right(self.workdays, self.today) - 1 - n
        return self.workdays[max(0, i)]
