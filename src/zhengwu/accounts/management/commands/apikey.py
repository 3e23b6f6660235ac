"""``zhengwu apikey``: issue, list and revoke 应用密钥 for machine clients."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhengwu.accounts import apikeys
from zhengwu.accounts.models import ApiKey


class Command(BaseCommand):
    help = "管理应用密钥：create 创建（密钥只显示一次）、list 列出、revoke 停用、scopes 可用授权范围"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建密钥")
        create.add_argument("name", help="应用名称")
        create.add_argument("--scope", action="append", default=[], help="授权范围，可重复")
        create.add_argument("--department", type=int, help="所属部门 ID")
        create.add_argument("--note", default="")
        sub.add_parser("list", help="列出密钥")
        revoke = sub.add_parser("revoke", help="停用密钥")
        revoke.add_argument("prefix", help="密钥前缀")
        sub.add_parser("scopes", help="可用授权范围")

    def handle(self, *args, action, **opts):
        if action == "scopes":
            for code, label in sorted(apikeys.SCOPES.items()):
                self.stdout.write(f"{code:<20} {label}")
        elif action == "list":
            for k in ApiKey.objects.order_by("created_at"):
                state = "启用" if k.active else "已停用"
                self.stdout.write(f"{k.prefix}  {state:<4} {k.name}  {','.join(k.scopes)}  "
                                  f"最近使用 {timezone.localtime(k.last_used_at):%Y-%m-%d %H:%M}" if k.last_used_at else
                                  f"{k.prefix}  {state:<4} {k.name}  {','.join(k.scopes)}  未使用")
        elif action == "revoke":
            key = ApiKey.objects.filter(prefix=opts["prefix"]).first()
            if key is None:
                raise CommandError(f"密钥前缀 {opts['prefix']} 不存在")
            apikeys.revoke(key)
            self.stdout.write(self.style.SUCCESS(f"已停用 {key}"))
        else:
            department = None
            if opts["department"]:
                from zhengwu.org.models import Department

                department = Department.objects.filter(pk=opts["department"]).first()
                if department is None:
                    raise CommandError(f"部门 ID {opts['department']} 不存在")
            try:
                issued = apikeys.issue(opts["name"], opts["scope"], department=department, note=opts["note"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS(f"已创建 {issued.key}。密钥只显示这一次，请妥善保存："))
            self.stdout.write(issued.secret)
