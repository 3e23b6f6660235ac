"""Excel in and out for the 资源目录 and the 信息系统普查, in the layout bureaus fill in: one sheet
「资源」 (a resource a row) and one sheet 「信息项」 (a field a row, keyed by 资源代码).

Import is all or nothing: every row is checked, errors name the sheet and row in Chinese, and
nothing is written unless every row is right. Exported cells go through
:func:`zhengwu.core.cell_safety.neutralise` (formula injection) and imported ones through
``unneutralise``, so an export imports back unchanged.
"""

from __future__ import annotations

import io
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook

from zhengwu.core.cell_safety import safe_row, unneutralise
from zhengwu.core.spreadsheets import SpreadsheetError, normalise_header, open_zip
from zhengwu.org.models import Department

from .models import DataResource, InfoSystem
from .models.catalogue import OpenType, ShareType
from .services import catalogue as cat
from .services import systems as sys_services

RESOURCE_SHEET, FIELD_SHEET, SYSTEM_SHEET = "资源", "信息项", "信息系统"
RESOURCE_COLUMNS = [("code", "资源代码"), ("name", "资源名称"), ("summary", "资源摘要"), ("provider", "提供方"),
                    ("source_system", "来源系统"), ("category", "资源分类"), ("share_type", "共享类型"),
                    ("share_condition", "共享条件"), ("no_share_basis", "不予共享依据"), ("open_type", "开放属性"),
                    ("update_cycle", "更新周期"), ("format", "资源格式"), ("registry", "对应基础库")]
FIELD_COLUMNS = [("code", "资源代码"), ("seq", "序号"), ("key", "字段标识"), ("name", "信息项名称"),
                 ("data_type", "数据类型"), ("length", "长度"), ("share_type", "共享类型"), ("personal", "个人信息")]
SYSTEM_COLUMNS = [("name", "系统名称"), ("department", "建设部门"), ("build_year", "建设年份"), ("funding", "资金来源"),
                  ("budget_wan", "投资金额（万元）"), ("deployment", "部署方式"), ("data_volume_gb", "数据量（GB）"),
                  ("connected", "已接入共享平台"), ("in_use", "在用"), ("note", "备注")]
SHARE_LABELS = dict(ShareType.choices)
OPEN_LABELS = dict(OpenType.choices)
REGISTRY_LABELS = {"": "", "person": "人口库", "legal": "法人库"}
MAX_ROWS = 5000


class ImportRowsError(Exception):
    """The file was refused; ``errors`` lists every problem (Chinese, with sheet and row)."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors[:5]))
        self.errors = errors


def _reverse(labels: dict, value) -> str:
    text = str(value if value is not None else "").strip()
    for code, label in labels.items():
        if text in (code, label):
            return code
    return text  # the rules name it as unknown


# -- export ----------------------------------------------------------------------------------------
def _workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_resources(resources) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = RESOURCE_SHEET
    ws.append([label for _k, label in RESOURCE_COLUMNS])
    fs = wb.create_sheet(FIELD_SHEET)
    fs.append([label for _k, label in FIELD_COLUMNS])
    for r in resources.select_related("provider", "source_system").prefetch_related("fields"):
        ws.append(safe_row([r.code, r.name, r.summary, r.provider.name,
                            r.source_system.name if r.source_system_id else "", r.category,
                            SHARE_LABELS.get(r.share_type, r.share_type), r.share_condition, r.no_share_basis,
                            OPEN_LABELS.get(r.open_type, r.open_type), r.update_cycle, r.format,
                            REGISTRY_LABELS.get(r.registry, r.registry)]))
        for f in r.fields.all():
            fs.append(safe_row([r.code, f.seq, f.key, f.name, f.data_type, f.length,
                                SHARE_LABELS.get(f.share_type, ""), "是" if f.personal else "否"]))
    return _workbook_bytes(wb)


def export_systems(systems) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SYSTEM_SHEET
    ws.append([label for _k, label in SYSTEM_COLUMNS])
    deployments = dict(InfoSystem.Deployment.choices)
    for s in systems.select_related("department"):
        ws.append(safe_row([s.name, s.department.name, s.build_year, s.funding,
                            float(s.budget_wan) if s.budget_wan is not None else None,
                            deployments.get(s.deployment), float(s.data_volume_gb) if s.data_volume_gb is not None
                            else None, "是" if s.connected else "否", "是" if s.in_use else "否", s.note]))
    return _workbook_bytes(wb)


def export_table(title: str, header: list[str], rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for row in rows:
        ws.append(safe_row(row))
    return _workbook_bytes(wb)


# -- import ----------------------------------------------------------------------------------------
def _sheet_rows(wb, title: str, columns, *, required: bool = True) -> list[tuple[int, dict]]:
    """(row number, {key: value}) of a sheet, by its Chinese headers."""
    if title not in wb.sheetnames:
        if required:
            raise ImportRowsError([f"缺少工作表「{title}」"])
        return []
    rows = wb[title].iter_rows(values_only=True)
    header = [normalise_header(h) for h in next(rows, ())]
    index = {}
    for key, label in columns:
        if normalise_header(label) in header:
            index[key] = header.index(normalise_header(label))
    missing = [label for key, label in columns[:2] if key not in index]
    if missing:
        raise ImportRowsError([f"工作表「{title}」缺少列：{'、'.join(missing)}"])
    result = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise ImportRowsError([f"工作表「{title}」超过{MAX_ROWS}行，请拆分后分批导入"])
        if not values or all(v in (None, "") for v in values):
            continue
        result.append((number, {k: unneutralise(values[i]) if i < len(values) else None for k, i in index.items()}))
    return result


def _open(data: bytes, file_name: str):
    try:
        open_zip(data, file_name)  # size, entry count and compression ratio limits
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SpreadsheetError as exc:
        raise ImportRowsError([str(exc)]) from None
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file, not our error
        raise ImportRowsError([f"无法读取文件{file_name or ''}：请上传 .xlsx 格式的 Excel 文件"]) from None


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _departments() -> dict[str, Department]:
    found = {}
    for d in Department.objects.all():
        found.setdefault(d.name, d)
        if d.short_name:
            found.setdefault(d.short_name, d)
    return found


def import_resources(actor, data: bytes, file_name: str = "") -> dict:
    """Create or update the resources of a workbook; {"created": n, "updated": n} or
    :class:`ImportRowsError`. Published resources updated here become drafts to review."""
    wb = _open(data, file_name)
    res_rows = _sheet_rows(wb, RESOURCE_SHEET, RESOURCE_COLUMNS)
    field_rows = _sheet_rows(wb, FIELD_SHEET, FIELD_COLUMNS, required=False)
    errors: list[str] = []
    fields_by_code: dict[str, list[dict]] = defaultdict(list)
    codes = set()
    for number, row in res_rows:
        code = str(row.get("code") or "").strip()
        if code in codes:
            errors.append(f"「{RESOURCE_SHEET}」第{number}行：资源代码“{code}”重复")
        codes.add(code)
    for number, row in field_rows:
        code = str(row.get("code") or "").strip()
        if code not in codes:
            errors.append(f"「{FIELD_SHEET}」第{number}行：资源代码“{code}”不在「{RESOURCE_SHEET}」中")
            continue
        row["share_type"] = _reverse(SHARE_LABELS, row.get("share_type"))
        row["personal"] = str(row.get("personal") or "").strip() in ("是", "1", "true", "True")
        row["_row"] = number
        fields_by_code[code].append(row)
    depts = _departments()
    systems = {(s.department_id, s.name): s for s in InfoSystem.objects.all()}
    created = updated = 0
    with transaction.atomic():
        for number, row in res_rows:
            where = f"「{RESOURCE_SHEET}」第{number}行"
            code = str(row.get("code") or "").strip()
            dept = depts.get(str(row.get("provider") or "").strip())
            if dept is None:
                errors.append(f"{where}：提供方“{row.get('provider') or ''}”不是已登记的部门")
                continue
            system_name = str(row.get("source_system") or "").strip()
            system = systems.get((dept.pk, system_name)) if system_name else None
            if system_name and system is None:
                errors.append(f"{where}：来源系统“{system_name}”未在“{dept.name}”的信息系统中登记")
                continue
            values = {**row, "code": code, "provider": dept, "source_system": system,
                      "share_type": _reverse(SHARE_LABELS, row.get("share_type")),
                      "open_type": _reverse(OPEN_LABELS, row.get("open_type")),
                      "registry": _reverse(REGISTRY_LABELS, row.get("registry"))}
            items = sorted(fields_by_code.get(code, []), key=lambda f: (int(f.get("seq") or 0)
                                                                          if str(f.get("seq") or "").isdigit() else 0))
            existing = DataResource.objects.filter(code=code).first() if code else None
            try:
                with transaction.atomic():
                    if existing is None:
                        cat.create_resource(actor, values, items)
                        created += 1
                    else:
                        cat.update_resource(actor, existing.pk, existing.lock_version, values, items)
                        updated += 1
            except ValidationError as exc:
                errors.extend(f"{where}（{code}）：{m}" for m in _messages(exc))
            except PermissionDenied as exc:
                errors.append(f"{where}：{exc}")
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRowsError(errors)
    return {"created": created, "updated": updated}


def import_systems(actor, data: bytes, file_name: str = "") -> dict:
    """信息系统普查表: create or update (by 建设部门 + 系统名称) every row, or nothing."""
    wb = _open(data, file_name)
    sheet = SYSTEM_SHEET if SYSTEM_SHEET in wb.sheetnames else wb.sheetnames[0]
    rows = _sheet_rows(wb, sheet, SYSTEM_COLUMNS)
    depts = _departments()
    errors: list[str] = []
    created = updated = 0
    seen = set()
    with transaction.atomic():
        for number, row in rows:
            where = f"第{number}行"
            dept = depts.get(str(row.get("department") or "").strip())
            if dept is None:
                errors.append(f"{where}：建设部门“{row.get('department') or ''}”不是已登记的部门")
                continue
            name = str(row.get("name") or "").strip()
            if (dept.pk, name) in seen:
                errors.append(f"{where}：“{dept.name}”的“{name}”在表中重复")
                continue
            seen.add((dept.pk, name))
            existing = InfoSystem.objects.filter(department=dept, name=name).first()
            try:
                with transaction.atomic():
                    sys_services.save_system(actor, {**row, "department": dept.pk},
                                             pk=existing.pk if existing else None,
                                             lock_version=existing.lock_version if existing else None)
                if existing:
                    updated += 1
                else:
                    created += 1
            except ValidationError as exc:
                errors.extend(f"{where}：{m}" for m in _messages(exc))
            except PermissionDenied as exc:
                errors.append(f"{where}：{exc}")
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRowsError(errors)
    return {"created": created, "updated": updated}
