"""``zhengwu worker``: the background task worker (django-tasks database backend)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动后台任务处理进程"

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*")
        parser.add_argument("--batch", action="store_true", help="处理完现有任务后退出")

    def handle(self, *args, **opts):
        argv = ["--queue-name", opts["queue_name"]]
        if opts["batch"]:
            argv.append("--batch")
        call_command("db_worker", *argv)
