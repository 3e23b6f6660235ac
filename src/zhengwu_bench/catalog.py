"""Items: ServiceItem + ItemVersion + Material + ProcessDefinition (names composed from the demo
catalogue's real item names), then their search index (the search module's bulk path)."""

from __future__ import annotations

import math
import time

from django.db import transaction

from .bulk import Table, analyze, drop_for_bulk_load, j, next_id, reset_sequences, restore_after_bulk_load, ts
from .context import DEMO_DISTRICT, Context, ItemInfo

VARIANTS = ["", "", "", "（新办）", "（变更）", "（延续）", "（注销）", "（补办）", "（换领）", "（告知承诺制）",
            "（乡镇便民服务中心受理）", "（个人）", "（单位）", "（首次申请）", "（跨省通办）"]
SHARED_MATERIALS = ["申请书", "授权委托书", "经办人身份证件", "营业执照", "居民身份证", "居民户口簿", "承诺书",
                    "场所使用证明", "近期免冠照片", "有关证明材料", "申请人信用承诺书", "身份证明复印件"]
NECESSITY_FLAGS = {"?": "optional", "~": "tolerated"}


def _parse_material(spec: str, materials: dict) -> tuple[str, str]:
    text = materials.get(spec, spec)
    name, _, rest = text.partition("|")
    flags = rest.split("@")[0].split("!")[0]
    necessity = next((v for k, v in NECESSITY_FLAGS.items() if k in flags), "required")
    return name, necessity


def catalogue_pool() -> list[dict]:
    """The demo catalogue's records with their department short name, parsed for generation."""
    from zhengwu.catalog.data import demo
    from zhengwu.catalog.data.demo.common import MATERIALS

    pool = []
    for dept, records in demo.all_items().items():
        for r in records:
            mats = [_parse_material(m, MATERIALS) for m in r["mats"] if m != "表"] + [(f"{r['name']}申请表", "required")]
            lim = r["lim"]
            statutory, promised = (None, 0) if lim == 0 else lim
            obj = {"P": "person", "L": "legal", "B": "both"}.get(r["t"][-1:], "person")
            pool.append({"dept": dept, "name": r["name"], "pop": r["pop"], "kw": r["kw"], "th": r["th"].split(),
                         "type": r["t"][:2], "object": obj, "statutory": statutory, "promised": promised,
                         "cond": r["cond"], "basis": r["basis"], "mats": mats, "depth": r.get("d", 3)})
    return pool


def default_steps(department_id: int) -> list[dict]:
    from zhengwu.cases import workflow

    return workflow.default_definition(department_id)


def _blocks_of(steps: list[dict], department_id: int) -> list:
    from zhengwu.cases import workflow

    by_id = {s["id"]: s for s in steps}
    blocks = []
    for b in workflow.plan(steps, {}):
        blocks.append([(s["id"], s["name"], s["role"], s.get("department") or department_id) for s in b])
    shares = [max(by_id[s[0]].get("share", 0) for s in b) for b in blocks]
    return blocks, shares


def _block_offsets(shares: list[float], promised: int) -> list[int]:
    """The working-day offsets of each block's due date (as workflow.block_due_dates computes them)."""
    out, cumulative = [], 0.0
    for i, share in enumerate(shares):
        cumulative += share
        out.append(promised if i == len(shares) - 1 else min(promised, math.ceil(cumulative * promised - 1e-9)))
    return out


def gen_items(ctx: Context) -> int:
    from zhengwu.cases.models import ProcessDefinition
    from zhengwu.catalog.models import ItemVersion, Material, ServiceItem

    rnd = ctx.rnd("items")
    pool = catalogue_pool()
    by_short: dict[str, list] = {}
    streets = []
    for d in ctx.departments:
        if d[2] == DEMO_DISTRICT:
            continue
        if d[4] == "street":
            streets.append(d)
        else:
            by_short.setdefault(d[3], []).append(d)
    generated = [d for d in ctx.departments if d[2] != DEMO_DISTRICT]
    street_pool = [r for r in pool if r["dept"] in {"民政局", "人社局", "医保局", "卫健委", "残联", "退役军人事务局"}] or pool
    item_id, version_id, pd_id = next_id(ServiceItem), next_id(ItemVersion), next_id(ProcessDefinition)
    material_id = next_id(Material)
    now = ts(ctx.now)
    taken: set[tuple] = set(ServiceItem.objects.values_list("department_id", "name", "handling_name"))
    items, versions, materials, processes = [], [], [], []
    n_new = ctx.size.items
    for i in range(n_new):
        if streets and rnd.random() < 0.25:
            rec = rnd.choice(street_pool)
            dept = rnd.choice(streets)
        else:
            rec = rnd.choice(pool)
            dept = rnd.choice(by_short.get(rec["dept"]) or streets or generated)
        name = (rec["name"] + rnd.choice(VARIANTS))[:200]
        handling = ""
        k = 1
        while (dept[0], name, handling) in taken:
            k += 1
            handling = f"{name}（办理项{k}）"
        taken.add((dept[0], name, handling))
        promised = rec["promised"]
        statutory = rec["statutory"]
        if promised and rnd.random() < 0.3:  # local compression of the time limit
            promised = max(1, promised - rnd.randrange(0, max(1, promised // 2) + 1))
        case_type = "instant" if promised == 0 else "committed"
        visits = 0 if rec["depth"] == 4 else rnd.choice([0, 1, 1, 1, 2])
        depth = rec["depth"] if rec["depth"] in (1, 2, 3, 4) else 3
        keywords = rec["kw"]
        themes = j(rec["th"])
        # 3–8 materials: the record's own, topped up with common ones. Every 25th item asks only
        # for optional materials (咨询/预约类): the benchmark submits cases to those without uploads.
        mats = list(rec["mats"])
        want = rnd.randint(3, 8)
        extra = [m for m in SHARED_MATERIALS if m not in {x[0] for x in mats}]
        rnd.shuffle(extra)
        while len(mats) < want and extra:
            mats.append((extra.pop(), rnd.choice(["required", "required", "optional", "tolerated"])))
        mats = mats[:want]
        open_item = i % 25 == 0
        if open_item:
            mats = [(m, "optional") for m, _ in mats]
        items.append((item_id, dept[1], dept[0], None, "", "", handling, True, "published",
                      version_id, 1, name, rec["pop"], keywords, rec["type"], rec["object"], case_type, statutory,
                      promised, visits, depth, themes, now, now, ""))
        versions.append((
            version_id, item_id, 1, "published", name, rec["pop"], keywords, rec["type"], rec["basis"], rec["object"],
            themes, rec["cond"], case_type, statutory, promised, visits, j(["window", "online"] if depth >= 3 else ["window"]),
            depth, False, None, rnd.random() < 0.3, False,
            j([{"name": "受理", "description": "窗口或网上受理", "days": 1},
               {"name": "审查", "description": "审查申请材料", "days": max(0, promised - 2)},
               {"name": "办结", "description": "作出决定并送达", "days": 1}]),
            f"{dept[2][:6]}政务服务中心", "周一至周五 上午9:00-12:00 下午13:30-17:30（法定节假日除外）", "0371-12345",
            "12345", "[]", j([{"name": f"{name}决定书", "type": "批文"}]), "[]", True, rnd.random() < 0.4, False,
            rnd.choice(["none", "district", "city", "province"]), "{}", "基准数据生成", None, now, now, None, "", now,
            None,  # result_licence_type_id: the bench's results are 批文, not licences
            None, None, None,  # edited_by_id, submitted_by_id: generated, as created_by_id; import_job_id: none
        ))
        for seq, (mname, necessity) in enumerate(mats, start=1):
            materials.append((material_id, version_id, seq, mname[:300], necessity, rnd.choice(["original", "copy", "both"]),
                              1, "applicant", "", "", None, "", "", "", ""))
            material_id += 1
        processes.append((pd_id, item_id, 1, j(default_steps(dept[0])), True, False, None, now))
        item_id += 1
        version_id += 1
        pd_id += 1
    with transaction.atomic():
        Table(ServiceItem, ["id", "region_id", "department_id", "base_item_id", "implementation_code", "handling_code",
                            "handling_name", "code_recognised", "status", "published_version_id", "lock_version", "name",
                            "popular_name", "keywords", "item_type", "service_object", "case_type", "statutory_days",
                            "promised_days", "visits", "online_depth", "themes", "created_at", "updated_at",
                            "min_real_name_level"]).write(items)
        Table(ItemVersion, [
            "id", "service_item_id", "number", "state", "name", "popular_name", "keywords", "item_type", "legal_basis",
            "service_object", "themes", "acceptance_conditions", "case_type", "statutory_days", "promised_days", "visits",
            "channels", "online_depth", "allows_commitment", "commitment_check_days", "allows_tolerance", "no_materials",
            "process_steps",
            "locations", "office_hours", "consult_phone", "complaint_phone", "fees", "results", "special_procedures",
            "supports_appointment", "supports_express", "supports_online_payment", "tongban_scope", "form_schema",
            "change_note", "created_by_id", "created_at", "submitted_at", "reviewed_by_id", "review_note", "published_at",
            "result_licence_type_id", "edited_by_id", "submitted_by_id", "import_job_id",
        ]).write(versions)
        Table(Material, ["id", "version_id", "seq", "name", "necessity", "form", "copies", "source", "source_department",
                         "license_type", "licence_type_id", "blank_form", "sample", "acceptance_standard", "note"]).write(materials)
        Table(ProcessDefinition, ["id", "service_item_id", "version", "steps", "is_current", "separate_duties",
                                  "created_by_id", "created_at"]).write(processes)
        # Demo items without a process definition get the default one, as intake would create it.
        missing = list(ServiceItem.objects.filter(status="published", process_definitions__isnull=True)
                       .values_list("id", "department_id"))
        Table(ProcessDefinition, ["id", "service_item_id", "version", "steps", "is_current", "separate_duties",
                                  "created_by_id", "created_at"]).write(
            (pd_id + k, iid, 1, j(default_steps(did)), True, False, None, now) for k, (iid, did) in enumerate(missing))
    reset_sequences(ServiceItem, ItemVersion, Material, ProcessDefinition)
    analyze(ServiceItem, ItemVersion, Material, ProcessDefinition)
    ctx.timings.setdefault("rows", {}).update(service_items=len(items), item_versions=len(versions),
                                              materials=len(materials), process_definitions=len(processes) + len(missing))
    return len(items)


def load_items(ctx: Context) -> None:
    """Every published item that cases may be filed under (demo and generated)."""
    from zhengwu.cases.models import ProcessDefinition
    from zhengwu.catalog.models import ServiceItem

    pds = {}
    for pid, iid, steps in ProcessDefinition.objects.filter(is_current=True).values_list("id", "service_item_id", "steps"):
        pds[iid] = (pid, steps)
    rows = (ServiceItem.objects.filter(status="published", published_version__isnull=False).order_by("pk")
            .values_list("id", "published_version_id", "department_id", "region_id", "region__code", "promised_days"))
    out = []
    for iid, vid, did, rid, rcode, promised in rows:
        if iid not in pds:
            continue
        pid, steps = pds[iid]
        blocks, shares = _blocks_of(steps, did)
        out.append(ItemInfo(iid, vid, pid, did, rid, rcode, promised or 0, blocks, _block_offsets(shares, promised or 0),
                            demo=rcode == DEMO_DISTRICT))
    ctx.items = out


def index_search(ctx: Context) -> int:
    """The search index of the generated items (catalog.search.rebuild_index, the bulk path).

    Its postings (~60 per item) are copied without the posting table's plain indexes and its
    foreign key, which are built again once the rows are in (ADR 16). The domain owns that table,
    so it drops and restores it itself, also in the side process of a parallel run (the main
    run's bulk tables are the main run's)."""
    from zhengwu.catalog import search
    from zhengwu.catalog.models import SearchPosting

    drop_for_bulk_load([SearchPosting])
    total = search.rebuild_index(batch_size=2000,
                                 progress=lambda d, n: d % 20000 == 0 and ctx.log(f"    已索引 {d}/{n}"))
    t = time.monotonic()
    if n := restore_after_bulk_load([SearchPosting]):
        # Reported with the domain's rows (generate; from the side process's JSON in a parallel run).
        ctx.timings["search_index"] = {"indexes": n, "index_seconds": round(time.monotonic() - t, 1)}
    search.vacuum_index()
    return total
