"""``zhengwu demo``: load the demo district (idempotent).

Each app that has demo data provides ``zhengwu.<app>.demo.load(stdout)``; they run in the
order of INSTALLED_APPS, so organisations exist before the catalogue that refers to them.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "加载演示辖区数据（可重复执行，不会重复创建）"

    def add_arguments(self, parser):
        parser.add_argument("--no-history", action="store_true",
                            help="不加载近 12 个月的演示历史（办件、好差评），只加载当天的演示数据")

    def handle(self, *args, **opts):
        for config in apps.get_app_configs():
            if not config.name.startswith("zhengwu."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"{config.name}.demo":
                    continue
                raise
            with transaction.atomic():
                module.load(self.stdout)
        if not opts.get("no_history"):
            # A year of finished cases and their ratings, for the statistics (after every app's
            # demo: it files under the demo district's published items).
            from zhengwu.cases import demo_history as case_history
            from zhengwu.ratings import demo_history as rating_history

            case_history.load_history(self.stdout)
            rating_history.load_history(self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
