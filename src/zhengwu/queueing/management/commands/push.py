"""``zhengwu push``: the push server (SSE for the hall's call boards and window screens; ADR 0043).

``zhengwu serve`` starts it beside gunicorn; run it alone to serve on another host or port.
"""

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动叫号大屏推送服务（SSE）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("ZHENGWU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("ZHENGWU_PUSH_PORT", "0"))
                            or int(os.environ.get("ZHENGWU_PORT", "8000")) + 1)

    def handle(self, *args, **opts):
        from zhengwu.queueing.push.app import serve

        self.stdout.write(f"zhengwu 推送服务启动：http://{opts['host']}:{opts['port']}/push/")
        self.stdout.flush()
        serve(opts["host"], opts["port"])
