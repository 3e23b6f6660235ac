"""Demo catalogue of the demo district (河南省郑州市金水区): items, guides, materials, 一件事.

``load(stdout)`` is called by ``zhengwu demo`` after the org demo. It is idempotent: items are
keyed by (department, name), base items by code and bundles by (region, name); whatever exists
is left alone. Everything is written with ``bulk_create`` so the whole catalogue loads in a
few seconds. The data lives in :mod:`zhengwu.catalog.data.demo`; :func:`build_records` expands
the compact records into complete guides and checks them (codes, themes, limits, references).
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from zhengwu.core.identifiers import make_implementation_code, validate_base_code

from . import fee_rules
from .data import demo as data
from .data.demo.common import COMPLAINT, DEPT_HOURS, DEPT_LOCATIONS, HOURS, MATERIALS
from .data.demo.forms import FORMS
from .denorm import copy_headline
from .models import BaseItem, Bundle, BundleItem, ItemVersion, Material, ServiceItem
from .models.items import CHANNELS, LEGAL_THEMES, PERSON_THEMES
from .rules import check_bundle, check_guide

DISTRICT_CODE = "410105000000"
LEVEL_COUNTY = "4"
OBJECTS = {"P": "person", "L": "legal", "B": "both"}
RESULT_TYPES = {"证照", "批文", "其他"}

SPECIAL_DEFAULTS = {
    "现场核查": "对申请人的场所、设施设备等进行现场核查，核查时间计入承诺时限",
    "现场检查": "对申请人的场所、设施设备等进行现场检查",
    "现场审核": "对申请人的场所、设施设备和人员进行现场审核",
    "现场审查": "对申请人的场所和设施进行现场审查",
    "实地核查": "对申请人的场所进行实地核查",
    "专家评审": "组织专家进行技术评审，评审时间不计入办理时限",
    "专家评估": "组织专家或委托评估机构进行评估",
    "公示": "依法公示",
    "公告": "依法公告",
    "听证": "依法组织听证，听证时间不计入办理时限",
}


class DemoDataError(ValueError):
    """The demo data is inconsistent (a bad theme, code, limit or bundle reference)."""


@dataclass
class Record:
    dept: str
    code: str
    parent_code: str | None
    parent_name: str | None
    version: dict            # ItemVersion field values
    materials: list[dict] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.version["name"]


def _link_licence_types(version_ids: list[int]) -> None:
    """The demo data names licence types in text: link them to the registry's types (ADR 0035)."""
    from zhengwu.licenses.models import LicenceType
    from zhengwu.org.models import Department

    from zhengwu.licenses.demo import ensure_types

    from .licence_links import link_all

    ensure_types()
    link_all(Material, ItemVersion, LicenceType, Department, version_ids=version_ids)


# -- expansion ----------------------------------------------------------------------------------
def _parse_material(token: str, item_name: str) -> dict:
    if token == "表":
        base = re.sub(r"（[^）]*）", "", item_name)
        return {"name": f"{base}申请表", "necessity": "required", "form": "original", "copies": 1,
                "source": "applicant", "source_department": "", "license_type": "",
                "acceptance_standard": "按要求如实填写完整，申请人签字（单位加盖公章）；可在线填写或窗口领取", "note": ""}
    main, _, std = token.partition("!")
    main, _, src = main.partition("@")
    name, _, flags = main.partition("|")
    name = name.strip()
    if name in MATERIALS and MATERIALS[name] != token:
        out = _parse_material(MATERIALS[name], item_name)
    else:
        out = {"name": name, "necessity": "required", "form": "original", "copies": 1, "source": "applicant",
               "source_department": "", "license_type": "", "acceptance_standard": "", "note": ""}
    digits = "".join(c for c in flags if c.isdigit())
    if digits:
        out["copies"] = int(digits)
    for flag, key, value in (("?", "necessity", "optional"), ("~", "necessity", "tolerated"), ("c", "form", "copy"),
                             ("b", "form", "both"), ("e", "form", "electronic"), ("$", "source", "intermediary"),
                             ("*", "source", "other")):
        if flag in flags:
            out[key] = value
    if src:
        dept, _, lic = src.partition("/")
        out.update(source="government", source_department=dept.strip(), license_type=lic.strip())
    if std:
        out["acceptance_standard"] = std.strip()
    if not out["acceptance_standard"]:
        out["acceptance_standard"] = _default_standard(out)
    if out["necessity"] != "required" and std:
        out["note"] = std.strip()[:500]
    return out


def _default_standard(m: dict) -> str:
    if m["source"] == "government":
        return "由有权机关核发且在有效期内；可通过电子证照库或数据共享获取的免于提交"
    if m["source"] == "intermediary":
        return "由具备相应资质的机构出具，加盖机构公章，结论明确"
    if any(w in m["name"] for w in ("申请表", "申请书", "登记表", "审核表", "申报表", "备案表")):
        return "按要求如实填写完整，申请人签字（单位加盖公章）"
    if m["form"] in ("copy", "both"):
        return "复印件清晰完整、与原件一致；单位材料加盖公章，个人材料本人签字"
    return "内容真实、完整、清晰，签字（盖章）齐全"


def _steps(v: dict, item_type: str, result: str) -> list[dict]:
    online = v["online_depth"] >= 3
    apply = ("通过河南政务服务网、“豫事办”APP在线提交，或到窗口提交申请材料" if online else "到窗口提交申请材料")
    if v["case_type"] == "instant":
        return [{"name": "申请", "description": apply, "days": 0},
                {"name": "受理", "description": "窗口工作人员当场核验材料，符合条件的当场受理", "days": 0},
                {"name": "办结", "description": f"当场办结，出具{result}", "days": 0}]
    p = v["promised_days"]
    review, decide = (p - 1, 1) if p >= 2 else (p, 0)
    verb = {"05": ("审核", "审批", "按规定发放"), "20": ("办理", "办结", "告知办理结果")}.get(
        item_type, ("审查", "决定", "作出准予或不予的书面决定"))
    steps = [{"name": "申请", "description": apply, "days": 0},
             {"name": "受理", "description": "材料齐全、符合法定形式的当场受理；不齐全的一次性告知需要补正的全部内容", "days": 0},
             {"name": verb[0], "description": "对申请材料的实质内容进行审查核实", "days": review}]
    if decide:
        steps.append({"name": verb[1], "description": verb[2], "days": decide})
    steps.append({"name": "送达", "description": f"{result}可窗口领取，或选择免费邮寄送达", "days": 0})
    return steps


def _special(spec: str) -> dict:
    name, _, rest = spec.partition(":")
    days, _, desc = rest.partition(":")
    return {"name": name, "days": int(days or 0), "description": desc or SPECIAL_DEFAULTS.get(name, f"依法进行{name}")}


def _expand(dept: str, raw: dict) -> tuple[dict, list[dict]]:
    name = raw["name"]
    item_type, obj = raw["t"][:2], OBJECTS[raw["t"][2]]
    lim = raw["lim"]
    statutory, promised = (None, 0) if lim == 0 else lim
    case_type = "instant" if promised == 0 else "committed"
    depth = raw.get("d", 3)
    visits = raw.get("v", 0 if depth == 4 else 1)
    express = raw.get("express", False)
    channels = list(raw.get("ch") or (["window", "online"] if depth >= 3 else ["window"]))
    if express and "express" not in channels:
        channels.append("express")
    results = []
    for r in [raw["res"]] if isinstance(raw.get("res"), str) else raw.get("res", []):
        rname, _, rtype = r.partition("|")
        results.append({"name": rname, "type": rtype or "其他"})
    materials = [_parse_material(t, name) for t in raw["mats"]]
    for seq, m in enumerate(materials, 1):
        m["seq"] = seq
    # "10元/证" becomes the amount 10.00; other standards are rules the clerk prices per case.
    fees = [fee_rules.normalise_fee({"name": f[0], "standard": f[1], "basis": f[2]}) for f in raw.get("fee", [])]
    has_licence = any(r["type"] == "证照" for r in results)
    # 通俗名称 is the first phrase; further phrases citizens use go to the keywords.
    popular, *more_phrases = raw["pop"].split()
    keywords = list(dict.fromkeys(raw["kw"].split() + more_phrases))
    v = {
        "name": name, "popular_name": popular, "keywords": "，".join(keywords),
        "item_type": item_type, "legal_basis": raw["basis"], "service_object": obj, "themes": raw["th"].split(),
        "acceptance_conditions": raw["cond"], "case_type": case_type, "statutory_days": statutory,
        "promised_days": promised, "visits": visits, "channels": channels, "online_depth": depth,
        "allows_commitment": bool(raw.get("cm")),
        "allows_tolerance": any(m["necessity"] == "tolerated" for m in materials),
        "locations": raw.get("loc") or DEPT_LOCATIONS[dept],
        "office_hours": raw.get("hours") or DEPT_HOURS.get(dept, HOURS),
        "complaint_phone": COMPLAINT, "fees": fees, "results": results,
        "special_procedures": [_special(s) for s in raw.get("sp", [])],
        "supports_appointment": True,
        "supports_express": express or (has_licence and case_type == "committed" and depth >= 3),
        "supports_online_payment": bool(fees) and depth >= 3,
        "tongban_scope": {"district": "district", "city": "city", "province": "province",
                          "national": "national"}.get(raw.get("tb", ""), "none"),
        "change_note": "演示数据：按河南政务服务网区县实施清单整理",
        "form_schema": copy.deepcopy(FORMS.get(name, {})),
    }
    if v["supports_express"] and "express" not in v["channels"]:
        v["channels"].append("express")
    v["process_steps"] = raw.get("steps") and [
        {"name": s[0], "description": s[1], "days": s[2]} for s in raw["steps"]
    ] or _steps(v, item_type, results[0]["name"] if results else "办理结果")
    return v, materials


def _check(rec: Record) -> list[str]:
    v, problems = rec.version, []
    where = f"{rec.dept}·{v['name']}"
    allowed = {"person": set(PERSON_THEMES), "legal": set(LEGAL_THEMES),
               "both": set(PERSON_THEMES) | set(LEGAL_THEMES)}[v["service_object"]]
    bad = [t for t in v["themes"] if t not in allowed]
    if bad or not v["themes"]:
        problems.append(f"{where}：主题分类不适用于{v['service_object']}：{bad or '为空'}")
    if v["statutory_days"] is not None and v["promised_days"] > v["statutory_days"]:
        problems.append(f"{where}：承诺时限超过法定时限")
    if not (v["acceptance_conditions"] and v["legal_basis"] and rec.materials and v["process_steps"]
            and v["results"] and v["popular_name"] and v["keywords"]):
        problems.append(f"{where}：办事指南不完整")
    if any(r["type"] not in RESULT_TYPES for r in v["results"]):
        problems.append(f"{where}：审批结果类型应为证照/批文/其他")
    if any(c not in CHANNELS for c in v["channels"]):
        problems.append(f"{where}：办理形式不正确")
    try:
        validate_base_code(rec.code)
    except Exception as exc:  # noqa: BLE001 - report every bad record at once
        problems.append(f"{where}：{exc}")
    # The same publication rules the workbench applies to a guide an editor publishes.
    check = check_guide({**v, "consult_phone": "0371-12345"}, materials=rec.materials,
                        codes={"base_code": rec.code}, for_publication=True)
    problems += [f"{where}：{m}" for messages in check.errors.values() for m in messages]
    return problems


def build_records() -> list[Record]:
    """Expand the compact demo data into complete records (no database access)."""
    from zhengwu.org.demo import DEPARTMENTS

    dept_no = {short: i + 1 for i, (short, *_rest) in enumerate(DEPARTMENTS)}
    records: list[Record] = []
    problems: list[str] = []
    for dept, raws in data.all_items().items():
        if dept not in dept_no:
            problems.append(f"未知部门：{dept}")
            continue
        seq = 0
        groups: dict[str, tuple[str, int]] = {}
        for raw in raws:
            prefix = "41" if raw.get("prov") else "00"
            head = prefix + raw["t"][:2]
            grp = raw.get("grp")
            if grp:
                if grp not in groups:
                    seq += 1
                    groups[grp] = (f"{head}{dept_no[dept]:02d}{seq:03d}", 0)
                main, sub = groups[grp]
                if main[:4] != head:
                    problems.append(f"{dept}·{raw['name']}：与主项“{grp}”的编码前缀或事项类型不一致")
                sub += 1
                groups[grp] = (main, sub)
                code, parent_code = f"{main}{sub:03d}", f"{main}000"
            else:
                seq += 1
                code, parent_code = f"{head}{dept_no[dept]:02d}{seq:03d}000", None
            version, materials = _expand(dept, raw)
            rec = Record(dept, code, parent_code, grp, version, materials)
            problems += _check(rec)
            records.append(rec)
    names = [r.name for r in records]
    unknown = sorted(set(FORMS) - set(names))
    if unknown:
        problems.append(f"申报表单对应的事项不存在：{unknown}")
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        problems.append(f"事项名称重复：{sorted(dupes)}")
    by_name = {r.name: r.version for r in records}
    for bundle in data.bundles.BUNDLES:
        missing = [ref for ref in bundle["items"] if ref.lstrip("?") not in by_name]
        if missing:
            problems.append(f"一件事“{bundle['name']}”引用了不存在的事项：{missing}")
            continue
        members = [{"name": ref.lstrip("?"), "status": "published", **by_name[ref.lstrip("?")]} for ref in bundle["items"]]
        check = check_bundle({"name": bundle["name"], "promised_days": bundle["days"], "visits": bundle["visits"]},
                             members, for_publication=True)
        problems += [f"一件事“{bundle['name']}”：{m}" for messages in check.errors.values() for m in messages]
    if problems:
        raise DemoDataError("演示事项数据有误：\n" + "\n".join(problems))
    return records


# -- loading ------------------------------------------------------------------------------------
def load(stdout) -> None:
    from zhengwu.core import audit
    from zhengwu.org.models import Department, Region

    started = time.monotonic()
    district = Region.objects.filter(code=DISTRICT_CODE).first()
    if district is None:
        stdout.write("演示事项目录：未找到演示辖区（请先加载组织机构演示数据），已跳过")
        return
    depts = {d.short_name: d for d in Department.objects.filter(region=district)}
    records = [r for r in build_records() if r.dept in depts]
    now = timezone.now()

    with transaction.atomic():
        existing = set(ServiceItem.objects.filter(region=district, handling_name="")
                       .values_list("department_id", "name"))
        todo = [r for r in records if (depts[r.dept].pk, r.name) not in existing]

        # 基本目录: 主项 first, then 子项 pointing at them.
        base_ids = dict(BaseItem.objects.filter(
            code__in={r.code for r in todo} | {r.parent_code for r in todo if r.parent_code}
        ).values_list("code", "pk"))
        parents = {}
        for r in todo:
            if r.parent_code and r.parent_code not in base_ids and r.parent_code not in parents:
                parents[r.parent_code] = BaseItem(code=r.parent_code, name=r.parent_name,
                                                  item_type=r.version["item_type"], legal_basis=r.version["legal_basis"])
        BaseItem.objects.bulk_create(parents.values())
        base_ids.update(BaseItem.objects.filter(code__in=parents).values_list("code", "pk"))
        BaseItem.objects.bulk_create([
            BaseItem(code=r.code, name=r.name, item_type=r.version["item_type"], legal_basis=r.version["legal_basis"],
                     parent_id=base_ids.get(r.parent_code))
            for r in todo if r.code not in base_ids
        ])
        base_ids.update(BaseItem.objects.filter(code__in={r.code for r in todo}).values_list("code", "pk"))

        # 实施清单 + 第1版办事指南（已发布）.
        pairs = []
        for r in todo:
            dept = depts[r.dept]
            version = ItemVersion(number=1, state="published", published_at=now, submitted_at=now,
                                  consult_phone=dept.phone or "0371-12345", review_note="演示数据", **r.version)
            item = ServiceItem(region=district, department=dept, base_item_id=base_ids[r.code], status="published",
                               implementation_code=make_implementation_code(dept.uscc, LEVEL_COUNTY, r.code))
            copy_headline(version, item)
            pairs.append((item, version, r))
        ServiceItem.objects.bulk_create([p[0] for p in pairs], batch_size=200)
        item_ids = dict(((d, n), pk) for pk, d, n in ServiceItem.objects.filter(region=district, handling_name="")
                        .values_list("pk", "department_id", "name"))
        for item, version, _r in pairs:
            item.pk = item_ids[(item.department_id, item.name)]
            version.service_item_id = item.pk
        ItemVersion.objects.bulk_create([p[1] for p in pairs], batch_size=200)
        version_ids = dict(ItemVersion.objects.filter(service_item_id__in=[p[0].pk for p in pairs], number=1)
                           .values_list("service_item_id", "pk"))
        materials = []
        for item, version, r in pairs:
            version.pk = version_ids[item.pk]
            item.published_version_id = version.pk
            materials += [Material(version_id=version.pk, **m) for m in r.materials]
        Material.objects.bulk_create(materials, batch_size=500)
        _link_licence_types(list(version_ids.values()))
        new_ids = [p[0].pk for p in pairs]
        ServiceItem.objects.filter(pk__in=new_ids).update(published_version_id=Subquery(
            ItemVersion.objects.filter(service_item_id=OuterRef("pk"), number=1).values("pk")[:1]))

        # 一件事.
        by_name = dict(ServiceItem.objects.filter(region=district).values_list("name", "pk"))
        existing_bundles = set(Bundle.objects.filter(region=district).values_list("name", flat=True))
        new_bundles = [b for b in data.bundles.BUNDLES if b["name"] not in existing_bundles]
        new_bundle_ids = []
        for spec in new_bundles:
            bundle = Bundle.objects.create(
                region=district, name=spec["name"], popular_name=spec["pop"], keywords="，".join(spec["kw"].split()),
                description=spec["desc"], target=spec["target"], lead_department=depts.get(spec["lead"]),
                status="published", promised_days=spec["days"], visits=spec["visits"])
            BundleItem.objects.bulk_create([
                BundleItem(bundle=bundle, service_item_id=by_name[ref.lstrip("?")], seq=seq, optional=ref.startswith("?"))
                for seq, ref in enumerate(spec["items"], 1) if ref.lstrip("?") in by_name
            ])
            _load_scenarios(bundle, data.bundles.SCENARIOS.get(spec["name"], []), by_name)
            new_bundle_ids.append(bundle.pk)

        counts = {"items": len(pairs), "materials": len(materials), "bundles": len(new_bundles),
                  "base_items": len(parents) + len(pairs),
                  "departments": len({r.dept for r in todo})}
        if pairs or new_bundles:
            audit.record("catalog.demo_load", object_type="org.region", object_id=district.pk, after=counts)

        indexed = _refresh_search_index(new_ids, new_bundle_ids)
    # 空白表格 and 示例样表 of the new versions' materials (files: outside the transaction).
    from . import demo_files

    with_files = demo_files.attach(
        Material.objects.filter(version__service_item_id__in=new_ids, version__number=1,
                                name__in={m for _i, m in demo_files.SAMPLES}).select_related("version"))
    total = ServiceItem.objects.filter(region=district, status="published").count()
    covered = ServiceItem.objects.filter(region=district, status="published").values("department").distinct().count()
    stdout.write(
        f"演示事项目录：新建 {counts['items']} 个事项、{counts['materials']} 份申请材料（{with_files} 份附空白表格和示例样表）、"
        f"{counts['bundles']} 个一件事；"
        f"现有已发布事项 {total} 个，覆盖 {covered} 个部门{indexed}（用时 {time.monotonic() - started:.1f} 秒）"
    )


def _refresh_search_index(item_ids: list[int], bundle_ids: list[int]) -> str:
    """Index what this load created, when the (optional) search module exists.

    New items and bundles are indexed incrementally; when nothing was created but the index
    holds fewer documents than there are published items and bundles (e.g. the catalogue was
    loaded before search existed), the whole index is rebuilt.
    """
    try:
        from . import search
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.search":
            return ""
        raise
    index_items = getattr(search, "index_items", None)
    index_bundles = getattr(search, "index_bundles", None)
    rebuild = getattr(search, "rebuild_index", None)
    if item_ids or bundle_ids:
        if index_items and index_bundles:
            index_items(item_ids)
            index_bundles(bundle_ids)
            return "，已更新搜索索引"
        if rebuild:
            rebuild()
            return "，已重建搜索索引"
        return ""
    if rebuild and _index_looks_stale():
        rebuild()
        return "，已重建搜索索引"
    return ""


def _index_looks_stale() -> bool:
    try:
        from .models.search import SearchIndexState
    except ImportError:
        return False
    state = SearchIndexState.objects.filter(pk=1).values_list("doc_count", flat=True).first()
    published = (ServiceItem.objects.filter(status="published", published_version__isnull=False).count()
                 + Bundle.objects.filter(status="published").count())
    return (state or 0) < published


def _load_scenarios(bundle, questions, by_name: dict[str, int]) -> None:
    """情形引导 of a demo bundle (data.bundles.SCENARIOS)."""
    from .models import BundleOption, BundleQuestion

    for qseq, (text, options) in enumerate(questions, 1):
        question = BundleQuestion.objects.create(bundle=bundle, seq=qseq, text=text)
        for oseq, (label, select, skip, waive) in enumerate(options, 1):
            option = BundleOption.objects.create(question=question, seq=oseq, label=label, waive_materials="、".join(waive))
            option.select_items.set([by_name[n] for n in select if n in by_name])
            option.skip_items.set([by_name[n] for n in skip if n in by_name])
