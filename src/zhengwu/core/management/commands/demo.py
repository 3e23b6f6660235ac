"""``zhengwu demo``: load the demo district (idempotent).

Each app that has demo data provides ``zhengwu.<app>.demo.load(stdout)``; they run in the
order of INSTALLED_APPS, so organisations exist before the catalogue that refers to them. Then,
unless ``--no-history``, each ``zhengwu.<app>.demo_history.load_history(stdout)`` (a year of
finished records for the statistics), and last each demo module's optional ``finish(stdout)``.
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
        demos = []
        for config in apps.get_app_configs():
            if not config.name.startswith("zhengwu."):
                continue
            module = _module(f"{config.name}.demo")
            if module is None:
                continue
            demos.append(module)
            with transaction.atomic():
                module.load(self.stdout)
        if not opts.get("no_history"):
            # A year of finished records for the statistics (``<app>.demo_history.load_history``, after
            # every app's demo: the history files under the demo district's published items).
            for config in apps.get_app_configs():
                history = _module(f"{config.name}.demo_history") if config.name.startswith("zhengwu.") else None
                if history is not None:
                    history.load_history(self.stdout)
        for module in demos:  # e.g. the insights app rolls up the demo's days
            if hasattr(module, "finish"):
                module.finish(self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise
