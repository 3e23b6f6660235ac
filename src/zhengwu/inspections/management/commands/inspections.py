"""``zhengwu inspections …``: operator commands of 监管.

    zhengwu inspections verify-draw FILE    re-run a published draw from its export: 一致 (exit 0)
                                            or the differences (exit 1). Needs no database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengwu.inspections import draw_rules


class Command(BaseCommand):
    help = "互联网+监管：复核双随机抽取结果（verify-draw）"
    requires_system_checks: list = []  # noqa: RUF012  (Django reads a list)
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        v = sub.add_parser("verify-draw", help="用公开的抽取结果导出文件重新运行抽取算法，核对结果是否一致")
        v.add_argument("file", help="抽取结果导出文件（JSON，从抽查计划公示页下载）")

    def handle(self, *args, **opts):
        getattr(self, "do_" + opts["sub"].replace("-", "_"))(opts)

    def do_verify_draw(self, opts):
        path = Path(opts["file"])
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{path}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"不是 JSON 文件：{path}（{exc}）") from None
        try:
            diffs = draw_rules.verify_export(data)
        except draw_rules.DrawRefused as exc:
            diffs = [exc.message]
        plan = data.get("plan", {}) if isinstance(data, dict) else {}
        drawn = data.get("draw", {}) if isinstance(data, dict) else {}
        self.stdout.write(f"抽查计划：{plan.get('number', '—')} {plan.get('name', '')}；第{drawn.get('seq', '?')}次抽取；"
                          f"算法 {data.get('algorithm') if isinstance(data, dict) else '—'}")
        if isinstance(data, dict):
            self.stdout.write(f"输入摘要：{data.get('inputs_digest')}；随机种子：{data.get('seed')}；"
                              f"抽取对象 {len(data.get('result') or [])} 个")
        if not diffs:
            self.stdout.write(self.style.SUCCESS("一致：按导出文件中的输入和随机种子重新抽取，结果完全相同"))
            return
        self.stdout.write(self.style.ERROR(f"不一致（{len(diffs)} 处）："))
        for d in diffs[:50]:
            self.stdout.write(f"  - {d}")
        if len(diffs) > 50:
            self.stdout.write(f"  …… 另有 {len(diffs) - 50} 处")
        self.stdout.flush()
        sys.exit(1)
