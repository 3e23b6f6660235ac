"""Bench data for 电子证照 (registered in :data:`zhengwu_bench.generate.DOMAINS`): ``ctx.size.licences``
licences (1,000,000 at city size) and their 发证 events, written in bulk.

- a handful of licence types (食品经营许可证, 营业执照, 特种设备作业人员证, …), issued by the demo
  district's departments that carry a 统一社会信用代码 (the identifier's issuer part);
- ~75 % held by the generated applicants (same 身份证号 as :func:`.people.applicant_id_number`, so
  that a bench citizen's 我的证照 has licences; the encrypted ID and its blind index made as the
  applicants' are, one ciphertext per holder), the rest by synthetic enterprises (valid USCCs);
- valid GB/T 36904 identifiers (check character computed), statuses: ~90 % 有效, ~2 % still
  marked 有效 past their 有效期至 (the effective status says 已过期), 3 % 已过期, 2 % 已注销,
  1 % 已吊销, ~2 % 已变更 (each followed by its version 2, which points at it).

Deterministic for a seed (``ctx.rnd("licences")``), except ciphertexts (fresh nonces).
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import transaction

from .bulk import Table, analyze, next_id, reset_sequences, ts
from .context import DEMO_DISTRICT, Context
from .people import applicant_id_number

TYPES = [  # name, holder kind, validity years (None: 长期), share, face fields
    ("食品经营许可证", "legal", 5, 25, ["经营者名称", "经营场所", "经营项目"]),
    ("营业执照", "legal", None, 20, ["名称", "类型", "住所", "经营范围"]),
    ("特种设备作业人员证", "person", 4, 15, ["姓名", "作业项目"]),
    ("建造师注册证书", "person", 3, 10, ["姓名", "专业"]),
    ("医师执业证书", "person", None, 10, ["姓名", "执业类别", "执业范围"]),
    ("残疾人证", "person", 10, 10, ["姓名", "残疾类别"]),
    ("出生医学证明", "person", None, 10, ["新生儿姓名", "出生日期"]),
]
PROJECTS = ["热食类食品制售", "预包装食品销售", "冷食类食品制售", "电梯安装维修", "叉车司机", "建筑工程",
            "市政公用工程", "内科专业", "外科专业", "肢体残疾", "视力残疾"]
FIRMS = ["餐饮管理有限公司", "商贸有限公司", "科技有限公司", "食品店", "建筑工程有限公司", "物业服务有限公司"]


def _face(rnd, fields: list[str], holder: str, day: dt.date) -> str:
    out = {}
    for k in fields:
        if k in ("姓名", "新生儿姓名", "经营者名称", "名称"):
            out[k] = holder
        elif k == "出生日期":
            out[k] = day.isoformat()
        else:
            out[k] = rnd.choice(PROJECTS)
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _statuses(rnd):
    x = rnd.random()
    if x < 0.90:
        return "valid"
    if x < 0.92:
        return "valid_past"
    if x < 0.95:
        return "expired"
    if x < 0.97:
        return "cancelled"
    if x < 0.98:
        return "revoked"
    return "change"


def _extra_columns(model, given: list[str]) -> tuple[list[str], tuple]:
    """Columns added to the model after this generator was written: their plain default."""
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.attname in given or f.primary_key:
            continue
        default = f.get_default()
        if callable(default) or not isinstance(default, (str, int, bool, type(None))):
            raise ValueError(f"{model.__name__}.{f.attname}: no plain default for the bench licences")
        names.append(f.attname)
        values.append(default)
    return names, tuple(values)


def generate(ctx: Context) -> int:
    from zhengwu.accounts.models import Applicant
    from zhengwu.core import pii
    from zhengwu.core.identifiers import license_check_char, make_uscc
    from zhengwu.licenses.models import Licence, LicenceEvent, LicenceType
    from zhengwu.org.models import Department

    n = getattr(ctx.size, "licences", 0)
    if not n:
        return 0
    rnd = ctx.rnd("licences")
    today = ctx.today
    issuers = list(Department.objects.filter(region__code=DEMO_DISTRICT, uscc__isnull=False)
                   .order_by("pk").values_list("pk", "uscc"))
    if not issuers:
        raise RuntimeError("演示辖区没有带统一社会信用代码的部门：请先运行 zhengwu demo")
    types = []
    for k, (name, kind, years, share, fields) in enumerate(TYPES):
        dept_pk, dept_uscc = issuers[k % len(issuers)]
        lt, _ = LicenceType.objects.get_or_create(
            name=f"{name}（基准）", defaults={
                "code": f"{dept_uscc}{900 + k:03d}", "holder_kind": kind, "validity_years": years,
                "fields_schema": [{"key": f, "label": f, "type": "string", "required": True} for f in fields]})
        lt.departments.add(dept_pk)
        types.append((lt.pk, lt.code, kind, years, share, fields, (dept_pk, dept_uscc)))
    weights = [t[4] for t in types]

    # Person holders: the generated applicants (name by blind index), one ciphertext per holder.
    names = dict(Applicant.objects.filter(kind="person").values_list("id_number_index", "name"))
    persons = []
    for i in range(ctx.size.applicants):
        number = applicant_id_number(i)
        index = pii.blind_index("id_number", number)
        if index in names:
            persons.append((names[index], pii.encrypt(number), index))
    if not persons:
        persons = [("张三", pii.encrypt(applicant_id_number(0)), pii.blind_index("id_number", applicant_id_number(0)))]
    firms = [(f"郑州{rnd.choice('金华恒信达盛和泰隆兴')}{rnd.choice('源鑫通瑞丰祥安')}{rnd.choice(FIRMS)}",
              make_uscc("9", "1", "410105", f"MB{k:06d}")) for k in range(max(50, n // 20))]

    lic_cols = ["id", "identifier", "number", "type_id", "serial", "version", "previous_id", "holder_kind",
                "holder_name", "holder_id_number", "holder_id_number_index", "holder_uscc", "issuer_id", "case_id",
                "data", "issued_on", "valid_from", "valid_until", "status", "status_reason", "status_changed_at",
                "pdf_file", "pdf_sha256", "signature_algorithm", "signature", "signer_certificate", "lock_version",
                "created_at"]
    extra_names, extra_values = _extra_columns(Licence, lic_cols)
    ev_cols = ["id", "licence_id", "kind", "actor_id", "actor_name", "reason", "case_id", "at"]
    ev_extra_names, ev_extra_values = _extra_columns(LicenceEvent, ev_cols)
    pk, epk = next_id(Licence), next_id(LicenceEvent)
    reasons = {"cancelled": "持证人申请注销", "revoked": "违法经营被依法吊销", "superseded": "登记事项变更"}

    def rows():
        nonlocal pk, epk
        made = 0
        while made < n:
            ltype = rnd.choices(types, weights)[0]
            type_pk, type_code, kind, years, _share, fields, (issuer_pk, issuer_uscc) = ltype
            if kind == "person":
                holder, enc, index = persons[rnd.randrange(len(persons))]
                uscc = ""
            else:
                holder, uscc = firms[rnd.randrange(len(firms))]
                enc, index = "", ""
            state = _statuses(rnd)
            issued = today - dt.timedelta(days=rnd.randrange(1, 3 * 365))
            until = None if years is None else issued + dt.timedelta(days=365 * years - 1)
            status = {"valid_past": "valid", "change": "superseded"}.get(state, state)
            if state in ("expired", "valid_past") or (status == "valid" and until is not None and until < today):
                until = today - dt.timedelta(days=rnd.randrange(1, 200))
                issued = min(issued, until - dt.timedelta(days=30))
                status = "valid" if state == "valid_past" else "expired"
            serial = f"B{made:09d}"
            versions = 2 if state == "change" else 1
            previous = None
            for version in range(1, versions + 1):
                ver = f"{version:03d}"
                ident = f"1.2.156.3005.2.{type_code}.{issuer_uscc}.{serial}.{ver}." \
                        f"{license_check_char(type_code, issuer_uscc, serial, ver)}"
                st = status if version == versions else "superseded"
                if versions == 2 and version == 2:
                    st = "valid"
                day = issued + dt.timedelta(days=(version - 1) * 30)
                changed = ts(ctx.now - dt.timedelta(days=rnd.randrange(1, 30))) if st != "valid" else None
                created = ts(dt.datetime.combine(day, dt.time(9, 30), tzinfo=ctx.now.tzinfo))
                yield ("L", (pk, ident, f"ZW{type_pk:02d}{made:09d}{version}", type_pk, serial, version, previous, kind,
                             holder, enc, index, uscc, issuer_pk, None, pii.encrypt(_face(rnd, fields, holder, day)),
                             day, day, until, st, reasons.get(st, ""), changed, "", "", "", "", "", 0, created)
                       + extra_values)
                yield ("E", (epk, pk, "issue" if version == 1 else "change", None, "基准数据", "", None, created)
                       + ev_extra_values)
                epk += 1
                if st in ("cancelled", "revoked", "expired"):
                    kind_ev = {"cancelled": "cancel", "revoked": "revoke", "expired": "expire"}[st]
                    yield ("E", (epk, pk, kind_ev, None, "基准数据", reasons.get(st, ""), None, changed or created)
                           + ev_extra_values)
                    epk += 1
                previous = pk
                pk += 1
                made += 1

    lic_table = Table(Licence, lic_cols + extra_names)
    ev_table = Table(LicenceEvent, ev_cols + ev_extra_names)
    with transaction.atomic():
        # Licences first (the events refer to them), in chunks so that memory stays bounded.
        pending_events: list[tuple] = []
        chunk: list[tuple] = []
        for what, row in rows():
            if what == "L":
                chunk.append(row)
                if len(chunk) >= 50_000:
                    lic_table.write(chunk)
                    chunk.clear()
                    ev_table.write(pending_events)
                    pending_events.clear()
            else:
                pending_events.append(row)
        lic_table.write(chunk)
        ev_table.write(pending_events)
    reset_sequences(Licence, LicenceEvent)
    analyze(Licence, LicenceEvent)
    return lic_table.count
