"""导出享受名单 (Excel): masked names and numbers by default; the full values only for the policy
department's 部门管理员, and each export is audited by the view."""

from __future__ import annotations

import io

from .listing import explanation_text, subjects
from .models import Entitlement, Policy

EXPORT_MAX = 200_000  # rows in one file; the file says so when the list is longer
CHUNK = 2000


def to_xlsx(policy: Policy, state: str = "", *, full: bool = False) -> tuple[bytes, int]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("享受名单")
    ws.append([f"{policy.name}（{policy.get_kind_display()}，{policy.get_mode_display()}）"
               + ("" if full else " — 姓名、证件号已脱敏")])
    ws.append(["序号", "名称/姓名", "证件号/统一社会信用代码", "区划", "状态", "资格说明", "产生时间", "确认/兑现时间"])
    labels = dict(Entitlement.State.choices)
    qs = Entitlement.objects.filter(policy=policy)
    if state in Entitlement.State.values:
        qs = qs.filter(state=state)
    n, after = 0, 0
    while n < EXPORT_MAX:
        rows = list(qs.filter(pk__gt=after).order_by("pk")[: min(CHUNK, EXPORT_MAX - n)])
        if not rows:
            break
        after = rows[-1].pk
        names = subjects(policy, rows, full=full)
        for r in rows:
            n += 1
            name, number, region = names.get(r.subject_pk, ("（基础库中已无此记录）", "", ""))
            ws.append([n, name, number, region, labels.get(r.state, r.state), explanation_text(r),
                       r.created_at.strftime("%Y-%m-%d %H:%M"),
                       r.decided_at.strftime("%Y-%m-%d %H:%M") if r.decided_at else ""])
    if n >= EXPORT_MAX and qs.filter(pk__gt=after).exists():
        ws.append([f"仅导出前 {EXPORT_MAX} 条，请按状态筛选后分批导出"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), n
