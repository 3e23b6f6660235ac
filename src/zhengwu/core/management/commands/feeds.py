"""``zhengwu feeds status`` / ``zhengwu feeds push [--feed NAME]``: the feeds to upper-level
platforms (上报队列, ADR 0050) — counts per feed, or push the due records now (the worker's job
``feeds.push`` does it every minute)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhengwu.core import outbox


class Command(BaseCommand):
    help = "上报上级平台：查看上报队列（status）或立即推送到期记录（push）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "push"])
        parser.add_argument("--feed", default="", help="只处理这个上报数据项（hotline、cases…）")

    def handle(self, *args, action, feed, **opts):
        if feed and outbox.get(feed) is None:
            raise CommandError(f"没有名为 {feed} 的上报数据项（可用：{'、'.join(f.name for f in outbox.feeds())}）")
        if action == "push":
            for f in outbox.feeds():
                if feed and f.name != feed:
                    continue
                c = outbox.push_feed(f.name)
                self.stdout.write(f"{f.label}（{f.name}）：送达 {c['sent']} 条，失败 {c['failed']} 条")
            return
        for s in outbox.summary():
            if feed and s["feed"].name != feed:
                continue
            last = f"{timezone.localtime(s['last_sent_at']):%Y-%m-%d %H:%M}" if s["last_sent_at"] else "尚无"
            self.stdout.write(f"{s['feed'].label}（{s['feed'].name}）：待推送 {s['pending']}，失败重试中 {s['failed']}，"
                              f"已停止重试 {s['dead']}，最近送达 {last}")
