"""``zhengwu unlock_login``: lift a login lockout (登录失败锁定) before its 30 minutes are up.

Takes what the person types in the login box — a staff username, a 身份证号 or a 统一社会信用代码 —
and finds the record under the name django-axes keeps it (a citizen's is derived from the ID
number, see :func:`zhengwu.accounts.backends.login_username`), so the operator never has to.
"""

from django.core.management.base import BaseCommand
from axes.utils import reset

from zhengwu.accounts.backends import login_username


class Command(BaseCommand):
    help = "解除登录锁定：账号可为用户名、身份证号或统一社会信用代码；--ip 只解除该地址的锁定"

    def add_arguments(self, parser):
        parser.add_argument("account", nargs="+", help="用户名、身份证号或统一社会信用代码")
        parser.add_argument("--ip", help="只解除来自该地址的锁定")

    def handle(self, *args, account, ip=None, **opts):
        count = 0
        for raw in account:
            username = login_username(raw)
            count += reset(ip=ip, username=username)
        self.stdout.write(f"已清除 {count} 条登录失败记录。" if count else "没有找到登录失败记录。")
