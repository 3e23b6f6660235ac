from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhengwu.org import services


class Command(BaseCommand):
    help = "行政区划：load 载入省市县三级数据；add CODE NAME 添加乡镇街道或村社区"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load")
        add = sub.add_parser("add")
        add.add_argument("code")
        add.add_argument("name")

    def handle(self, *args, **opts):
        if opts["action"] == "load":
            services.load_package_regions(self.stdout)
            return
        try:
            r = services.add_region(None, opts["code"], opts["name"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"已添加：{r.code} {r.full_name}")
