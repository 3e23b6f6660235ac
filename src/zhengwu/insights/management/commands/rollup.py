"""``zhengwu rollup``: roll up the figures registry's daily figures (指标日汇总) on demand.

    zhengwu rollup                                # what the worker does: today, missing days, recent days
    zhengwu rollup --day 2026-11-05               # one day
    zhengwu rollup --from 2025-11-01 --to 2026-11-30   # a backfill (at most 1,000 days)
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhengwu.insights import rollups

MAX_DAYS = 1000


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"{option} 日期格式不正确：应为 年-月-日，如 2026-11-05") from None


class Command(BaseCommand):
    help = "汇总统计指标（指标日汇总）：不带参数时汇总今日并补齐缺失日期；--day 汇总一天；--from/--to 汇总一段日期"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="汇总这一天（年-月-日）")
        parser.add_argument("--from", dest="first", help="从这一天起（年-月-日，含）")
        parser.add_argument("--to", dest="last", help="到这一天止（年-月-日，含）")

    def handle(self, *args, day=None, first=None, last=None, **opts):
        day, first, last = _date(day, "--day"), _date(first, "--from"), _date(last, "--to")
        if day and (first or last):
            raise CommandError("--day 不能与 --from/--to 同时使用")
        if day:
            first = last = day
        if bool(first) != bool(last):
            raise CommandError("--from 和 --to 须同时给出")
        if not first:
            self.stdout.write(rollups.refresh())
            return
        if last < first:
            raise CommandError("--to 不能早于 --from")
        if (last - first).days >= MAX_DAYS:
            raise CommandError(f"--from 至 --to 不能超过 {MAX_DAYS} 天")

        def progress(done):
            self.stdout.write(f"{done['day']:%Y-%m-%d}：{done['rows']} 行，{done['seconds']:.2f} 秒")

        done = rollups.rollup_days(first, last, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"已汇总 {len(done)} 天，共 {sum(d['rows'] for d in done)} 行。"))
