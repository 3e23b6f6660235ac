"""The 办件 feed pushed to a local receiver (issue 29): how many records a second the outbox sends.

    .venv/bin/python bench/case_feed.py --records 20000              # SQLite under ZHENGWU_DATA_DIR
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_bench .venv/bin/python bench/case_feed.py

1. ``migrate``; the bench's own records of an earlier run are deleted; the database's own unsent
   records of the feed are held back (due in 2999) for the run and put back after;
2. fills N records of the ``cases`` feed (:mod:`zhengwu.cases.services.feed`) in the outbox
   table, each with a payload of the feed's fields (受理 / 办结 / 送达 in turn, a masked
   natural-person applicant), as ``outbox.enqueue`` writes them (bulk, in batches of 2,000);
3. starts a receiver in this process: a threaded HTTP server on 127.0.0.1 that parses each batch's
   JSON and confirms every record (``{"accepted": [ids], "receipt": …}``), as the upper platform's
   interface does (:mod:`zhengwu.core.feed_gateways`, ``http``);
4. pushes with the HTTP gateway — ``outbox.push_feed("cases")`` run to empty, as the worker's job
   ``feeds.push`` does — and times it: records/s = confirmed records ÷ push time (target ≥ 1,000/s);
   checks none was lost (every record ``sent``, each received exactly once);
5. writes bench/results/<time>-case-feed-<db>.md and .json; the bench records are deleted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("ZHENGWU_WORKER", "off")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")

OBJECT_TYPE = "bench.case"  # the bench's records: never a real case's
TARGET = 1000.0


class Receiver(BaseHTTPRequestHandler):
    """The upper platform: confirms every record of a batch; counts what it received."""

    received: Counter = Counter()
    batches = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (http.server's name)
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        records = json.loads(raw)["records"]
        ids = [r["id"] for r in records]
        with Receiver.lock:
            Receiver.received.update(ids)
            Receiver.batches += 1
        body = json.dumps({"accepted": ids, "receipt": f"bench-{ids[0]}-{ids[-1]}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


def payload(n: int, event: str) -> dict:
    """The fields of :func:`zhengwu.cases.services.feed.payload` with bench values."""
    from zhengwu.cases.services.feed import EVENTS

    return {
        "办件编号": f"410105{20261204:08d}{n:08d}", "事项名称": "食品经营许可证核发", "实施编码": "11410105MB1234567X4000111",
        "业务办理项编码": "11410105MB1234567X400011100001", "事项类型": "行政许可", "受理部门": "金水区市场监督管理局",
        "受理部门统一社会信用代码": "11410105MB1234567X", "所属区划": "410105000000", "申报渠道": "网上申报",
        "申请人类型": "自然人", "申请人名称": "王*", "证件类型": "居民身份证", "证件号码": "4101**********1234",
        "受理方式": "一般受理", "申请时间": "2026-12-01 09:12:30", "受理日期": "2026-12-01", "逾期视为受理": False,
        "承诺时限（工作日）": 10, "承诺办结日期": "2026-12-15",
        "办结时间": "2026-12-04 16:20:00" if event != "accepted" else None,
        "办理结果": "准予" if event != "accepted" else "", "不予受理理由": "",
        "按时办结": True if event != "accepted" else None, "是否超期": False if event != "accepted" else None,
        "送达方式": "窗口领取" if event == "delivered" else "",
        "送达时间": "2026-12-05 10:00:00" if event == "delivered" else None,
        "办件状态": {"accepted": "审查中", "concluded": "已办结", "delivered": "已送达"}[event], "事件": EVENTS[event],
    }


def fill(n: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from zhengwu.core.models import FeedRecord

    events = ("accepted", "concluded", "delivered")
    start = time.perf_counter()
    now = timezone.now()
    for lo in range(0, n, 2000):
        with transaction.atomic():
            FeedRecord.objects.bulk_create([FeedRecord(
                feed="cases", object_type=OBJECT_TYPE, object_id=str(i), object_ref=f"BENCH{i:08d}",
                event=events[i % 3], version=i % 3 + 1, payload=payload(i, events[i % 3]),
                status=FeedRecord.Status.PENDING, next_attempt_at=now, created_at=now) for i in range(lo, min(n, lo + 2000))])
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--tag", default="")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from zhengwu.core import outbox
    from zhengwu.core.models import FeedRecord

    call_command("migrate", verbosity=0)
    FeedRecord.objects.filter(object_type=OBJECT_TYPE).delete()
    # Records of the database's own (gen-data, demo) are held back for the run and put back after:
    # the local receiver must not confirm what the real upper platform never got.
    others = FeedRecord.objects.filter(feed="cases").exclude(object_type=OBJECT_TYPE).exclude(status="sent")
    held = list(others.values_list("pk", "next_attempt_at"))
    others.update(next_attempt_at=dt.datetime(2999, 1, 1, tzinfo=dt.timezone.utc))
    other_pending = len(held)
    fill_s = fill(args.records)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ZHENGWU_FEED_URL = f"http://127.0.0.1:{server.server_address[1]}/feeds/{{feed}}"
    settings.ZHENGWU_FEED_GATEWAY = "http"
    settings.ZHENGWU_FEED_GATEWAYS = {}

    sent = failed = 0
    start = time.perf_counter()
    while True:
        c = outbox.push_feed("cases", limit=args.records)
        sent, failed = sent + c["sent"], failed + c["failed"]
        if not c["sent"] or c["failed"]:
            break
    push_s = time.perf_counter() - start
    server.shutdown()

    ours = FeedRecord.objects.filter(object_type=OBJECT_TYPE)
    not_sent = ours.exclude(status="sent").count()
    bench_ids = set(ours.values_list("pk", flat=True))
    dup = sum(1 for i, k in Receiver.received.items() if i in bench_ids and k > 1)
    lost = len(bench_ids - set(Receiver.received))
    rate = args.records / push_s if push_s else 0.0
    db = connection.vendor
    result = {
        "bench": "case_feed", "at": dt.datetime.now().isoformat(timespec="seconds"), "database": db,
        "records": args.records, "held_back": other_pending, "fill_s": round(fill_s, 2),
        "push_s": round(push_s, 2), "records_per_s": round(rate, 1), "batches": Receiver.batches,
        "batch_size": outbox.BATCH, "sent": sent, "failed": failed, "not_sent": not_sent, "lost": lost,
        "duplicated": dup, "target_per_s": TARGET, "ok": rate >= TARGET and not_sent == 0 and lost == 0 and dup == 0,
    }
    ours.delete()
    for pk, when in held:
        FeedRecord.objects.filter(pk=pk).update(next_attempt_at=when)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-case-feed-{'postgresql' if db == 'postgresql' else db}{'-' + args.tag if args.tag else ''}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    verdict = "达标" if result["ok"] else "未达标"
    (out / f"{name}.md").write_text(
        f"# 办件信息上报推送（bench/case_feed.py）{result['at']}，{db}\n\n"
        f"| 指标 | 结果 | 目标 | 结论 |\n|---|---|---|---|\n"
        f"| 推送速率 | {rate:,.0f} 条/秒（{args.records:,} 条，{push_s:.2f} 秒，{Receiver.batches} 批，每批 {outbox.BATCH} 条） "
        f"| ≥ {TARGET:,.0f} 条/秒 | {verdict} |\n"
        f"| 丢失 / 重复 / 未确认 | {lost} / {dup} / {not_sent} | 0 / 0 / 0 | {'达标' if not (lost or dup or not_sent) else '未达标'} |\n\n"
        f"填充 {args.records:,} 条用时 {fill_s:.2f} 秒；接收端为本进程内的多线程 HTTP 服务（127.0.0.1），"
        f"网关为 `http`（core/feed_gateways.py），推送即 `outbox.push_feed(\"cases\")`。\n")
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
