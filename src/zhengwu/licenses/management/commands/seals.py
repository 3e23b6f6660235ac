"""``zhengwu seals``: the departments' electronic seals (电子印章, ADR 0032).

- ``init-ca`` creates the platform CA if there is none (``--export FILE`` writes its certificate,
  for verifiers that should trust it);
- ``import --department <id|统一社会信用代码> --file x.p12 [--password …]`` installs a department's
  own PKCS#12 certificate and key; it is the seal used for that department from then on;
- ``issue --department …`` gives a department a new seal certified by the platform CA;
- ``list`` shows every seal (never a key).
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def _department(ref: str):
    from zhengwu.org.models import Department

    ref = (ref or "").strip()
    dept = None
    if ref.isdigit() and len(ref) < 18:
        dept = Department.objects.filter(pk=int(ref)).first()
    if dept is None:
        dept = Department.objects.filter(uscc=ref.upper()).first()
    if dept is None:
        raise CommandError(f"--department：找不到部门“{ref}”（填写部门编号或18位统一社会信用代码）")
    return dept


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


class Command(BaseCommand):
    help = "电子印章：init-ca 创建平台CA；import 导入部门的 PKCS#12 证书；issue 由平台CA签发部门印章；list 列出印章"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ca = sub.add_parser("init-ca", help="创建平台CA（已有则显示）")
        ca.add_argument("--export", metavar="FILE", help="把平台CA证书（PEM）写入这个文件")
        imp = sub.add_parser("import", help="导入部门的 PKCS#12 证书与私钥（.p12/.pfx）")
        imp.add_argument("--department", required=True, help="部门编号或统一社会信用代码")
        imp.add_argument("--file", required=True, help="PKCS#12 文件路径")
        imp.add_argument("--password", default=None, help="证书文件密码（不填则提示输入）")
        issue = sub.add_parser("issue", help="由平台CA为部门签发新的印章证书（替换当前印章）")
        issue.add_argument("--department", required=True, help="部门编号或统一社会信用代码")
        sub.add_parser("list", help="列出全部电子印章")

    def handle(self, *args, action, **opts):
        getattr(self, "_" + action.replace("-", "_"))(**opts)

    def _init_ca(self, export=None, **_):
        from zhengwu.licenses.models import PlatformCA
        from zhengwu.licenses.sealing import keys

        existed = PlatformCA.objects.filter(is_active=True).exists()
        ca = keys.platform_ca()
        verb = "已有平台CA" if existed else "已创建平台CA"
        self.stdout.write(f"{verb}：{ca.name}，序列号 {ca.serial}，有效期至 {timezone.localtime(ca.not_after):%Y-%m-%d}")
        if export:
            Path(export).write_text(ca.certificate_pem, encoding="ascii")
            self.stdout.write(f"CA证书已写入 {export}")

    def _import(self, department, file, password=None, **_):
        from zhengwu.licenses.sealing import keys

        dept = _department(department)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"--file：找不到文件 {file}")
        if path.stat().st_size > 1024 * 1024:
            raise CommandError("--file：文件超过 1 MB，不是 PKCS#12 证书文件")
        if password is None:
            password = getpass.getpass("证书文件密码：")
        try:
            seal = keys.import_pkcs12(dept, path.read_bytes(), password)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        self.stdout.write(f"已导入：{dept.name} 的电子印章改用证书“{seal.subject}”（序列号 {seal.serial}，"
                          f"{seal.key_algorithm}，有效期至 {timezone.localtime(seal.not_after):%Y-%m-%d}）。"
                          "私钥已加密保存，不再显示。")

    def _issue(self, department, **_):
        from zhengwu.licenses.sealing import keys

        dept = _department(department)
        seal = keys.issue_platform_seal(dept)
        self.stdout.write(f"已签发：{dept.name} 的新印章证书，序列号 {seal.serial}，"
                          f"有效期至 {timezone.localtime(seal.not_after):%Y-%m-%d}")

    def _list(self, **_):
        from zhengwu.licenses.models import DepartmentSeal

        seals = DepartmentSeal.objects.select_related("department").order_by("department__name", "-created_at")
        if not seals:
            self.stdout.write("还没有电子印章（部门第一次盖章时由平台CA自动签发）。")
            return
        for s in seals:
            state = "当前使用" if s.is_active else "已停用"
            self.stdout.write(f"{s.department.name}\t{state}\t{s.get_source_display()}\t{s.key_algorithm}\t"
                              f"序列号 {s.serial}\t有效期至 {timezone.localtime(s.not_after):%Y-%m-%d}\t{s.subject}")
