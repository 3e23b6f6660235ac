"""检查对象名录库: search, create/edit, the Excel/CSV import with its quality report, the sync
from the 法人库 (datashare.LegalEntityRecord, 存续 only, in chunks), an object's past tasks.

The register is shared by the departments: staff (部门管理员, 审批人员) write the objects of the
regions their grants cover; bureau-wide roles read everything.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from zhengwu.core import audit
from zhengwu.core.identifiers import uscc_problem
from zhengwu.org.permissions import grants, has_role, is_sysadmin

from .. import registers_rules as rules
from ..models import InspectedObject, InspectionTask
from .registers import VIEW_ROLES, WRITE_ROLES, read_table

SYNC_CHUNK = 2000
FIELDS = ("name", "category", "industry", "region_code", "address", "risk_level")


def write_prefixes(user) -> tuple[str, ...] | None:
    """The region prefixes the user may write objects in (None: anywhere)."""
    if user is None or is_sysadmin(user):
        return None
    return tuple(sorted({g.region_prefix for g in grants(user) if g.role in WRITE_ROLES}))


def view_prefixes(user) -> tuple[str, ...] | None:
    if user is None or is_sysadmin(user):
        return None
    return tuple(sorted({g.region_prefix for g in grants(user) if g.role in VIEW_ROLES}))


def in_prefixes(prefixes, code: str) -> bool:
    return prefixes is None or any(code.startswith(p) for p in prefixes)


def objects_for(user):
    qs = InspectedObject.objects.all()
    prefixes = view_prefixes(user)
    if prefixes is None:
        return qs
    cond = Q(pk__in=[])
    for p in prefixes:
        cond |= Q(region_code__startswith=p)
    return qs.filter(cond)


def search(user, filters, size: int = 50) -> tuple[list[InspectedObject], str]:
    """One page (keyset on pk, ``after``) of objects matching name (contains), 信用代码 (exact),
    region (prefix), category, industry, risk; in the user's regions."""
    qs = objects_for(user)
    q = str(filters.get("q") or "").strip()
    if q:
        code = q.upper().replace(" ", "")
        qs = qs.filter(uscc=code) if len(code) == 18 and code.isalnum() else qs.filter(name__contains=q)
    region = str(filters.get("region") or "").strip()
    if rules.is_digits(region):
        qs = qs.filter(region_code__startswith=region)
    for key, fld in (("category", "category"), ("industry", "industry")):
        value = str(filters.get(key) or "").strip()
        if value:
            qs = qs.filter(**{fld: value})
    if filters.get("risk") in rules.RISK_LEVELS:
        qs = qs.filter(risk_level=filters["risk"])
    if filters.get("inactive") != "1":
        qs = qs.filter(is_active=True)
    after = str(filters.get("after") or "")
    if rules.is_id(after):
        qs = qs.filter(pk__gt=int(after))
    rows = list(qs.order_by("pk")[: size + 1])
    nxt = str(rows[size - 1].pk) if len(rows) > size else ""
    return rows[:size], nxt


def _values(user, data: dict, exclude: int | None) -> dict:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = ["名称不能为空"]
    elif len(name) > 200:
        errors["name"] = ["名称最多200个字"]
    code = str(data.get("uscc") or "").strip().upper().replace(" ", "") or None
    if code:
        problem = uscc_problem(code)
        if problem:
            errors["uscc"] = [f"统一社会信用代码不正确：{problem}"]
        elif InspectedObject.objects.filter(uscc=code).exclude(pk=exclude).exists():
            errors["uscc"] = ["该统一社会信用代码已在名录库中"]
    region = str(data.get("region_code") or "").strip()
    if not (rules.is_digits(region) and len(region) in (6, 9, 12)):
        errors["region_code"] = ["所在区划应为6、9或12位数字区划代码"]
    else:
        region = region.ljust(12, "0")
        if not in_prefixes(write_prefixes(user), region):
            errors["region_code"] = ["所在区划不在您的管理范围内"]
    risk = str(data.get("risk_level") or "B")
    if risk not in rules.RISK_LEVELS:
        errors["risk_level"] = ["风险等级应为 A、B、C、D 之一"]
    category = str(data.get("category") or "").strip() or "企业"
    if len(category) > 60:
        errors["category"] = ["对象类别最多60个字"]
    industry = str(data.get("industry") or "").strip()
    if len(industry) > 100:
        errors["industry"] = ["行业最多100个字"]
    address = str(data.get("address") or "").strip()
    if len(address) > 300:
        errors["address"] = ["地址最多300个字"]
    if errors:
        raise ValidationError(errors)
    return {"uscc": code, "name": name, "category": category, "industry": industry, "region_code": region,
            "address": address, "risk_level": risk, "is_active": bool(data.get("is_active", True))}


def _require(user) -> None:
    if user is not None and not has_role(user, *WRITE_ROLES):
        raise PermissionDenied("仅部门管理员、审批人员可以维护检查对象名录库")


def _snapshot(o: InspectedObject) -> dict:
    return {f: getattr(o, f) for f in ("uscc", *FIELDS, "is_active")}


@transaction.atomic
def create_object(user, data: dict) -> InspectedObject:
    _require(user)
    values = _values(user, data, None)
    try:
        with transaction.atomic():
            obj = InspectedObject.objects.create(source="manual", **values)
    except IntegrityError:  # the same 信用代码 saved a moment ago (a double click)
        raise ValidationError({"uscc": ["该统一社会信用代码已在名录库中"]}) from None
    audit.record("inspections.object_create", actor=user, obj=obj, after=_snapshot(obj))
    return obj


@transaction.atomic
def update_object(user, pk: int, updated_at: str, data: dict) -> InspectedObject:
    """``updated_at`` is the row's timestamp the editor saw (the model has no version field): a
    different one means someone saved in between — refused, nothing lost."""
    _require(user)
    obj = InspectedObject.objects.select_for_update().get(pk=pk)
    if not in_prefixes(write_prefixes(user), obj.region_code):
        raise PermissionDenied("该检查对象不在您的管理范围内")
    if str(updated_at or "") != obj.updated_at.isoformat():
        raise ValidationError("该记录已被他人修改，请刷新后重试", code="stale")
    before = _snapshot(obj)
    for k, v in _values(user, data, obj.pk).items():
        setattr(obj, k, v)
    obj.save()
    audit.record("inspections.object_update", actor=user, obj=obj, before=before, after=_snapshot(obj))
    return obj


def read_object_rows(upload) -> list[dict]:
    """The rows of an 检查对象 file (see ``read_table``); ValidationError for an unreadable file, a
    header without the required columns or more than MAX_IMPORT_ROWS rows."""
    header, *rows = read_table(upload)
    problem = rules.header_problem(header["__header__"], rules.OBJECT_COLUMNS, rules.OBJECT_REQUIRED)
    if problem:
        raise ValidationError({"file": [problem]})
    if len(rows) > rules.MAX_IMPORT_ROWS:
        raise ValidationError({"file": [f"一次最多导入{rules.MAX_IMPORT_ROWS}行"]})
    return rows


def write_rows(good: list[rules.ObjectRow]) -> tuple[int, int]:
    """Add the checked rows, or update the objects whose 信用代码 is known; (added, updated). Runs
    in the caller's transaction (the rows of one file have distinct 信用代码, so a file may be
    written in chunks)."""
    codes = [r.uscc for r in good if r.uscc]
    existing = {o.uscc: o for o in InspectedObject.objects.select_for_update().filter(uscc__in=codes)}
    new, changed = [], []
    for r in good:
        values = {f: getattr(r, f) for f in FIELDS}
        o = existing.get(r.uscc) if r.uscc else None
        if o is None:
            new.append(InspectedObject(uscc=r.uscc, source="import", **values))
        else:
            for k, v in values.items():
                setattr(o, k, v)
            changed.append(o)
    InspectedObject.objects.bulk_create(new, batch_size=1000)
    InspectedObject.objects.bulk_update(changed, list(FIELDS), batch_size=1000)
    return len(new), len(changed)


def import_objects(user, upload) -> rules.QualityReport:
    """检查对象 import while the page waits (small files; bigger ones run in the background,
    ``registers_jobs``): good rows are added (or, for a known 信用代码, updated); bad 信用代码,
    duplicates within the file and other bad rows are left out and listed in the report."""
    _require(user)
    rows = read_object_rows(upload)
    report = rules.check_object_rows(rows, write_prefixes(user))
    with transaction.atomic():
        report.added, report.updated = write_rows(report.good)
        audit.record("inspections.object_import", actor=user, object_type="inspections.inspectedobject",
                     after={"file": getattr(upload, "name", ""), "added": report.added, "updated": report.updated,
                            "rejected": report.rejected})
    return report


def sync_prefixes(user, region_prefix: str = "") -> tuple[str, ...] | None:
    """The region prefixes a 法人库 sync by ``user`` covers (None: everywhere): their own, or the
    ``region_prefix`` they asked for when it lies inside them."""
    _require(user)
    prefixes = write_prefixes(user)
    if region_prefix:
        if not rules.is_digits(region_prefix) or len(region_prefix) > 12 or not in_prefixes(prefixes, region_prefix):
            raise PermissionDenied("该区划不在您的管理范围内")
        prefixes = (region_prefix,)
    return prefixes


def registry_records(prefixes: tuple[str, ...] | None):
    """The 法人库 records a sync over ``prefixes`` reads."""
    from zhengwu.datashare.models import LegalEntityRecord

    base = LegalEntityRecord.objects.exclude(region_code="")
    if prefixes is not None:
        cond = Q(pk__in=[])
        for p in prefixes:
            cond |= Q(region_code__startswith=p)
        base = base.filter(cond)
    return base


def sync_scope(prefixes: tuple[str, ...] | None, chunk: int = SYNC_CHUNK, on_chunk=None) -> dict:
    """同步法人库 over ``prefixes``: LegalEntityRecord rows (登记状态 存续) become or refresh
    InspectedObjects (source 法人库); objects from the 法人库 no longer 存续 leave the register
    (is_active False). One transaction per chunk of ``chunk`` records, keyset by pk, so a city's
    registry never sits in memory or in one long transaction. ``on_chunk(read, added, updated,
    closed)`` runs inside each chunk's transaction (a job's progress commits with the chunk)."""
    base = registry_records(prefixes)
    last, added, updated, closed = 0, 0, 0, 0
    while True:
        batch = list(base.filter(pk__gt=last).order_by("pk")
                     .only("pk", "uscc", "name", "kind", "address", "region_code", "status")[:chunk])
        if not batch:
            break
        last = batch[-1].pk
        with transaction.atomic():
            known = {o.uscc: o for o in InspectedObject.objects.select_for_update()
                     .filter(uscc__in=[r.uscc for r in batch])}
            new, changed, gone = [], [], 0
            for r in batch:
                alive = rules.registry_status_active(r.status)
                o = known.get(r.uscc)
                if o is None:
                    if alive and not uscc_problem(r.uscc):
                        new.append(InspectedObject(uscc=r.uscc, name=r.name[:200], category="企业",
                                                   industry="", region_code=r.region_code.ljust(12, "0")[:12],
                                                   address=r.address[:300], source="registry"))
                    continue
                o.name, o.address, o.region_code = r.name[:200], r.address[:300], r.region_code.ljust(12, "0")[:12]
                if not alive and o.is_active:
                    o.is_active = False
                    gone += 1
                changed.append(o)
            InspectedObject.objects.bulk_create(new, batch_size=1000)
            InspectedObject.objects.bulk_update(changed, ["name", "address", "region_code", "is_active"],
                                                batch_size=1000)
            if on_chunk is not None:
                on_chunk(len(batch), len(new), len(changed), gone)
        added, updated, closed = added + len(new), updated + len(changed), closed + gone
    return {"added": added, "updated": updated, "closed": closed}


def sync_from_registry(user, region_prefix: str = "", chunk: int = SYNC_CHUNK) -> dict:
    """同步法人库 for ``user`` while the caller waits (the pages start it as a background job,
    ``registers_jobs.start_sync``); PermissionDenied for a region outside theirs."""
    result = sync_scope(sync_prefixes(user, region_prefix), chunk)
    with transaction.atomic():
        audit.record("inspections.object_sync_registry", actor=user, object_type="inspections.inspectedobject",
                     after={**result, "region_prefix": region_prefix})
    return result


def history(obj: InspectedObject):
    """The object's past tasks, newest first (every draw, current or replaced)."""
    return (InspectionTask.objects.filter(inspected=obj)
            .select_related("plan", "plan__department", "draw").prefetch_related("inspectors")
            .order_by("-draw__drawn_at", "-pk")[:100])
