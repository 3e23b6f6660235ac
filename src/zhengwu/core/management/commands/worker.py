"""``zhengwu worker``: the background task worker (django-tasks database backend) and, in threads
beside it, the periodic jobs (``zhengwu.core.schedule``) and the heartbeat the readiness probe
reads (``zhengwu.core.heartbeat``)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动后台任务处理进程（同时运行定时任务，--no-schedule 关闭）"

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*")
        parser.add_argument("--batch", action="store_true", help="处理完现有任务后退出")
        parser.add_argument("--no-schedule", action="store_true", help="不运行定时任务（由其他进程或 cron 负责）")

    def handle(self, *args, **opts):
        from zhengwu.core.heartbeat import Beater
        from zhengwu.core.schedule import Runner

        runner = beater = None
        if not opts["batch"]:
            beater = Beater()
            beater.start()
        if not opts["no_schedule"] and not opts["batch"]:
            runner = Runner()
            runner.start()
        argv = ["--queue-name", opts["queue_name"]]
        if opts["batch"]:
            argv.append("--batch")
        try:
            call_command("db_worker", *argv)
        finally:
            if runner:
                runner.stop()
            if beater:
                beater.stop()
