"""Synthetic city-scale data for ``zhengwu gen-data`` and ``make bench`` (deterministic, seeded).

On top of the demo district (金水区, loaded first when missing) it adds, for a chosen size:

- departments in the other districts of 郑州市 (the demo's department set per district, plus
  街道便民服务中心 up to the size's count);
- published service items whose names are composed from the demo catalogue's real item names
  and variant suffixes, each with one published guide version, 3–8 materials and a current
  process definition (审查 → 决定); indexed for search with the search module's bulk path
  (:func:`zhengwu.catalog.search.rebuild_index`);
- applicants (自然人) with encrypted 身份证号 / 手机号 and their blind indexes, derived usernames
  and one shared pre-computed password hash (``BENCH_PASSWORD``);
- cases with their history (CaseEvent) and process steps (CaseStep): Zipf over items, most
  concluded, a few per cent overdue, submissions in working hours over the last 12 months, every
  date on the working-day calendar (due_date = calendar.add_workdays).

One function per domain (``gen_departments``, ``gen_items``, ``gen_applicants``, ``gen_cases``,
``gen_ratings``, ``gen_hotline_tickets``): the ratings and hotline modules plug in there when
they land. Rows go in with PostgreSQL ``COPY`` (psycopg 3) or batched ``executemany`` on SQLite.
No data is deleted; a second run on the same database is refused (see :func:`marker`). On
PostgreSQL the big tables are loaded without their plain indexes and foreign keys, which are
built again right after (:func:`drop_for_bulk_load`); an interrupted run's next run rebuilds
whatever was left out.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

BENCH_PASSWORD = "Demo@2026zw"  # the demo password: every generated applicant logs in with it
MARKER_USERNAME = "bench-data"
DEMO_DISTRICT = "410105000000"


@dataclass(frozen=True)
class Size:
    name: str
    items: int
    departments: int  # generated departments outside the demo district (approximate floor)
    applicants: int
    cases: int
    ratings: int = 0  # extension points: the city size asks 1,000,000 and 300,000
    tickets: int = 0


SIZES = {
    "tiny": Size("tiny", items=60, departments=40, applicants=50, cases=400),
    "small": Size("small", items=2_000, departments=120, applicants=2_000, cases=20_000, ratings=20_000, tickets=6_000),
    "medium": Size("medium", items=20_000, departments=800, applicants=50_000, cases=200_000, ratings=200_000,
                   tickets=60_000),
    "city": Size("city", items=100_000, departments=3_000, applicants=200_000, cases=1_000_000, ratings=1_000_000,
                 tickets=300_000),
}


class AlreadyGenerated(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Bulk writing: COPY on PostgreSQL, executemany elsewhere. Rows are tuples in ``attnames`` order.
# ---------------------------------------------------------------------------------------------
_VENDOR: list[str] = []


def _pg() -> bool:
    if not _VENDOR:
        _VENDOR.append(connection.vendor)
    return _VENDOR[0] == "postgresql"


def ts(value: dt.datetime | None) -> str | None:
    """A naive-UTC (or aware) timestamp as the database stores it."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat(" ") + ("+00" if _pg() else "")


class Table:
    """Bulk writer for one model: every concrete column must be given (Django has no DB defaults)."""

    def __init__(self, model: type[models.Model], attnames: Sequence[str], batch: int = 50_000):
        self.model = model
        self.attnames = list(attnames)
        concrete = {f.attname for f in model._meta.concrete_fields}
        missing = concrete - set(self.attnames) - {model._meta.pk.attname}
        unknown = set(self.attnames) - concrete
        if missing or unknown:
            raise ValueError(f"{model.__name__}: missing columns {sorted(missing)}, unknown {sorted(unknown)}")
        self.columns = [next(f.column for f in model._meta.concrete_fields if f.attname == a) for a in self.attnames]
        self.table = model._meta.db_table
        self.batch = batch
        self.count = 0

    @staticmethod
    def _text(v) -> str:
        if v is None:
            return "\\N"
        if v is True:
            return "t"
        if v is False:
            return "f"
        return str(v)

    def write(self, rows: Iterable[tuple]) -> int:
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in self.columns)
        n = 0
        with connection.cursor() as cur:
            if _pg():
                text = self._text
                with cur.cursor.copy(f"COPY {qn(self.table)} ({cols}) FROM STDIN") as copy:
                    buf: list[str] = []
                    for row in rows:
                        line = "\t".join([text(v) for v in row])
                        if "\\" in line.replace("\\N", "") or "\n" in line:
                            line = "\t".join("\\N" if v is None else
                                             text(v).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
                                             for v in row)
                        buf.append(line)
                        n += 1
                        if len(buf) >= 5000:
                            copy.write(("\n".join(buf) + "\n").encode())
                            buf.clear()
                    if buf:
                        copy.write(("\n".join(buf) + "\n").encode())
            else:
                sql = f"INSERT INTO {qn(self.table)} ({cols}) VALUES ({', '.join(['%s'] * len(self.columns))})"
                it = iter(rows)
                while chunk := list(itertools.islice(it, self.batch)):
                    cur.executemany(sql, chunk)
                    n += len(chunk)
        self.count += n
        return n


def next_id(model: type[models.Model]) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def reset_sequences(*model_list: type[models.Model]) -> None:
    if not _pg():
        return
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(model_list)):
            cur.execute(sql)


def analyze(*model_list: type[models.Model]) -> None:
    if not _pg():
        return
    with connection.cursor() as cur:
        for m in model_list:
            cur.execute(f"ANALYZE {connection.ops.quote_name(m._meta.db_table)}")


# ---------------------------------------------------------------------------------------------
# Loading without plain indexes and foreign keys (PostgreSQL)
# ---------------------------------------------------------------------------------------------
# The tables each domain fills with a million rows or more. PostgreSQL checks every foreign key of
# every COPY'd row with a query of its own and updates every index row by row: for cases_case
# (10 foreign keys, 18 indexes) that was 21 s per 200,000 rows, against 0.7 s without them.
# Built afterwards in one pass each (a sort for an index, a join for a key), they cost a few seconds.
BULK_TABLES = {
    "applicants": ("accounts.User", "accounts.Applicant"),
    "cases": ("cases.Case", "cases.CaseEvent", "cases.CaseStep"),
    "hotline_tickets": ("hotline.Ticket", "hotline.TicketEvent", "hotline.Ticket_co_departments"),
    "ratings": ("ratings.Rating", "ratings.WindowVisit", "ratings.Rectification", "ratings.RectificationEvent",
                "ratings.OutboxRecord", "ratings.RatingDaily"),
}
# What was removed and not yet put back, so that an interrupted run is repaired by the next one.
PENDING_TABLE = "zw_benchdata_pending_ddl"


def _bulk_models(domains: Iterable[str]) -> list[type[models.Model]]:
    from django.apps import apps

    return [apps.get_model(label) for d in domains for label in BULK_TABLES.get(d, ())]


def drop_for_bulk_load(model_list: Sequence[type[models.Model]]) -> int:
    """Remove the plain indexes and the foreign keys of these tables, remembering their
    definitions in PENDING_TABLE; :func:`restore_after_bulk_load` puts them back. Primary keys,
    unique indexes and partial indexes (few rows each; PostgreSQL would print their condition
    back in another, equivalent form) stay. Returns how many were removed (0 on other databases).

    Dropping a foreign key locks the table it refers to: run this before another process reads
    those tables in a long transaction (the parallel search index)."""
    if not _pg() or not model_list:
        return 0
    qn = connection.ops.quote_name
    removed = 0
    with transaction.atomic(), connection.cursor() as cur:
        # Checks still deferred in this transaction (a test's) must run before ALTER TABLE.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (tbl text NOT NULL, kind text NOT NULL, "
                    "name text NOT NULL, ddl text NOT NULL)")
        for m in model_list:
            table = m._meta.db_table
            cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname", [table])
            fks = [(name, f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {d}") for name, d in cur.fetchall()]
            cur.execute("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
                        "AND NOT i.indisprimary AND NOT i.indisunique AND i.indpred IS NULL "
                        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                        "ORDER BY c.relname", [table])
            indexes = cur.fetchall()
            for name, ddl in fks:
                cur.execute(f"INSERT INTO {PENDING_TABLE} VALUES (%s, 'fk', %s, %s)", [table, name, ddl])
                cur.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, ddl in indexes:
                cur.execute(f"INSERT INTO {PENDING_TABLE} VALUES (%s, 'index', %s, %s)", [table, name, ddl])
                cur.execute(f"DROP INDEX {qn(name)}")
            removed += len(fks) + len(indexes)
        # Back to how Django's foreign keys (DEFERRABLE INITIALLY DEFERRED, the only deferrable
        # constraints here) are checked: at commit.
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
    return removed


def restore_after_bulk_load(model_list: Sequence[type[models.Model]] | None = None) -> int:
    """Build again the indexes and foreign keys :func:`drop_for_bulk_load` removed (of these
    tables; all with None), then ANALYZE those tables. Each table in a transaction of its own, so
    that an interrupted restore keeps what it finished. Returns how many were rebuilt."""
    if not _pg():
        return 0
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [PENDING_TABLE])
        if cur.fetchone()[0] is None:
            return 0
        if model_list is None:
            cur.execute(f"SELECT DISTINCT tbl FROM {PENDING_TABLE} ORDER BY tbl")
            tables = [t for (t,) in cur.fetchall()]
        else:
            tables = [m._meta.db_table for m in model_list]
        cur.execute("SET maintenance_work_mem = '512MB'")
    rebuilt = 0
    for table in tables:
        with transaction.atomic(), connection.cursor() as cur:
            # Indexes first: the foreign keys' checks then read the referring table once.
            cur.execute(f"SELECT name, ddl FROM {PENDING_TABLE} WHERE tbl = %s ORDER BY kind DESC, name", [table])
            for _name, ddl in cur.fetchall():
                cur.execute(ddl)
                rebuilt += 1
            cur.execute(f"DELETE FROM {PENDING_TABLE} WHERE tbl = %s", [table])
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {qn(table)}")
    with connection.cursor() as cur:
        cur.execute("RESET maintenance_work_mem")
        cur.execute(f"SELECT count(*) FROM {PENDING_TABLE}")
        if cur.fetchone()[0] == 0:
            cur.execute(f"DROP TABLE {PENDING_TABLE}")
    return rebuilt


def j(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------
# Context shared by the domains
# ---------------------------------------------------------------------------------------------
@dataclass
class Context:
    size: Size
    seed: int
    today: dt.date
    now: dt.datetime
    log: Callable[[str], None]
    timings: dict[str, dict] = field(default_factory=dict)
    # filled by the domains
    departments: list = field(default_factory=list)  # (id, region_id, region_code, short, kind)
    items: list = field(default_factory=list)  # ItemInfo
    applicant_ids: list[int] = field(default_factory=list)

    def rnd(self, domain: str) -> random.Random:
        return random.Random(f"{self.seed}:{domain}")


@dataclass
class ItemInfo:
    id: int
    version_id: int
    process_id: int
    department_id: int
    region_id: int
    region_code: str
    promised_days: int
    blocks: list  # [[(step_id, name, role, department_id)]]
    block_offsets: list  # working days after acceptance at which each block is due
    demo: bool = False


def marker():
    from zhengwu.accounts.models import User

    return User.objects.filter(username=MARKER_USERNAME).first()


def ensure_demo(log) -> None:
    from zhengwu.org.models import Region

    if Region.objects.filter(code=DEMO_DISTRICT).exists():
        return
    from django.core.management import call_command

    log("演示辖区不存在：先加载 zhengwu demo …")
    call_command("demo")


# ---------------------------------------------------------------------------------------------
# Departments
# ---------------------------------------------------------------------------------------------
STREETS = ["东风", "人民", "建设", "解放", "文化", "花园", "南阳", "丰产", "经纬", "中原", "嵩山", "伏牛", "桐柏",
           "秦岭", "航海", "陇海", "淮河", "长江", "黄河", "金水", "二七", "大学", "工人", "民主", "未来", "商都",
           "祭城", "龙湖", "如意", "凤凰", "柳林", "杨金", "兴达", "丰庆", "国基", "杜岭", "北林", "城东", "绿城",
           "紫荆", "梧桐", "须水", "石佛", "沟赵", "双桥", "古荥", "京广", "铭功", "福华", "碧沙"]


def _demo_department_names() -> list[str]:
    from zhengwu.catalog.data import demo

    return list(demo.all_items())


def gen_departments(ctx: Context) -> int:
    from zhengwu.org.models import Department, Region

    rnd = ctx.rnd("departments")
    counties = list(Region.objects.filter(code__startswith="4101", level=3).exclude(code=DEMO_DISTRICT)
                    .order_by("code").values_list("id", "code", "name"))
    if not counties:
        raise RuntimeError("郑州市的县级区划不存在：请先运行 zhengwu demo（加载区划数据）")
    shorts = _demo_department_names()
    rows, seen = [], set(Department.objects.values_list("region_id", "name"))
    pk = next_id(Department)
    out = []

    def add(region, name, short, kind):
        nonlocal pk
        if (region[0], name) in seen:
            return
        seen.add((region[0], name))
        rows.append((pk, name, short[:40], None, None, region[0], kind, "0371-6" + f"{rnd.randrange(10**6, 10**7)}",
                     f"{region[2]}{rnd.choice(STREETS)}路{rnd.randrange(1, 300)}号", True, 100 + len(rows) % 50))
        out.append((pk, region[0], region[1], short, kind))
        pk += 1

    per_county = max(1, math.ceil(ctx.size.departments / len(counties)))
    for county in counties:
        for short in shorts[:per_county]:
            add(county, f"{county[2]}{short}", short, "government")
    k = 0
    while len(rows) < ctx.size.departments and k < 10 * ctx.size.departments:
        county = counties[k % len(counties)]
        street = STREETS[(k // len(counties)) % len(STREETS)]
        n = k // (len(counties) * len(STREETS))
        add(county, f"{county[2]}{street}{'' if n == 0 else n + 1}街道便民服务中心", f"{street}街道", "street")
        k += 1
    Table(Department, ["id", "name", "short_name", "uscc", "parent_id", "region_id", "kind", "phone", "address",
                       "is_active", "sort_order"]).write(rows)
    reset_sequences(Department)
    demo = list(Department.objects.filter(region__code=DEMO_DISTRICT).values_list("id", "region_id", "region__code",
                                                                                   "short_name", "kind"))
    ctx.departments = out + demo
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Items: ServiceItem + ItemVersion + Material + ProcessDefinition, then the search index
# ---------------------------------------------------------------------------------------------
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
                      promised, visits, depth, themes, now, now))
        versions.append((
            version_id, item_id, 1, "published", name, rec["pop"], keywords, rec["type"], rec["basis"], rec["object"],
            themes, rec["cond"], case_type, statutory, promised, visits, j(["window", "online"] if depth >= 3 else ["window"]),
            depth, False, rnd.random() < 0.3, False,
            j([{"name": "受理", "description": "窗口或网上受理", "days": 1},
               {"name": "审查", "description": "审查申请材料", "days": max(0, promised - 2)},
               {"name": "办结", "description": "作出决定并送达", "days": 1}]),
            f"{dept[2][:6]}政务服务中心", "周一至周五 上午9:00-12:00 下午13:30-17:30（法定节假日除外）", "0371-12345",
            "12345", "[]", j([{"name": f"{name}决定书", "type": "批文"}]), "[]", True, rnd.random() < 0.4, False,
            rnd.choice(["none", "district", "city", "province"]), "{}", "基准数据生成", None, now, now, None, "", now,
        ))
        for seq, (mname, necessity) in enumerate(mats, start=1):
            materials.append((material_id, version_id, seq, mname[:300], necessity, rnd.choice(["original", "copy", "both"]),
                              1, "applicant", "", "", "", "", "", ""))
            material_id += 1
        processes.append((pd_id, item_id, 1, j(default_steps(dept[0])), True, None, now))
        item_id += 1
        version_id += 1
        pd_id += 1
    with transaction.atomic():
        Table(ServiceItem, ["id", "region_id", "department_id", "base_item_id", "implementation_code", "handling_code",
                            "handling_name", "code_recognised", "status", "published_version_id", "lock_version", "name",
                            "popular_name", "keywords", "item_type", "service_object", "case_type", "statutory_days",
                            "promised_days", "visits", "online_depth", "themes", "created_at", "updated_at"]).write(items)
        Table(ItemVersion, [
            "id", "service_item_id", "number", "state", "name", "popular_name", "keywords", "item_type", "legal_basis",
            "service_object", "themes", "acceptance_conditions", "case_type", "statutory_days", "promised_days", "visits",
            "channels", "online_depth", "allows_commitment", "allows_tolerance", "no_materials", "process_steps",
            "locations", "office_hours", "consult_phone", "complaint_phone", "fees", "results", "special_procedures",
            "supports_appointment", "supports_express", "supports_online_payment", "tongban_scope", "form_schema",
            "change_note", "created_by_id", "created_at", "submitted_at", "reviewed_by_id", "review_note", "published_at",
        ]).write(versions)
        Table(Material, ["id", "version_id", "seq", "name", "necessity", "form", "copies", "source", "source_department",
                         "license_type", "blank_form", "sample", "acceptance_standard", "note"]).write(materials)
        Table(ProcessDefinition, ["id", "service_item_id", "version", "steps", "is_current", "created_by_id",
                                  "created_at"]).write(processes)
        # Demo items without a process definition get the default one, as intake would create it.
        missing = list(ServiceItem.objects.filter(status="published", process_definitions__isnull=True)
                       .values_list("id", "department_id"))
        Table(ProcessDefinition, ["id", "service_item_id", "version", "steps", "is_current", "created_by_id",
                                  "created_at"]).write(
            (pd_id + k, iid, 1, j(default_steps(did)), True, None, now) for k, (iid, did) in enumerate(missing))
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
    foreign key, which are built again once the rows are in (ADR 16): on the city data 500,000
    postings took 2.2 s to copy with the primary key only, 9.3 s with the indexes and 14.6 s with
    the foreign key too. The domain owns that table, so it drops and restores it itself, also in
    the side process of a parallel run (the main run's bulk tables are the main run's)."""
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


# ---------------------------------------------------------------------------------------------
# Applicants
# ---------------------------------------------------------------------------------------------
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕婷玉兰子涵浩然欣怡宇轩梓涵一诺雨泽思远佳怡俊杰晨阳"
# Codes the 身份证 validator (python-stdnum) accepts for people born 1990–2005, outside the demo
# district (whose demo citizen must not collide).
ID_REGIONS = ["410102", "410103", "410104", "410106", "410108", "410122"]
BIRTH_BASE = dt.date(1990, 1, 1)
BIRTH_SPAN = 5800  # days: births 1990-01-01 … 2005-11


def applicant_id_number(i: int) -> str:
    """The 身份证号 of generated applicant ``i`` (0-based): unique, valid check digit, stable."""
    from zhengwu.core.identifiers import make_id_number

    region = ID_REGIONS[i % len(ID_REGIONS)]
    k = i // len(ID_REGIONS)
    birth = BIRTH_BASE + dt.timedelta(days=(k * 7919) % BIRTH_SPAN)
    seq = k // BIRTH_SPAN + 1
    return make_id_number(f"{region}{birth:%Y%m%d}{seq % 1000:03d}")


def applicant_phone(i: int) -> str:
    return f"13{(i * 7919 + 12345) % 10**9:09d}"


def gen_applicants(ctx: Context) -> int:
    from zhengwu.accounts.models import Applicant, User
    from zhengwu.core import pii

    rnd = ctx.rnd("applicants")
    password = make_password(BENCH_PASSWORD)  # once: not 200,000 password hashes
    uid, aid = next_id(User), next_id(Applicant)
    users, applicants = [], []
    joined = ts(ctx.now - dt.timedelta(days=400))
    for i in range(ctx.size.applicants):
        number = applicant_id_number(i)
        index = pii.blind_index("id_number", number)
        phone = applicant_phone(i)
        name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, rnd.choice([1, 2])))
        users.append((uid, password, None, False, "p-" + index, "", "", "", False, True, joined, "person", name, "", "",
                      joined, False))
        applicants.append((aid, uid, "person", name, pii.encrypt(number), index, None, "", "", "",
                           pii.encrypt(phone), pii.blind_index("phone", phone), joined))
        uid += 1
        aid += 1
    with transaction.atomic():
        Table(User, ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                     "is_staff", "is_active", "date_joined", "kind", "display_name", "phone", "phone_index",
                     "password_changed_at", "must_change_password"]).write(users)
        Table(Applicant, ["id", "user_id", "kind", "name", "id_number", "id_number_index", "uscc", "legal_rep_name",
                          "legal_rep_id_number", "legal_rep_id_number_index", "phone", "phone_index",
                          "created_at"]).write(applicants)
    reset_sequences(User, Applicant)
    analyze(User, Applicant)
    ctx.applicant_ids = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
    return len(applicants)


# ---------------------------------------------------------------------------------------------
# Cases, their events and steps
# ---------------------------------------------------------------------------------------------
# State mix of a year of cases (most concluded; a few open; ~5% overdue overall, see below).
STATE_WEIGHTS = [("delivered", 62), ("concluded", 22), ("in_review", 6.5), ("submitted", 1.6), ("supplement", 0.8),
                 ("suspended", 0.4), ("refused", 2.2), ("withdrawn", 2.0), ("draft", 0.5)]
# Hour of submission: working-hour peaks (9–11, 14–16), a little online in the evening.
HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 0.2, 0.5, 3, 9, 11, 8, 2, 3, 8, 10, 8, 4, 1.2, 1, 1, 0.8, 0.5, 0]
CHANNELS = [("online", 55), ("window", 38), ("self_service", 4), ("agent", 3)]
LATE_SHARE = 0.04  # concluded after the due date


class Days:
    """Working-day arithmetic over a window of dates, cached (1M cases, a few thousand distinct sums)."""

    def __init__(self, today: dt.date):
        from zhengwu.core import calendar

        self.cal = calendar.get_calendar()
        self.today = today
        start = today - dt.timedelta(days=400)
        self.days = [start + dt.timedelta(days=k) for k in range(401)]
        self.workdays = [d for d in self.days if self.cal.is_workday(d)]
        self.weekend = [d for d in self.days if not self.cal.is_workday(d)]

    @functools.lru_cache(maxsize=200_000)  # noqa: B019 - one instance per run
    def add(self, day: dt.date, n: int) -> dt.date:
        return self.cal.add_workdays(day, n)

    @functools.lru_cache(maxsize=10_000)  # noqa: B019
    def on_or_after(self, day: dt.date) -> dt.date:
        return self.cal.next_workday_on_or_after(day)

    def workdays_back(self, n: int) -> dt.date:
        """The working day ``n`` working days before today (0 = the last working day up to today)."""
        i = bisect.bisect_right(self.workdays, self.today) - 1 - n
        return self.workdays[max(0, i)]


def zipf_cum_weights(n: int, s: float = 1.1) -> list[float]:
    return list(itertools.accumulate(1.0 / (k ** s) for k in range(1, n + 1)))


def gen_cases(ctx: Context) -> int:
    from zhengwu.accounts.models import User
    from zhengwu.cases import rules
    from zhengwu.cases.models import Case, CaseEvent, CaseStep
    from zhengwu.org.models import RoleGrant

    rnd = ctx.rnd("cases")
    if not ctx.items:
        load_items(ctx)
    if not ctx.applicant_ids:
        from zhengwu.accounts.models import Applicant

        ctx.applicant_ids = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
    days = Days(ctx.today)
    # Popularity: a few items get most cases. Demo-district items are among the popular ones so
    # that the demo staff's inboxes (chuangkou, shenpi_*) hold a realistic load.
    order = list(ctx.items)
    rnd.shuffle(order)
    demo_items = [it for it in order if it.demo]
    others = [it for it in order if not it.demo]
    ranked: list[ItemInfo] = []
    for it in demo_items:
        others.insert(min(len(others), rnd.randrange(0, 3 * len(demo_items) + 1)), it)
    ranked = others
    cum_items = zipf_cum_weights(len(ranked))
    states, state_w = zip(*STATE_WEIGHTS)
    cum_states = list(itertools.accumulate(state_w))
    channels, channel_w = zip(*CHANNELS)
    cum_channels = list(itertools.accumulate(channel_w))
    cum_hours = list(itertools.accumulate(HOUR_WEIGHTS))
    # Actors: the demo staff act on demo-district cases; elsewhere a named but generated officer.
    window_user = User.objects.filter(username="chuangkou").values_list("id", "display_name").first()
    approvers = {}
    for uid, dept_id, name in (RoleGrant.objects.filter(role="approver", department__isnull=False)
                               .values_list("user_id", "department_id", "user__display_name")):
        approvers.setdefault(dept_id, (uid, name))

    n = ctx.size.cases
    case_pk, event_pk, step_pk = next_id(Case), next_id(CaseEvent), next_id(CaseStep)
    case_table = Table(Case, [
        "id", "number", "service_item_id", "item_version_id", "process_id", "department_id", "region_id",
        "applicant_id", "agent_id", "agent_note", "filed_by_id", "channel", "window_id", "bundle_case_id", "state",
        "outcome", "intake_mode", "form_data", "progress", "commitment_text", "commitment_signed_at", "refusal_reason",
        "promised_days", "submitted_at", "accepted_on", "due_date", "suspended_workdays", "concluded_at",
        "concluded_on_time", "visits", "lock_version", "idempotency_key", "created_at", "updated_at"])
    event_table = Table(CaseEvent, ["id", "case_id", "action", "label", "from_state", "to_state", "step_id", "actor_id",
                                    "actor_name", "opinion", "data", "visible_to_applicant", "at"])
    step_table = Table(CaseStep, ["id", "case_id", "step_id", "name", "role", "department_id", "block", "status",
                                  "due_date", "activated_at", "acted_by_id", "acted_at", "opinion"])
    labels = {a: t.label for a, t in rules.STATE_TABLE.items()}
    tz = timezone.get_current_timezone()
    # Local time has a fixed offset here (Asia/Shanghai, no DST): work in naive UTC throughout.
    offset = timezone.localtime(ctx.now, tz).utcoffset() or dt.timedelta(0)
    empty = "{}"
    now_utc = ctx.now.astimezone(dt.timezone.utc).replace(tzinfo=None)
    data_strings: dict[str, str] = {}
    counts = {"cases": 0, "events": 0, "steps": 0, "overdue_open": 0, "late": 0}

    def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute) - offset

    def working_time(day: dt.date) -> dt.datetime:
        return at(day, rnd.randint(9, 16), rnd.randrange(60))

    chunk = 50_000
    done = 0
    while done < n:
        m = min(chunk, n - done)
        picks = rnd.choices(ranked, cum_weights=cum_items, k=m)
        state_picks = rnd.choices(states, cum_weights=cum_states, k=m)
        channel_picks = rnd.choices(channels, cum_weights=cum_channels, k=m)
        hour_picks = rnd.choices(range(24), cum_weights=cum_hours, k=m)
        case_rows, event_rows, step_rows = [], [], []
        for k in range(m):
            it: ItemInfo = picks[k]
            state = state_picks[k]
            channel = channel_picks[k]
            promised = it.promised_days
            if promised == 0 and state in ("in_review", "suspended"):
                state = "delivered"  # 即办件 conclude on the spot
            pk = case_pk
            case_pk += 1
            # -- when: open cases are recent; closed ones anywhere in the last 12 months
            if state in ("in_review", "suspended"):
                # accepted up to 1.25× the time limit ago: about a fifth of them are overdue
                accepted = days.workdays_back(rnd.randint(0, max(1, int(promised * 1.25))))
                sub_day = accepted
            elif state in ("submitted", "supplement", "draft"):
                sub_day = days.workdays_back(rnd.randint(0, 4))
                accepted = None
            else:
                if rnd.random() < 0.06:
                    sub_day = days.weekend[rnd.randrange(len(days.weekend))] if channel == "online" else None
                else:
                    sub_day = None
                if sub_day is None:
                    limit = max(promised + 5, 10)
                    wd = days.workdays
                    hi = bisect.bisect_right(wd, days.today) - 1 - limit  # concluded by now
                    sub_day = wd[rnd.randrange(max(1, hi))]
                accepted = days.on_or_after(sub_day) if state not in ("refused", "withdrawn") else None
                if accepted is not None and accepted > days.today:
                    accepted = days.workdays_back(0)
            submitted = at(sub_day, hour_picks[k] if hour_picks[k] >= 8 or channel == "online" else 9, rnd.randrange(60))
            if submitted > now_utc - dt.timedelta(minutes=5):  # today, later than now: earlier today
                submitted = max(at(sub_day, 0, 0), now_utc - dt.timedelta(minutes=rnd.randint(5, 120)))
            created = submitted - dt.timedelta(minutes=rnd.randint(3, 40))
            applicant = ctx.applicant_ids[rnd.randrange(len(ctx.applicant_ids))]
            number = rules.case_number(it.region_code, (submitted + offset).date(), pk) if state != "draft" else None
            dept_approver = approvers.get(it.department_id)
            win = window_user if it.demo and window_user else (None, "窗口工作人员")
            ev: list[tuple] = []  # (action, from, to, step_id, actor, at, opinion, data)
            ev.append(("create", "", "draft", "", None if channel == "online" else win, created, "",
                       {"channel": channel, "agent": ""}))
            if state == "draft":
                submitted = None
                number = None
            else:
                ev.append(("submit", "draft", "submitted", "", None if channel == "online" else win, submitted, "", {}))
            outcome = ""
            due = None
            concluded_at = None
            on_time = None
            suspended_days = 0
            refusal = ""
            progress = {}
            steps_out = []
            visits = 1 if channel in ("window", "agent") else 0
            if state == "supplement":
                ev.append(("request_supplement", "submitted", "supplement", "", win,
                           min(max(working_time(days.on_or_after(sub_day)), submitted + dt.timedelta(minutes=10)), now_utc),
                           "请补正：申请书未签字", {}))
            elif state == "refused":
                t = max(working_time(days.on_or_after(sub_day)), submitted + dt.timedelta(minutes=10))
                refusal = "申请事项不属于本机关职权范围，依据《中华人民共和国行政许可法》第三十二条不予受理"
                ev.append(("refuse", "submitted", "refused", "", win, t, refusal, {}))
            elif state == "withdrawn":
                ev.append(("withdraw", "submitted", "withdrawn", "", None, min(submitted + dt.timedelta(hours=rnd.randint(1, 30)), now_utc),
                           "申请人撤回", {}))
            if accepted is not None:
                due = days.add(accepted, promised)
                acc_time = max(working_time(accepted), submitted + dt.timedelta(minutes=5))
                if rnd.random() < 0.08 and state in ("concluded", "delivered"):  # 补正 then resubmitted
                    t1 = submitted + dt.timedelta(minutes=30)
                    ev.append(("request_supplement", "submitted", "supplement", "", win, t1, "请补正：材料复印件不清晰", {}))
                    ev.append(("resubmit", "supplement", "submitted", "", None, t1 + dt.timedelta(minutes=40), "", {}))
                    acc_time = max(acc_time, t1 + dt.timedelta(minutes=50))
                ev.append(("accept", "submitted", "in_review", "", win, acc_time, "材料齐全，予以受理", {}))
                blocks = it.blocks
                dues = [days.add(accepted, off) for off in it.block_offsets]
                if state in ("concluded", "delivered"):
                    late = rnd.random() < LATE_SHARE
                    if late:
                        end_day = days.add(due, rnd.randint(1, 5))
                    else:
                        end_day = days.add(accepted, rnd.randint(0, promised)) if promised else accepted
                    if end_day > days.today:
                        end_day, late = days.workdays_back(0), days.workdays_back(0) > due
                    concluded_at = min(max(working_time(end_day), acc_time + dt.timedelta(minutes=30)), now_utc)
                    on_time = not late
                    counts["late"] += late
                    denied = rnd.random() < 0.03
                    outcome = "denied" if denied else "approved"
                    status = {}
                    tstep = acc_time
                    for b, block in enumerate(blocks):
                        for sid, sname, role, sdept in block:
                            last = b == len(blocks) - 1
                            acted = concluded_at - dt.timedelta(minutes=5) if last else \
                                min(tstep + dt.timedelta(hours=rnd.randint(2, 40)), concluded_at - dt.timedelta(minutes=10))
                            st = "rejected" if (denied and last) else "passed"
                            status[sid] = st
                            actor = dept_approver if (it.demo and dept_approver) else (None, "审批人员")
                            steps_out.append((sid, sname, role, sdept, b, st, dues[b], tstep, actor, acted,
                                              "同意" if st == "passed" else "不符合条件"))
                            ev.append(("approve_step", "in_review", "in_review", sid, actor, acted,
                                       "同意" if st == "passed" else "不符合条件", {}))
                            tstep = acted
                    progress = {"blocks": [[s[0] for s in b] for b in blocks], "status": status,
                                "current": len(blocks) - 1, "outcome": outcome}
                    ev.append(("conclude", "in_review", "concluded", "", None, concluded_at,
                               "准予许可" if outcome == "approved" else "不予许可",
                               {"outcome": "准予" if outcome == "approved" else "不予"}))
                    if state == "delivered":
                        ev.append(("deliver", "concluded", "delivered", "", win,
                                   min(concluded_at + dt.timedelta(hours=rnd.randint(1, 48)), now_utc), "", {"method": "电子送达"}))
                else:  # in_review / suspended: some blocks passed, one active
                    current = rnd.randrange(len(blocks)) if blocks else 0
                    status = {}
                    tstep = acc_time
                    for b, block in enumerate(blocks):
                        for sid, sname, role, sdept in block:
                            actor = dept_approver if (it.demo and dept_approver) else (None, "审批人员")
                            if b < current:
                                acted = tstep + dt.timedelta(hours=rnd.randint(1, 20))
                                status[sid] = "passed"
                                steps_out.append((sid, sname, role, sdept, b, "passed", dues[b], tstep, actor, acted, "同意"))
                                ev.append(("approve_step", "in_review", "in_review", sid, actor, acted, "同意", {}))
                                tstep = acted
                            elif b == current:
                                status[sid] = "active"
                                steps_out.append((sid, sname, role, sdept, b, "active", dues[b], tstep, None, None, ""))
                            else:
                                status[sid] = "waiting"
                                steps_out.append((sid, sname, role, sdept, b, "waiting", dues[b], None, None, None, ""))
                    progress = {"blocks": [[s[0] for s in b] for b in blocks], "status": status, "current": current,
                                "outcome": ""}
                    if state == "suspended":
                        ev.append(("suspend", "in_review", "suspended", "", dept_approver if it.demo and dept_approver
                                   else (None, "审批人员"), tstep + dt.timedelta(hours=1), "需现场核查", {"kind": "现场核查"}))
                    if due < days.today and state == "in_review":
                        counts["overdue_open"] += 1
            lock = len(ev) - 1
            updated = ev[-1][5]
            case_rows.append((
                pk, number, it.id, it.version_id, it.process_id if accepted is not None else None, it.department_id,
                it.region_id, applicant, None, "", win[0] if channel in ("window", "agent") else None, channel, None, None,
                state, outcome, "normal", "{}", j(progress) if progress else "{}", "", None, refusal, promised,
                ts(submitted), accepted, due, suspended_days, ts(concluded_at), on_time, visits, lock, None, ts(created),
                ts(updated)))
            for action, frm, to, sid, actor, when, opinion, data in ev:
                if data:
                    key = repr(data)
                    data = data_strings.get(key) or data_strings.setdefault(key, j(data))
                else:
                    data = empty
                aid_, aname = actor if actor else (None, "申请人" if action in ("create", "submit", "resubmit", "withdraw")
                                                   else "系统")
                event_rows.append((event_pk, pk, action, labels.get(action, "创建申请"), frm, to, sid, aid_, aname, opinion,
                                   data, True, ts(when)))
                event_pk += 1
            for sid, sname, role, sdept, b, st, sdue, activated, actor, acted, opinion in steps_out:
                step_rows.append((step_pk, pk, sid, sname, role, sdept, b, st, sdue, ts(activated),
                                  actor[0] if actor else None, ts(acted), opinion))
                step_pk += 1
        with transaction.atomic():
            case_table.write(case_rows)
            event_table.write(event_rows)
            step_table.write(step_rows)
        done += m
        counts["cases"] += len(case_rows)
        counts["events"] += len(event_rows)
        counts["steps"] += len(step_rows)
        if done % 200_000 == 0 or done == n:
            ctx.log(f"    办件 {done}/{n}")
    reset_sequences(Case, CaseEvent, CaseStep)
    analyze(Case, CaseEvent, CaseStep)
    ctx.timings.setdefault("rows", {}).update(cases=counts["cases"], case_events=counts["events"],
                                              case_steps=counts["steps"])
    ctx.timings["distribution"] = {"overdue_open": counts["overdue_open"], "concluded_late": counts["late"]}
    return counts["cases"]


# ---------------------------------------------------------------------------------------------
# Ratings and hotline tickets: each module generates its own rows
# ---------------------------------------------------------------------------------------------
def gen_hotline_tickets(ctx: Context) -> int:
    """12345 热线工单 (``ctx.size.tickets`` rows): ``zhengwu.hotline.benchdata.generate``."""
    from zhengwu.hotline import benchdata as hotline_bench

    return hotline_bench.generate(ctx)


def gen_ratings(ctx: Context) -> int:
    """好差评 (``ctx.size.ratings`` rows, 1–3 % 差评): ``zhengwu.ratings.benchdata.generate``."""
    from zhengwu.ratings import benchdata as ratings_bench

    return ratings_bench.generate(ctx)


DOMAINS: list[tuple[str, Callable[[Context], int]]] = [
    ("departments", gen_departments),
    ("items", gen_items),
    ("search_index", index_search),
    ("applicants", gen_applicants),
    ("cases", gen_cases),
    ("hotline_tickets", gen_hotline_tickets),
    ("ratings", gen_ratings),
]


def _log_rebuild(timing: dict, log) -> None:
    """The line under a domain's rows: the indexes and foreign keys built again after its load."""
    if timing.get("indexes"):
        log(f"  {'':<16} {timing['indexes']:>7} 个索引和外键  {timing['index_seconds']:7.1f} s")


def _start_search_index(size: str, seed: int, log) -> tuple[subprocess.Popen, Path]:
    """Build the search index in a second process while this one generates the other domains
    (it depends only on the items, which are committed by now)."""
    out = Path(tempfile.mkdtemp(prefix="zw-gen-")) / "search.json"
    cmd = [sys.executable, "-m", "zhengwu", "gen-data", "--size", size, "--seed", str(seed),
           "--only", "search_index", "--json", str(out)]
    log("  search_index     （在另一个进程中并行生成）")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), out


def generate(size: str = "small", seed: int = 1, log: Callable[[str], None] = print,
             today: dt.date | None = None, only: Sequence[str] = (), parallel: bool = False) -> dict:
    """Generate one size of data; returns the timings (seconds and rows per domain).

    ``only``: run just these domains (resuming an interrupted run: the completion marker is
    written only when every domain has run). ``parallel`` (PostgreSQL, full runs): build the
    search index in a second process alongside the applicants, cases, tickets and ratings.
    """
    from zhengwu.accounts.models import User

    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: {', '.join(SIZES)}")
    existing = marker()
    if existing is not None:
        raise AlreadyGenerated(f"该数据库已生成过基准数据（{existing.display_name}）：请换一个空数据库再运行")
    ensure_demo(log)
    now = timezone.now().replace(microsecond=0)
    ctx = Context(size=SIZES[size], seed=seed, today=today or timezone.localdate(), now=now, log=log)
    started = time.monotonic()
    _VENDOR.clear()
    side = None
    parallel = parallel and not only and connection.vendor == "postgresql"
    bulk = [name for name, _ in DOMAINS if name in BULK_TABLES and (not only or name in only)]
    # What an interrupted run left out: all of it before a whole run; before a partial one, that
    # of its own domains (the search index's side process, --only search_index, touches nothing
    # of the main run's).
    if restored := restore_after_bulk_load(_bulk_models(bulk) if only else None):
        log(f"  上次中断的生成留下 {restored} 个索引/外键未重建：已重建")
    dropped = False
    for name, fn in DOMAINS:
        if only and name not in only:
            continue
        if not dropped and (name in bulk or (name == "search_index" and parallel)):
            # Before the search index starts: it reads tables these foreign keys refer to.
            if n := drop_for_bulk_load(_bulk_models(bulk)):
                log(f"  （先移除大表的 {n} 个普通索引和外键，各表写完后重建）")
            dropped = True
        if name == "search_index" and parallel:
            connection.close()  # nothing uncommitted: the other process sees every item
            side = (time.monotonic(), *_start_search_index(size, seed, log))
            continue
        t = time.monotonic()
        rows = fn(ctx)
        if name == "items":
            load_items(ctx)
        seconds = time.monotonic() - t
        ctx.timings[name] = {**ctx.timings.get(name, {}), "rows": rows, "seconds": round(seconds, 1)}
        log(f"  {name:<16} {rows:>10,} 行  {seconds:7.1f} s")
        if name in bulk:
            t = time.monotonic()
            if n := restore_after_bulk_load(_bulk_models([name])):
                ctx.timings[name].update(indexes=n, index_seconds=round(time.monotonic() - t, 1))
        _log_rebuild(ctx.timings[name], log)
    if side is not None:
        started_side, proc, out = side
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"并行生成搜索索引失败：{err[-2000:]}")
        done = json.loads(out.read_text()).get("search_index", {})
        ctx.timings["search_index"] = {**done, "seconds": round(time.monotonic() - started_side, 1), "parallel": True}
        log(f"  search_index     {done.get('rows', 0):>10,} 行  {ctx.timings['search_index']['seconds']:7.1f} s（并行）")
        _log_rebuild(done, log)
    if not only or set(only) >= {n for n, _ in DOMAINS}:
        User.objects.create(username=MARKER_USERNAME, is_active=False, kind="staff",
                            display_name=f"size={size} seed={seed} at={now:%Y-%m-%d %H:%M}")
    ctx.timings["total_seconds"] = round(time.monotonic() - started, 1)
    ctx.timings["size"] = size
    ctx.timings["seed"] = seed
    ctx.timings["database"] = connection.vendor
    return ctx.timings
