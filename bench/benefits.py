"""免申即享 bench (issue 29): one policy's 资格比对 over N persons of the 人口库 (target: < 60 s for
10,000,000 persons), through the same code the worker runs (``benefits.services.runs.execute``:
keyset batches of the registry's pk, the rules compiled to SQL, every returned row decided and
explained by the pure rules, entitlements upserted).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_bench .venv/bin/python bench/benefits.py --persons 1000000

On a bench database (migrated; never the one you work in). ``--persons N`` tops the 人口库 up to N
rows when it holds fewer, in SQL (``generate_series``: rows as wide as real ones — ciphertexts of
the same lengths, unique blind indexes, 8 districts of 郑州, birth dates spread evenly over
1925–2025); it is not the importer (``gen-data``/``bench/registry_load.py`` measure that) and those
rows cannot be decrypted. ``--persons 0`` (what ``make bench`` passes) uses the rows gen-data loaded.

Two policies are measured, each a first run (every entitlement new) and a second run (nothing new:
the idempotent re-run): 高龄津贴 of one district (age ≥ 80, 户籍区划 4101xx, 在世) and the same
city-wide (many more matches: the cost per matched row). Written to
bench/results/<timestamp>-benefits-<db>.json/.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
RESULTS = Path(__file__).resolve().parent / "results"
TARGET_S = 60.0  # 10,000,000 persons
DISTRICT = "410105"


def fill_sql(n: int) -> float:
    """Top the 人口库 up to ``n`` rows in SQL (PostgreSQL); returns seconds."""
    from django.db import connection

    from zhengwu.datashare.models import PersonRecord

    have = PersonRecord.objects.count()
    if have >= n:
        return 0.0
    t = time.monotonic()
    start = (PersonRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    step = 1_000_000
    with connection.cursor() as cur:
        for lo in range(start, start + (n - have), step):
            hi = min(lo + step, start + (n - have)) - 1
            cur.execute("""
                INSERT INTO datashare_personrecord (id_number, id_number_index, name, name_index, gender, birth_date,
                    nation, household_address, region_code, phone, alive, updated_at)
                SELECT 'v1$' || left(encode(sha256(('i' || g)::bytea), 'base64') || md5('j' || g), 61),
                       'bench' || lpad(g::text, 27, '0'),
                       'v1$' || left(md5('n' || g) || md5('m' || g), 49), md5('n' || g),
                       CASE WHEN g %% 2 = 0 THEN '女' ELSE '男' END,
                       date '1925-01-01' + ((g::bigint * 7919) %% 36890)::int,
                       CASE WHEN g %% 20 = 0 THEN '回族' ELSE '汉族' END,
                       'v1$' || repeat(md5('a' || g), 4),
                       (ARRAY['410102','410103','410104','410105','410106','410108','410122','410181'])[1 + g %% 8]
                           || lpad((g %% 20)::text, 3, '0') || '000',
                       'v1$' || left(md5('p' || g) || md5('q' || g), 61),
                       g %% 97 <> 0, now()
                FROM generate_series(%s, %s) AS g
            """, [lo, hi])
        cur.execute("ANALYZE datashare_personrecord")
    return time.monotonic() - t


def policy(name: str, rules: list[dict]):
    from zhengwu.benefits.models import Entitlement, Policy
    from zhengwu.benefits.services import policies
    from zhengwu.org.models import Department, Region

    old = Policy.objects.filter(name=name).first()
    if old is not None:  # a fresh first run each time
        Entitlement.objects.filter(policy=old).delete()
        old.delete()
    region = Region.objects.order_by("pk").first() or Region.objects.create(code="410100000000", name="郑州市")
    dept, _ = Department.objects.get_or_create(name="基准测试民政局", defaults={"region": region})
    p = policies.create_policy(None, {"name": name, "department": dept.pk, "kind": "person", "mode": "confirm",
                                      "rules": rules})
    return policies.set_state(None, p.pk, p.lock_version, "published")


def measure(p, ref: dt.date) -> dict:
    from zhengwu.benefits.services import runs

    out = {}
    for label in ("first", "second"):
        t = time.monotonic()
        run = runs.execute(runs.request_run(None, p.pk, ref).pk)
        seconds = time.monotonic() - t
        out[label] = {"seconds": round(seconds, 2), "matched": run.matched, "created": run.created,
                      "lapsed": run.lapsed, "scanned_pk": run.max_pk}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=0, help="top the 人口库 up to this many rows (0: as it is)")
    parser.add_argument("--city-wide", action="store_true", help="also the city-wide policy (many matches)")
    parser.add_argument("--tag", default="")
    parser.add_argument("--out", default=str(RESULTS), help="directory of the result files")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()
    from django.db import connection

    from zhengwu.datashare.models import PersonRecord

    fill_s = 0.0
    if args.persons:
        if connection.vendor != "postgresql":
            raise SystemExit("--persons fills in PostgreSQL SQL; on SQLite load persons with gen-data")
        fill_s = fill_sql(args.persons)
    persons = PersonRecord.objects.count()
    ref = dt.date(2026, 12, 4)
    results = {"database": connection.vendor, "persons": persons, "fill_seconds": round(fill_s, 1),
               "reference_date": ref.isoformat(), "policies": {}}
    cases = [("district", "基准测试：高龄津贴（金水区）", [
        {"field": "age", "op": "gte", "value": 80}, {"field": "region", "op": "prefix", "value": DISTRICT},
        {"field": "alive", "op": "eq", "value": True}])]
    if args.city_wide:
        cases.append(("city", "基准测试：高龄津贴（全市）", [
            {"field": "age", "op": "gte", "value": 80}, {"field": "region", "op": "prefix", "value": "4101"},
            {"field": "alive", "op": "eq", "value": True}]))
    for key, name, rules in cases:
        got = measure(policy(name, rules), ref)
        results["policies"][key] = {"name": name, **got}
        first = got["first"]
        print(f"{connection.vendor} {persons:,} persons, {name}: first run {first['seconds']} s "
              f"({first['matched']:,} matched, {first['created']:,} new), second {got['second']['seconds']} s "
              f"({got['second']['created']} new)", flush=True)
    first = results["policies"]["district"]["first"]["seconds"]
    per_10m = first * 10_000_000 / max(persons, 1)
    results["district_first_per_10m_s"] = round(per_10m, 1)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-benefits-{connection.vendor}{'-' + args.tag if args.tag else ''}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    lines = [f"# 免申即享 资格比对 ({connection.vendor}, {persons:,} persons)", "",
             "| policy | run | seconds | matched | new | target |", "|---|---|---|---|---|---|"]
    for p in results["policies"].values():
        for label in ("first", "second"):
            r = p[label]
            lines.append(f"| {p['name']} | {label} | {r['seconds']} | {r['matched']:,} | {r['created']:,} | "
                         f"< {TARGET_S:.0f} s at 10,000,000 |")
    verdict = "met" if per_10m < TARGET_S else "NOT met"
    lines += ["", f"District policy, first run, scaled linearly to 10,000,000 persons: {per_10m:.1f} s "
                  f"(target < {TARGET_S:.0f} s: {verdict}; measured at {persons:,})."]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
