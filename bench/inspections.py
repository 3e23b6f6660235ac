"""双随机、一公开 bench (issue 26): a plan of 500 objects drawn from the 检查对象名录库 (gen-data's
``inspected_objects``: 1,000,000 at the city size) with its 300 执法人员 — the draw part's
``plans.publish`` and ``plans.draw`` timed (target: the draw < 2 s) — and the public results
page ``GET /inspections/results/`` (no login) through the production server as bench/run.py starts
it (target: p95 < 50 ms), after the results part published some results of the plan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_bench ZHENGWU_DATA_DIR=/tmp/bench \\
        .venv/bin/python bench/inspections.py
    ZHENGWU_DATA_DIR=/tmp/bench-sq .venv/bin/python bench/inspections.py --plans 1   # SQLite

On a bench database after ``zhengwu gen-data`` (never the one you work in). Each run creates a new
plan (numbered BENCH-<timestamp>) of 市场监管局 with the other inspectors' departments joined,
no object filter (every active object eligible), ``count`` 500 and two inspectors per object; the
services are called by name (``zhengwu.inspections.services.plans.publish/draw``,
``zhengwu.inspections.services.results.record_result/publish``): a part not merged yet is reported
and its timing skipped. Written to bench/results/<timestamp>-inspections-<db>.json/.md.
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

TARGETS = {"draw": ("#26", "a draw of 500 from 1,000,000 with 300 inspectors < 2 s", 2000.0),
           "results_page": ("#26", "public results page p95 < 50 ms", 50.0)}
DRAW_SIZE = 500
PUBLISH_RESULTS = 200


def _plan(stamp: str, k: int):
    from django.utils import timezone

    from zhengwu.accounts.models import User
    from zhengwu.inspections.models import InspectionPlan, Inspector, SupervisionItem
    from zhengwu.org.models import Department

    lead = Department.objects.filter(short_name="市场监管局", region__code="410105000000").first()
    if lead is None:
        raise SystemExit("no 市场监管局 in the demo district: run `zhengwu demo` and `zhengwu gen-data` first")
    joint = Department.objects.filter(pk__in=Inspector.objects.exclude(department=lead)
                                      .values("department")).order_by("pk")
    user = User.objects.filter(username="bumen_sj").first()
    item, _ = SupervisionItem.objects.get_or_create(department=lead, name="基准测试：综合监督检查",
                                                    defaults={"legal_basis": "基准测试", "code": "BENCH-001"})
    today = timezone.localdate()
    plan = InspectionPlan.objects.create(
        number=f"BENCH-{stamp}-{k}", name=f"基准测试抽查计划 {stamp} #{k}", department=lead, region=lead.region,
        object_filter={}, count=DRAW_SIZE, inspectors_per_object=2, period_start=today,
        period_end=today + dt.timedelta(days=60), created_by=user)
    plan.items.add(item)
    plan.joint_departments.set(joint)
    return plan, user


def time_draws(stamp: str, plans_n: int) -> dict:
    """publish + draw of ``plans_n`` plans; the draw part's services by name."""
    from zhengwu.inspections.models import InspectedObject, InspectionTask, Inspector

    out = {"objects": InspectedObject.objects.filter(is_active=True).count(), "inspectors": Inspector.objects.count(),
           "publish_ms": [], "draw_ms": [], "tasks": 0}
    try:
        from zhengwu.inspections.services import plans
    except ImportError:
        out["skipped"] = "zhengwu.inspections.services.plans is not merged yet: no draw timed"
        return out
    for k in range(plans_n):
        plan, user = _plan(stamp, k)
        t = time.perf_counter()
        plans.publish(plan, user)
        out["publish_ms"].append(round((time.perf_counter() - t) * 1000, 1))
        plan.refresh_from_db()
        t = time.perf_counter()
        plans.draw(plan, user)
        out["draw_ms"].append(round((time.perf_counter() - t) * 1000, 1))
        out["tasks"] = InspectionTask.objects.filter(plan=plan, draw__is_current=True).count()
        out["plan_id"] = plan.pk
        print(f"plan {plan.number}: publish {out['publish_ms'][-1]} ms, draw {out['draw_ms'][-1]} ms, "
              f"{out['tasks']} tasks", flush=True)
    return out


def publish_some(plan_id: int | None) -> int:
    """Record and publish results of the last plan's tasks (the results part's services)."""
    if plan_id is None:
        return 0
    try:
        from zhengwu.inspections.services import results
    except ImportError:
        return 0
    from django.utils import timezone

    from zhengwu.accounts.models import User
    from zhengwu.inspections.models import InspectionTask

    user = User.objects.filter(username="bumen_sj").first()
    n = 0
    for task in InspectionTask.objects.filter(plan_id=plan_id, draw__is_current=True).order_by("pk")[:PUBLISH_RESULTS]:
        done = results.record_result(task, user, "ok", "未发现问题", timezone.localdate(), files=[],
                                     expected_version=task.lock_version)
        results.publish(done if isinstance(done, InspectionTask) else InspectionTask.objects.get(pk=task.pk))
        n += 1
    return n


class ResultsPage(run.Endpoint):
    name, label, path_re = "results_page", "公示 GET /inspections/results/", r"^/inspections/results/"

    def op(self, s, rnd):
        page = rnd.choice(["", "", "", "?page=2"])
        return s.get(f"/inspections/results/{page}")[0] == 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=3, help="plans drawn (the first is counted as warm-up too)")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
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

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    draws = time_draws(stamp, args.plans)
    published = publish_some(draws.get("plan_id"))
    print(f"published {published} results", flush=True)
    connection.close()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    log = Path("/tmp") / f"zw-inspections-bench-{stamp}.log"
    server = run.Server(args.port, log, args.workers)
    server.start()
    rows = []
    try:
        for cls, clients, ops in [(run.Ping, 1, args.ops), (ResultsPage, 1, args.ops), (ResultsPage, 8, args.ops * 2)]:
            ep = cls({}, args.port)
            run.run_phase(ep, clients, min(ops, 200), 10, seed=1)  # warm-up
            start = server.log_offset()
            res = run.run_phase(ep, clients, ops, args.seconds, seed=2)
            time.sleep(0.5)
            rows.append({"endpoint": ep.name, "label": ep.label, "clients": clients, "client": {
                k: res[k] for k in ("n", "p50", "p95", "p99", "max", "mean", "errors", "throughput")},
                "server": run.summarise(server.server_times(start, server.log_offset(), ep.path_re))})
            c = rows[-1]["client"]
            print(f"{ep.label} ×{clients}: p50 {c['p50']:.2f} p95 {c['p95']:.2f} ms, errors {c['errors']}", flush=True)
    finally:
        server.stop()
    db = connection.vendor
    result = {"at": stamp, "db": db, "draws": draws, "published": published, "rows": rows, "targets": TARGETS}
    (out_dir / f"{stamp}-inspections-{db}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    draw_line = (f"draw of {DRAW_SIZE} from {draws['objects']:,} objects with {draws['inspectors']} inspectors: "
                 + (draws.get("skipped") or f"publish {draws['publish_ms']} ms, draw {draws['draw_ms']} ms"))
    lines = [f"# 双随机一公开 bench {stamp} ({db})", "", draw_line, "",
             "| endpoint | clients | n | client p50 | client p95 | client p99 | server p95 | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        c, sv = r["client"], r["server"]
        lines.append(f"| {r['label']} | {r['clients']} | {c['n']} | {c['p50']:.2f} | {c['p95']:.2f} | {c['p99']:.2f} | "
                     f"{(sv.get('p95') or 0):.2f} | {c['errors']} |")
    lines += ["", "Targets (#26): a draw of 500 from 1,000,000 with 300 inspectors < 2 s; the public results page p95 < 50 ms."]
    (out_dir / f"{stamp}-inspections-{db}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
