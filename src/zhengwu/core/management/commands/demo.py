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
        # The figures of the demo's days from the rollups (the worker keeps them fresh afterwards).
        from zhengwu.insights.rollups import DEMO_DAYS, rollup_recent

        rollup_recent(DEMO_DAYS)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
