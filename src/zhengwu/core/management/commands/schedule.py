"""``zhengwu schedule``: the periodic jobs (定时任务) — list them with their last run, or run the
due ones once (for cron, when no ``zhengwu worker`` runs them)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhengwu.core import schedule


class Command(BaseCommand):
    help = "定时任务：list 列出及最近运行情况；run 运行到期的任务（--job 只运行一个，--force 不论是否到期）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="列出定时任务")
        run = sub.add_parser("run", help="运行到期的定时任务")
        run.add_argument("--job", help="只运行这一个任务")
        run.add_argument("--force", action="store_true", help="不论是否到期都运行")

    def handle(self, *args, action, **opts):
        from zhengwu.core.models import ScheduledJob

        rows = {r.name: r for r in ScheduledJob.objects.all()}
        if action == "list":
            for job in schedule.jobs():
                r = rows.get(job.name)
                last = "从未运行"
                if r and r.last_started_at:
                    state = "成功" if r.last_ok else ("失败" if r.last_ok is False else "运行中")
                    last = f"{timezone.localtime(r.last_started_at):%Y-%m-%d %H:%M} {state} {r.last_message[:60]}"
                self.stdout.write(f"{job.name:<22} 每 {_every(job.every):<8} {job.label}  |  {last}")
            return
        names = {j.name for j in schedule.jobs()}
        if opts["job"] and opts["job"] not in names:
            raise CommandError(f"没有名为 {opts['job']} 的定时任务（可用：{'、'.join(sorted(names))}）")
        failed = False
        for o in schedule.run_due(only=opts["job"], force=opts["force"]):
            if o.ran:
                failed |= not o.ok
                self.stdout.write(f"{o.name}: {'完成' if o.ok else '失败'} {o.message[:200]}")
            else:
                self.stdout.write(f"{o.name}: 未到期，跳过")
        if failed:
            raise CommandError("有定时任务失败，详见上面的信息和日志")


def _every(delta) -> str:
    s = int(delta.total_seconds())
    if s % 86400 == 0:
        return f"{s // 86400}天"
    if s % 3600 == 0:
        return f"{s // 3600}小时"
    return f"{s // 60}分钟"
