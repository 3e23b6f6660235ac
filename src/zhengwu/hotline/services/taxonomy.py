"""The complaint taxonomy (诉求分类): import from a spreadsheet, all or nothing."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhengwu.core import audit
from zhengwu.org.models import Department
from zhengwu.org.permissions import is_sysadmin

from ..models import KEYWORDS_MAX, Category
from ..rules import normalise_keywords
from .base import is_centre


# -- taxonomy import ------------------------------------------------------------------------------------
LEVEL_COLUMNS = ("一级分类", "二级分类", "三级分类")


def import_categories(user, data: bytes, file_name: str, *, dry_run: bool = False) -> dict:
    """Import the taxonomy from .xlsx/.csv with 一级分类/二级分类/三级分类 (+ 承办单位, 办理时限, 关键词).

    All or nothing: any bad row and nothing is written; the report lists every problem as
    ``{"row", "column", "message"}``. Existing categories (same path) are updated.
    """
    from .. import tables

    if user is not None and not (is_centre(user) or is_sysadmin(user)):
        raise PermissionDenied("仅派单中心或系统管理员可以导入诉求分类")
    try:
        index, rows = tables.read(data, file_name, LEVEL_COLUMNS)
    except tables.TableError as exc:
        return {"ok": False, "errors": [{"row": 0, "column": "", "message": exc.message}], "created": 0, "updated": 0,
                "leaves": 0}
    depts: dict[str, Department] = {}
    for d in Department.objects.filter(is_active=True).select_related("region").order_by("region__code", "pk"):
        depts.setdefault(d.name, d)
        if d.short_name:
            depts.setdefault(d.short_name, d)
    errors, leaves, seen = [], [], {}
    for number, cells in rows:
        names = [tables.cell(cells, index, c) for c in LEVEL_COLUMNS]
        dept_name = tables.cell(cells, index, "承办单位")
        days_text = tables.cell(cells, index, "办理时限")
        keywords = normalise_keywords(tables.cell(cells, index, "关键词"))
        if not any(names) and not dept_name and not days_text:
            continue
        row_errors = []
        for i, (col, n) in enumerate(zip(LEVEL_COLUMNS, names)):
            if not n:
                row_errors.append({"row": number, "column": col, "message": f"{col}不能为空"})
            elif len(n) > 60:
                row_errors.append({"row": number, "column": col, "message": f"{col}不能超过60个字"})
            elif "/" in n:
                row_errors.append({"row": number, "column": col, "message": f"{col}不能含“/”"})
        dept = None
        if dept_name:
            dept = depts.get(dept_name)
            if dept is None:
                row_errors.append({"row": number, "column": "承办单位",
                                   "message": f"承办单位“{dept_name}”不存在：请填写系统中的部门名称或简称"})
        days = None
        if days_text:
            m = re.fullmatch(r"(\d+)\s*(个工作日|工作日|天)?", days_text)
            if not m or not 1 <= int(m.group(1)) <= 60:
                row_errors.append({"row": number, "column": "办理时限", "message": "办理时限应为 1～60 的工作日数，例如 5"})
            else:
                days = int(m.group(1))
        if len(keywords) > KEYWORDS_MAX:
            row_errors.append({"row": number, "column": "关键词", "message": f"关键词不能超过{KEYWORDS_MAX}个字（含分隔的空格）"})
        path = "/".join(names)
        if not row_errors and path in seen:
            row_errors.append({"row": number, "column": "三级分类", "message": f"与第{seen[path]}行重复：{path}"})
        errors += row_errors
        if not row_errors:
            seen[path] = number
            leaves.append((names, dept, days, keywords))
    if not leaves and not errors:
        errors.append({"row": 0, "column": "", "message": "文件中没有分类数据"})
    report = {"ok": not errors, "errors": errors, "created": 0, "updated": 0, "leaves": len(leaves)}
    if errors or dry_run:
        return report
    with transaction.atomic():
        existing = {c.path: c for c in Category.objects.select_for_update()}
        codes = {c.code for c in existing.values()}

        def next_code(parent_code: str) -> str:
            k = 1
            while f"{parent_code}{k:02d}" in codes:
                k += 1
            codes.add(f"{parent_code}{k:02d}")
            return f"{parent_code}{k:02d}"

        for names, dept, days, keywords in leaves:
            parent = None
            for level in (1, 2, 3):
                path = "/".join(names[:level])
                node = existing.get(path)
                leaf = level == 3
                if node is None:
                    node = Category(parent=parent, name=names[level - 1], level=level, path=path,
                                    code=next_code(parent.code if parent else ""))
                    if leaf:
                        node.department, node.days, node.keywords = dept, days, keywords
                    node.save()
                    existing[path] = node
                    report["created"] += 1
                elif leaf and (node.department_id != (dept.pk if dept else None) or node.days != days
                               or not node.is_active or (keywords and node.keywords != keywords)):
                    node.department, node.days, node.is_active = dept, days, True
                    node.keywords = keywords or node.keywords
                    node.save(update_fields=["department", "days", "is_active", "keywords"])
                    report["updated"] += 1
                parent = node
        audit.record("hotline.taxonomy.import", actor=user, object_type="hotline.category", object_id="",
                     after={"file": file_name[:100], "created": report["created"], "updated": report["updated"],
                            "leaves": len(leaves)})
    from .. import classifier

    classifier.invalidate()
    return report


# -- one leaf's keywords ---------------------------------------------------------------------------------
@transaction.atomic
def set_keywords(user, category_id: int, expected: str, keywords: str) -> Category:
    """Replace a leaf's 关键词 (派单中心 or 系统管理员). ``expected`` is the text the editor saw:
    when someone else changed it meanwhile nothing is written (no lost update)."""
    if not (is_centre(user) or is_sysadmin(user)):
        raise PermissionDenied("仅派单中心或系统管理员可以修改诉求分类关键词")
    node = Category.objects.select_for_update().filter(pk=category_id).first()
    if node is None:
        raise ValidationError({"category": "诉求分类不存在"})
    if node.level != 3:
        raise ValidationError({"keywords": f"“{node.path}”不是三级分类：关键词只设在三级分类上"})
    words = normalise_keywords(keywords)
    if len(words) > KEYWORDS_MAX:
        raise ValidationError({"keywords": f"关键词不能超过{KEYWORDS_MAX}个字（含分隔的空格），现为 {len(words)} 个字"})
    if normalise_keywords(node.keywords) != normalise_keywords(expected):
        raise ValidationError({"keywords": f"“{node.path}”的关键词已被他人修改，请刷新页面后重新编辑"})
    if words == node.keywords:
        return node
    before = node.keywords
    node.keywords = words
    node.save(update_fields=["keywords"])
    audit.record("hotline.category.keywords", actor=user, obj=node, before={"keywords": before},
                 after={"keywords": words})
    from .. import classifier

    transaction.on_commit(classifier.invalidate)
    return node
