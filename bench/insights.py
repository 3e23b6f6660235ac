"""统计分析 bench (issue 27): the rollups and the dashboards on a bench database.

Rows:

- ``rollup_day``: :func:`zhengwu.insights.rollups.rollup_day` of the busiest day (most cases
  accepted and concluded, tickets registered and closed, rating day rows) — target < 60 s;
- ``backfill``: the days rolled up before the dashboards are measured (every day the dashboards
  read: ``--backfill-days``, default 400, the worker's reach), their total and mean time;
- each of :data:`DASHBOARD_URLS`, as its user: server-side p95 < 200 ms, measured twice —
  ``cold``: in-process (``django.test.Client``) with the cache cleared before every request, i.e.
  the page computed every time; ``server``: through the production server as bench/run.py starts
  it (gunicorn's request time), the pages' own caching included;
- ``monthly_report``: :func:`zhengwu.insights.reports.build_month` of last month when that module
  exists (target < 30 s), else "n/a".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_bench ZHENGWU_DATA_DIR=/tmp/bench \\
        .venv/bin/python bench/insights.py
    ZHENGWU_DATA_DIR=/tmp/bench-sq .venv/bin/python bench/insights.py --backfill-days 60   # SQLite

On a bench database after ``zhengwu gen-data`` (never the one you work in). Written to
bench/results/<timestamp>-insights-<db>.json/.md.
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

# (name, path, username): every dashboard page to measure. The integrator adds the department,
# hall, hotline and screen dashboards (and the screen's data URL) here.
DASHBOARD_URLS = [
    ("leader", "/workbench/insights/leader/", "lingdao"),
    ("figures", "/workbench/insights/figures/", "lingdao"),
    ("department", "/workbench/insights/department/", "bumen_sj"),
    ("hall", "/workbench/insights/hall/", "chuangkou"),
    ("hall_data", "/workbench/insights/hall/data.json", "chuangkou"),
    ("hotline", "/workbench/insights/hotline/", "rexian"),
    ("hotline_data", "/workbench/insights/hotline/data.json", "rexian"),
    ("screen", "/workbench/insights/screen/", "lingdao"),
    ("screen_data", "/workbench/insights/screen/data.json", "lingdao"),
]
TARGETS = {"rollup_day": ("#27", "rollup of a day's activity < 60 s", 60_000.0),
           "dashboard": ("#27", "each dashboard p95 < 200 ms server-side", 200.0),
           "monthly_report": ("#27", "monthly report for a city < 30 s", 30_000.0)}
PASSWORD = "Demo@2026zw"


def busiest_day(days: int) -> dt.date:
    """The day of the last ``days`` with the most activity the rollups read."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from zhengwu.cases.models import Case
    from zhengwu.hotline.models import Ticket
    from zhengwu.ratings.models import RatingDaily

    today = timezone.localdate()
    first = today - dt.timedelta(days=days)
    load: dict[dt.date, int] = {}

    def add(rows):
        for day, n in rows:
            if day is not None:
                load[day] = load.get(day, 0) + n

    add(Case.objects.filter(accepted_on__gte=first).values_list("accepted_on").annotate(n=Count("pk")).order_by())
    add(Case.objects.filter(concluded_at__date__gte=first).annotate(d=TruncDate("concluded_at")).values_list("d")
        .annotate(n=Count("pk")).order_by())
    add(Ticket.objects.filter(created_at__date__gte=first).annotate(d=TruncDate("created_at")).values_list("d")
        .annotate(n=Count("pk")).order_by())
    add(Ticket.objects.filter(closed_at__date__gte=first).annotate(d=TruncDate("closed_at")).values_list("d")
        .annotate(n=Count("pk")).order_by())
    add(RatingDaily.objects.filter(day__gte=first).values_list("day").annotate(n=Count("pk")).order_by())
    if not load:
        return today
    return max(load, key=lambda d: (load[d], d))


def time_rollups(backfill_days: int) -> dict:
    from django.utils import timezone

    from zhengwu.insights import rollups

    day = busiest_day(400)
    first = rollups.rollup_day(day)
    second = rollups.rollup_day(day)
    print(f"rollup of the busiest day {day}: {first['seconds']:.2f} s, again {second['seconds']:.2f} s "
          f"({first['rows']} rows)", flush=True)
    today = timezone.localdate()
    started = time.monotonic()
    done = rollups.rollup_days(today - dt.timedelta(days=backfill_days - 1), today) if backfill_days else []
    total = time.monotonic() - started
    print(f"backfill of {len(done)} days: {total:.1f} s", flush=True)
    return {"day": f"{day}", "rows": first["rows"], "ms": first["seconds"] * 1000, "again_ms": second["seconds"] * 1000,
            "backfill_days": len(done), "backfill_s": round(total, 1),
            "backfill_mean_ms": round(total * 1000 / len(done), 1) if done else None,
            "backfill_max_ms": max((d["seconds"] * 1000 for d in done), default=None)}


def cold_pages(requests: int) -> list[dict]:
    """Each dashboard URL in-process, the cache cleared before every request (computed each time)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client, override_settings

    from zhengwu.accounts.models import User

    # In-process, without collectstatic's manifest (the server run uses the real storage).
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=storages):
        return _cold_pages(requests, cache, Client, User)


def _cold_pages(requests, cache, Client, User) -> list[dict]:
    out = []
    for name, path, username in DASHBOARD_URLS:
        user = User.objects.filter(username=username).first()
        if user is None:
            out.append({"name": name, "path": path, "skipped": f"no user {username}"})
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        times, statuses = [], set()
        for i in range(requests + 2):
            cache.clear()
            t = time.perf_counter()
            status = client.get(path).status_code
            if i >= 2:  # the first two warm the templates and the connection
                times.append((time.perf_counter() - t) * 1000)
            statuses.add(status)
        out.append({"name": name, "path": path, "statuses": sorted(statuses), **run.summarise(times),
                    "errors": sum(1 for s in statuses if s != 200)})
        print(f"{path} cold: p50 {out[-1]['p50']:.1f} p95 {out[-1]['p95']:.1f} ms {sorted(statuses)}", flush=True)
    return out


class Page(run.Endpoint):
    def __init__(self, fx, port, name, path, username):
        super().__init__(fx, port)
        self.name, self.label, self.path, self.username = f"dashboard_{name}", f"GET {path}", path, username
        self.path_re = "^" + path.split("?")[0]

    def setup(self, client_no):
        s = run.Session(self.port)
        s.login(self.username, PASSWORD)
        return s

    def op(self, s, rnd):
        return s.get(self.path)[0] == 200


def served_pages(port: int, workers, ops: int, seconds: float, stamp: str) -> list[dict]:
    log = Path("/tmp") / f"zw-insights-bench-{stamp}.log"
    server = run.Server(port, log, workers)
    server.start()
    rows = []
    try:
        for name, path, username in DASHBOARD_URLS:
            ep = Page({}, port, name, path, username)
            run.run_phase(ep, 1, 10, 10, seed=1)  # warm-up
            start = server.log_offset()
            res = run.run_phase(ep, 1, ops, seconds, seed=2)
            time.sleep(0.5)
            sv = run.summarise(server.server_times(start, server.log_offset(), ep.path_re))
            rows.append({"name": name, "path": path, "errors": res["errors"], "n": res["n"], "server": sv})
            print(f"{path} server: p50 {(sv['p50'] or 0):.1f} p95 {(sv['p95'] or 0):.1f} ms, errors {res['errors']}",
                  flush=True)
    finally:
        server.stop()
    return rows


def monthly_report() -> dict:
    """``zhengwu.insights.reports.build_month`` of last month, when that module exists."""
    try:
        from zhengwu.insights import reports
    except ImportError:
        return {"skipped": "n/a (zhengwu.insights.reports not merged yet)"}
    if not hasattr(reports, "build_month"):
        return {"skipped": "n/a (no reports.build_month)"}
    from django.utils import timezone

    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    t = time.perf_counter()
    run = reports.build_month(f"{first:%Y-%m}")
    ms = (time.perf_counter() - t) * 1000
    if getattr(run, "status", "done") != "done":
        return {"month": f"{first:%Y-%m}", "ms": ms, "failed": getattr(run, "error", "")}
    return {"month": f"{first:%Y-%m}", "ms": ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="small", help="the gen-data size the database holds (for the report)")
    parser.add_argument("--backfill-days", type=int, default=400, help="days rolled up before the pages are measured")
    parser.add_argument("--cold", type=int, default=20, help="in-process requests per page, cache cleared")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--no-server", action="store_true", help="only the in-process measurements")
    parser.add_argument("--out", default=str(run.ROOT / "bench" / "results"), help="where the results go")
    args = parser.parse_args()
    run.setup_django()
    from django.db import connection

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    rollup = time_rollups(args.backfill_days)
    cold = cold_pages(args.cold)
    report = monthly_report()
    print(f"monthly report: {report}", flush=True)
    connection.close()
    served = []
    if not args.no_server:
        if not args.port:
            import socket

            with socket.socket() as sock:
                sock.bind((run.HOST, 0))
                args.port = sock.getsockname()[1]
        served = served_pages(args.port, args.workers, args.ops, args.seconds, stamp)
    db = connection.vendor
    result = {"at": stamp, "db": db, "size": args.size, "rollup": rollup, "cold": cold, "served": served,
              "monthly_report": report, "targets": TARGETS}
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stamp}-insights-{args.size}-{db}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    lines = [f"# 统计分析 bench {stamp} ({args.size}, {db})", "",
             f"- rollup of the busiest day ({rollup['day']}, {rollup['rows']:,} rows): {rollup['ms']:,.0f} ms "
             f"(again {rollup['again_ms']:,.0f} ms; target < 60 s)",
             f"- backfill of {rollup['backfill_days']} days: {rollup['backfill_s']} s "
             f"(mean {rollup['backfill_mean_ms']} ms, max {rollup['backfill_max_ms']} ms per day)",
             "- monthly report: " + (report.get("skipped") or f"{report['month']} {report['ms']:,.0f} ms (target < 30 s)"),
             "", "| page | cold p50 | cold p95 | server p50 | server p95 | errors |", "|---|---:|---:|---:|---:|---:|"]
    by_name = {r["name"]: r for r in served}
    for c in cold:
        s = by_name.get(c["name"], {})
        sv = s.get("server") or {}
        lines.append(f"| {c['path']} | {c.get('p50') or 0:.1f} | {c.get('p95') or 0:.1f} | {sv.get('p50') or 0:.1f} | "
                     f"{sv.get('p95') or 0:.1f} | {s.get('errors', '–')} |")
    lines += ["", "Targets (#27): a day's rollup < 60 s; each dashboard p95 < 200 ms server-side; "
              "a city's monthly report < 30 s. *cold*: computed on every request (cache cleared), in-process."]
    (out_dir / f"{stamp}-insights-{args.size}-{db}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
