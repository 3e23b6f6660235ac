"""查询核验 bench (issue 24): the production server (``zhengwu serve``, as bench/run.py starts it)
answering ``POST /api/v1/data/verify/person`` (target: p99 < 10 ms at 1 client, the call record
included), the same at 16 clients, ``/data/query/person``, a batch of 1,000
(``/data/verify/person/batch``, target < 300 ms) and ``/data/verify/legal`` (法人 核验, the same
target) when the 法人库 holds entities. ``make bench`` runs it after bench/run.py on the same
database: at the city size, gen-data's 10,000,000 persons and 2,000,000 法人.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_bench ZHENGWU_DATA_DIR=/tmp/bench \\
        .venv/bin/python bench/verify.py --people 100000
    ZHENGWU_DATA_DIR=/tmp/bench-sq .venv/bin/python bench/verify.py --people 20000   # SQLite

On a bench database (migrated; never the one you work in). It adds, once, a 人口库 resource, a
consumer department's 应用密钥 with a grant (no per-minute limit, a large daily quota) and
``--people`` 人口库 records (valid 身份证号, encrypted, blind-indexed), then measures. Half the
checks are 一致, a quarter wrong names, a quarter unknown numbers. Latencies are client-side
(HTTP round trip over keep-alive) and server-side (the access log); written to
bench/results/<timestamp>-verify-<db>.json/.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402 - bench/run.py: the server, the HTTP sessions, the phases

TARGETS = {"verify_1": ("#24", "p99 < 10 ms (1 client)", 10.0), "verify_legal_1": ("#24", "p99 < 10 ms (1 client)", 10.0),
           "batch_1000": ("#24", "< 300 ms", 300.0)}
CODE = "BENCH-PERSON"
KEY_NAME = "基准测试：查询核验"


def ensure_data(people: int) -> dict:
    from django.utils import timezone

    from zhengwu.accounts import apikeys
    from zhengwu.core.identifiers import make_id_number
    from zhengwu.datashare.models import DataResource, LegalEntityRecord, PersonRecord, ShareGrant, ShareRequest
    from zhengwu.org.models import Department, Region

    region = Region.objects.order_by("pk").first()
    if region is None:
        raise SystemExit("empty database: run `zhengwu migrate` and `zhengwu demo` first")
    provider, _ = Department.objects.get_or_create(name="基准测试公安局", defaults={"region": region})
    consumer, _ = Department.objects.get_or_create(name="基准测试公积金中心", defaults={"region": region})
    res, _ = DataResource.objects.get_or_create(code=CODE, defaults={
        "name": "人口基础信息（基准测试）", "provider": provider, "registry": "person", "status": "published",
        "version": 1, "published_at": timezone.now()})
    issued = apikeys.issue(f"{KEY_NAME} {dt.datetime.now():%Y%m%d-%H%M%S}", ["data:verify", "data:query"],
                           department=consumer, note="bench/verify.py")
    today = timezone.localdate()
    req = ShareRequest.objects.create(
        number=f"BENCH{int(time.time() * 1000)}", consumer=consumer, resource=res, fields_requested=["name", "gender"],
        fields_approved=["name", "gender"], purpose="基准测试", legal_basis="基准测试", period_start=today,
        period_end=today + dt.timedelta(days=1), state=ShareRequest.State.APPROVED)
    ShareGrant.objects.create(request=req, api_key=issued.key, consumer=consumer, resource=res,
                              fields=["name", "gender", "birth_date"], daily_quota=10**9, per_minute=0,
                              expires_at=timezone.now() + dt.timedelta(days=1))
    # The same key, granted the 法人库 too (a second resource and request).
    legal_res, _ = DataResource.objects.get_or_create(code=CODE + "-LEGAL", defaults={
        "name": "法人基础信息（基准测试）", "provider": provider, "registry": "legal", "status": "published",
        "version": 1, "published_at": timezone.now()})
    legal_req = ShareRequest.objects.create(
        number=f"BENCHL{int(time.time() * 1000)}", consumer=consumer, resource=legal_res, fields_requested=["name"],
        fields_approved=["name"], purpose="基准测试", legal_basis="基准测试", period_start=today,
        period_end=today + dt.timedelta(days=1), state=ShareRequest.State.APPROVED)
    ShareGrant.objects.create(request=legal_req, api_key=issued.key, consumer=consumer, resource=legal_res,
                              fields=["name"], daily_quota=10**9, per_minute=0,
                              expires_at=timezone.now() + dt.timedelta(days=1))

    def number(i: int) -> str:
        day = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000)
        return make_id_number(f"410105{day:%Y%m%d}{i // 20000 % 1000:03d}")

    have = PersonRecord.objects.count()
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]
    batch = []
    for i in range(have, people):
        batch.append(PersonRecord(id_number=number(i), name=names[i % len(names)], gender="男女"[i % 2],
                                  birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000),
                                  household_address="河南省郑州市金水区", region_code="410105"))
        if len(batch) == 5000:
            PersonRecord.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        PersonRecord.objects.bulk_create(batch, ignore_conflicts=True)
    total = max(people, have)
    if have > people:
        # A database loaded by other means (gen-data's persons, a registry import): probe people it
        # holds — 50,000 drawn at random by primary key, their numbers and names decrypted here.
        import random

        top = PersonRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        rnd = random.Random(24)
        pks = sorted({rnd.randrange(1, top + 1) for _ in range(60000)})
        probes = [(p.id_number.reveal_unaudited(), p.name.reveal_unaudited())
                  for p in PersonRecord.objects.filter(pk__in=pks).only("id_number", "name")[:50000]]
    else:
        probes = [(number(i), names[i % len(names)]) for i in range(min(total, 50000))]
    # 法人 probes: 20,000 entities drawn at random by primary key (the 信用代码 and 名称 are public).
    import random as _random

    top_le = LegalEntityRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rnd_le = _random.Random(25)
    legal = list(LegalEntityRecord.objects.filter(pk__in=sorted({rnd_le.randrange(1, top_le + 1) for _ in range(25000)}))
                 .values_list("uscc", "name")[:20000]) if top_le else []
    return {"key": issued.secret, "people": PersonRecord.objects.count(), "numbers": probes, "legal": legal,
            "entities": LegalEntityRecord.objects.count() if legal else 0,
            "unknown": [make_id_number(f"41010520{i % 10:02d}0101{i:03d}"[:17]) for i in range(1000)]}


class Verify(run.Endpoint):
    name, label, path_re = "verify", "核验 POST /api/v1/data/verify/person", r"^/api/v1/data/verify/person$"

    def available(self):
        return bool(self.fx["numbers"])

    def setup(self, client_no):
        return run.Session(self.port)

    def body(self, rnd):
        n, name = rnd.choice(self.fx["numbers"])
        x = rnd.random()
        if x < 0.25:
            name = "查无此名"
        elif x < 0.5:
            n = rnd.choice(self.fx["unknown"])
        return {"id_number": n, "name": name, "purpose": "基准测试：核验申请人身份"}

    def op(self, s, rnd):
        status, data, _ = s.post_json("/api/v1/data/verify/person", self.body(rnd), {"X-Api-Key": self.fx["key"]})
        return status == 200


class Query(Verify):
    name, label, path_re = "query", "查询 POST /api/v1/data/query/person", r"^/api/v1/data/query/person$"

    def op(self, s, rnd):
        n, _ = rnd.choice(self.fx["numbers"])
        status, _, _ = s.post_json("/api/v1/data/query/person", {"id_number": n, "fields": ["name", "gender"],
                                                                 "purpose": "基准测试"}, {"X-Api-Key": self.fx["key"]})
        return status == 200


class VerifyLegal(Verify):
    name, label, path_re = "verify_legal", "法人核验 POST /api/v1/data/verify/legal", r"^/api/v1/data/verify/legal$"

    def available(self):
        return bool(self.fx["legal"])

    def op(self, s, rnd):
        uscc, name = rnd.choice(self.fx["legal"])
        if rnd.random() < 0.25:
            name = "查无此单位有限公司"
        status, _, _ = s.post_json("/api/v1/data/verify/legal", {"uscc": uscc, "name": name, "purpose": "基准测试：核验申请单位"},
                                   {"X-Api-Key": self.fx["key"]})
        return status == 200


class Batch(Verify):
    name, label, path_re = "batch", "批量核验 1000 条 POST /api/v1/data/verify/person/batch", r"/batch$"

    def op(self, s, rnd):
        items = []
        for _ in range(1000):
            b = self.body(rnd)
            items.append({"id_number": b["id_number"], "name": b["name"]})
        status, data, _ = s.post_json("/api/v1/data/verify/person/batch", {"items": items, "purpose": "基准测试"},
                                      {"X-Api-Key": self.fx["key"]})
        return status == 200 and len(json.loads(data)["results"]) == 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default=str(run.ROOT / "bench" / "results"), help="where the results go")
    args = parser.parse_args()
    run.setup_django()
    if not args.port:
        import socket

        with socket.socket() as sock:
            sock.bind((run.HOST, 0))
            args.port = sock.getsockname()[1]
    from django.db import connection

    t0 = time.perf_counter()
    fx = ensure_data(args.people)
    print(f"data ready in {time.perf_counter() - t0:.1f} s", flush=True)
    connection.close()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    log = Path("/tmp") / f"zw-verify-bench-{stamp}.log"
    server = run.Server(args.port, log, args.workers)
    server.start()
    rows = []
    try:
        plan = [(run.Ping, 1, args.ops), (Verify, 1, args.ops), (Verify, 16, args.ops * 2), (VerifyLegal, 1, args.ops),
                (VerifyLegal, 16, args.ops * 2), (Query, 1, args.ops // 2), (Batch, 1, 30)]
        for cls, clients, ops in plan:
            ep = cls(fx, args.port)
            if not ep.available():
                continue
            run_phase = run.run_phase
            run_phase(ep, clients, min(ops, 200), 10, seed=1)  # warm-up
            start = server.log_offset()
            res = run_phase(ep, clients, ops, args.seconds, seed=2)
            time.sleep(0.5)
            server_times = server.server_times(start, server.log_offset(), ep.path_re)
            rows.append({"endpoint": ep.name, "label": ep.label, "clients": clients, "client": {
                k: res[k] for k in ("n", "p50", "p95", "p99", "max", "mean", "errors", "throughput")},
                "server": run.summarise(server_times)})
            c, sv = rows[-1]["client"], rows[-1]["server"]
            print(f"{ep.label} ×{clients}: client p50 {c['p50']:.2f} p99 {c['p99']:.2f} ms, "
                  f"server p99 {sv['p99'] or 0:.2f} ms, {c['throughput']} req/s, errors {c['errors']}", flush=True)
    finally:
        server.stop()
    from django.db import connection as conn

    db = conn.vendor
    result = {"at": stamp, "db": db, "people": fx["people"], "entities": fx["entities"], "rows": rows,
              "targets": TARGETS}
    (out_dir / f"{stamp}-verify-{db}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    lines = [f"# 查询核验 bench {stamp} ({db}, {fx['people']:,} people in 人口库, {fx['entities']:,} 法人 in 法人库)", "",
             "| endpoint | clients | n | client p50 | client p95 | client p99 | server p99 | req/s | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        c, sv = r["client"], r["server"]
        lines.append(f"| {r['label']} | {r['clients']} | {c['n']} | {c['p50']:.2f} | {c['p95']:.2f} | {c['p99']:.2f} | "
                     f"{(sv['p99'] or 0):.2f} | {c['throughput']} | {c['errors']} |")
    lines += ["", "Targets (#24): 核验 p99 < 10 ms at 1 client with the call record written (人口 and 法人); a batch of 1,000 < 300 ms."]
    (out_dir / f"{stamp}-verify-{db}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
