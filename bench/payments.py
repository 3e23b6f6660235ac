"""Payment notice handling (issue 29): ``POST /api/v1/payments/notices/<provider>`` p95 (target < 20 ms).

    .venv/bin/python bench/payments.py --data-dir /tmp/zw-bench                 # SQLite there
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_bench .venv/bin/python bench/payments.py

On a bench database (never the one you work in): ``migrate`` and ``zhengwu demo`` when it has no
cases; then ``--orders`` 缴款单 are opened (20.00 元 each) on concluded cases that have none, and
their notices are sent through the whole Django stack in process (middleware, the Ninja router,
the HMAC check, the row lock, the payment, the receipt number, the case event, the audit event):
each order paid once (recorded), a tenth of them sent again (duplicate: changes nothing), and a
few for unknown 缴款码 (404) and with a wrong amount (400). Timed per request with
``perf_counter``; written to bench/results/<time>-payments-<db>.md and .json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
SECRET = "bench-secret"
TARGET_MS = 20.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def prepare(orders: int) -> list:
    from django.core.management import call_command
    from django.utils import timezone

    from zhengwu.cases.models import Case
    from zhengwu.payments import rules
    from zhengwu.payments.models import PaymentOrder

    call_command("migrate", verbosity=0)
    if not Case.objects.exists():
        call_command("demo", verbosity=0)
    free = list(Case.objects.filter(state__in=("concluded", "delivered"), payment_order__isnull=True)
                .select_related("department__region").order_by("pk")[:orders])
    if len(free) < orders:
        print(f"only {len(free)} cases without an order: measuring those")
    made = []
    year = timezone.localdate().year
    for case in free:
        o = PaymentOrder.objects.create(case=case, department=case.department, amount_due_fen=2000,
                                        lines=[{"name": "工本费", "basis": "基准测试", "amount_fen": 2000,
                                                "reduction": None, "due_fen": 2000}])
        o.pay_code = rules.pay_code(case.department.region.code, year, o.pk)
        o.save(update_fields=["pay_code"])
        made.append(o)
    return made


def measure(orders: list) -> dict:
    from django.conf import settings
    from django.test import Client

    from zhengwu.payments import providers

    settings.ZHENGWU_PAYMENT_PROVIDERS = {"bench": {"label": "基准测试银行", "secret": SECRET}}
    settings.ALLOWED_HOSTS = ["*"]
    providers._build.cache_clear()
    client = Client()
    url = "/api/v1/payments/notices/bench"
    run = dt.datetime.now().strftime("%H%M%S")
    times: dict[str, list[float]] = {"recorded": [], "duplicate": [], "unknown_order": [], "amount_mismatch": []}
    statuses: dict[str, dict[int, int]] = {k: {} for k in times}

    def send(kind: str, payload: dict) -> None:
        body = json.dumps(payload).encode()
        sig = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        t0 = time.perf_counter()
        r = client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=sig)
        times[kind].append((time.perf_counter() - t0) * 1000)
        statuses[kind][r.status_code] = statuses[kind].get(r.status_code, 0) + 1

    floor = []  # the machine's state: GET /api/v1/health (one SELECT 1) through the same stack
    for _ in range(200):
        t0 = time.perf_counter()
        client.get("/api/v1/health")
        floor.append((time.perf_counter() - t0) * 1000)
    for i, o in enumerate(orders):
        if i % 20 == 0:  # while the order is unpaid: a wrong amount (400), then an unknown 缴款码 (404)
            send("amount_mismatch", {"pay_code": o.pay_code, "transaction_id": f"M{run}-{i}", "amount": "19.99"})
            send("unknown_order", {"pay_code": "99999999999999999999", "transaction_id": f"U{run}-{i}", "amount": "1"})
        send("recorded", {"pay_code": o.pay_code, "transaction_id": f"B{run}-{o.pk}", "amount": "20.00"})
        if i % 10 == 0:
            send("duplicate", {"pay_code": o.pay_code, "transaction_id": f"B{run}-{o.pk}", "amount": "20.00"})
    everything = [t for v in times.values() for t in v]
    return {"rows": {k: {"n": len(v), "p50_ms": round(percentile(v, 50), 2), "p95_ms": round(percentile(v, 95), 2),
                         "max_ms": round(max(v), 2) if v else 0, "statuses": statuses[k]} for k, v in times.items()},
            "all": {"n": len(everything), "p50_ms": round(percentile(everything, 50), 2),
                    "p95_ms": round(percentile(everything, 95), 2)},
            "floor_health": {"n": len(floor), "p50_ms": round(percentile(floor, 50), 2),
                             "p95_ms": round(percentile(floor, 95), 2)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--orders", type=int, default=1000)
    ap.add_argument("--data-dir", default="", help="ZHENGWU_DATA_DIR (SQLite file, audit log) of the bench database")
    args = ap.parse_args()
    if args.data_dir:
        os.environ["ZHENGWU_DATA_DIR"] = args.data_dir
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ZHENGWU_WORKER", "off")
    import django

    django.setup()
    from django.db import connection

    orders = prepare(args.orders)
    result = measure(orders)
    db = connection.vendor
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = ROOT / "bench" / "results" / f"{stamp}-payments-{db}"
    result.update({"when": dt.datetime.now().isoformat(timespec="seconds"), "database": db,
                   "cpus": os.cpu_count(), "orders": len(orders), "target": f"p95 < {TARGET_MS:.0f} ms"})
    out.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    lines = [f"# Payment notices {result['when']} ({db}, {result['cpus']} CPUs)", "",
             f"`bench/payments.py --orders {len(orders)}`: signed notices through the whole Django stack in process "
             "(no HTTP socket); target p95 < 20 ms.", "",
             "| notice | n | p50 ms | p95 ms | max ms | answers |", "|---|---|---|---|---|---|"]
    for k, r in result["rows"].items():
        lines.append(f"| {k} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | "
                     f"{', '.join(f'{s}×{n}' for s, n in sorted(r['statuses'].items()))} |")
    a = result["all"]
    f = result["floor_health"]
    lines += [f"| **all** | {a['n']} | {a['p50_ms']} | **{a['p95_ms']}** | | |",
              f"| floor: GET /api/v1/health | {f['n']} | {f['p50_ms']} | {f['p95_ms']} | | |", "",
              f"Load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other jobs share the machine).",
              ""]
    out.with_suffix(".md").write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"written {out}.md/.json")
    if a["p95_ms"] >= TARGET_MS:
        print(f"p95 {a['p95_ms']} ms is above the target {TARGET_MS} ms")


if __name__ == "__main__":
    main()
