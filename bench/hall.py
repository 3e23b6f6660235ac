"""The hall under load: 50 call boards live, 30 windows calling, 1,000 tickets (issue 25, ADR 0043).

    .venv/bin/python bench/hall.py --data-dir /tmp/hall            # SQLite in /tmp/hall
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_hall .venv/bin/python bench/hall.py --data-dir /tmp/hall

1. prepares the database through the ORM: ``migrate`` and ``zhengwu demo`` when the demo hall is
   missing; at least 30 windows in the demo hall (金水区政务服务中心), each with a bench clerk (role
   ``window``, today's duty) serving every business type; today's leftover tickets of the hall are
   cancelled so that only this run's tickets are in the queue;
2. starts ``zhengwu serve`` (which starts the push server on the next port) with an access log
   that records each request's server-side time;
3. opens 50 SSE board clients on ``/push/halls/{id}/events`` and logs in 30 clerk sessions, each
   opening its window (``POST windows/{id}/open``);
4. issues 1,000 tickets (``POST tickets``, Idempotency-Key, from 4 kiosk sessions) while the 30
   clerks call concurrently: ``call-next`` → ``start`` → ``end``, again until every ticket is called;
5. reports: tickets/hour equivalent (tickets called ÷ calling time), lost (issued, never called),
   duplicated (called more than once), call→board delivery p95 over all 50 boards (the event's
   server time ``at`` against the client's receive time, one machine), call-next p95 (server-side
   from the access log and client-timed); writes bench/results/<time>-hall-<db>.md and .json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
os.environ.setdefault("ZHENGWU_WORKER", "off")  # `zhengwu serve` alone: no background worker beside what is measured
# The simulated clients share a handful of staff accounts (a bureau's clerks each have their own):
# the 等保 one-session rule would log them out of each other, and the demo administrator's 动态口令 is
# not typed by a load generator. Both checks are decided at login, so the pages measured are the same.
os.environ.setdefault("ZHENGWU_STAFF_SINGLE_SESSION", "0")
os.environ.setdefault("ZHENGWU_ADMIN_TOTP_REQUIRED", "0")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")

HOST = "127.0.0.1"
CLERK_PREFIX = "bench_hall_clerk"
API = "/api/v1/queueing"


def percentile(values, p):
    from mix import percentile as pct

    return pct(list(values), p)


# ---------------------------------------------------------------------------------------------
# The database: the demo hall, 30 windows with clerks, an empty queue
# ---------------------------------------------------------------------------------------------
def prepare(windows_wanted: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from zhengwu.accounts.models import User
    from zhengwu.org.demo import DEMO_PASSWORD
    from zhengwu.org.models import Hall, Role, RoleGrant, Window

    call_command("migrate", verbosity=0)
    hall = Hall.objects.filter(region__code="410105000000", name="金水区政务服务中心").first()
    if hall is None:
        call_command("demo")
        hall = Hall.objects.get(region__code="410105000000", name="金水区政务服务中心")
    from zhengwu.queueing.models import BusinessType, Duty, ExtraSession, Ticket, WindowSetup

    types = list(BusinessType.objects.filter(hall=hall, is_active=True))
    if not types:  # the demo without the hall part's data: the four business types of the contract
        types = [BusinessType.objects.create(hall=hall, prefix=p, name=n, order=i) for i, (p, n) in
                 enumerate([("A", "综合受理"), ("B", "企业开办"), ("C", "不动产登记"), ("D", "社保医保")])]
    BusinessType.objects.filter(pk__in=[t.pk for t in types]).update(daily_limit=0)
    today = timezone.localdate()
    # Open all day today whatever the calendar says (a bench may run at night or on a Sunday).
    ExtraSession.objects.get_or_create(hall=hall, date=today, kind="delayed", start=dt.time(0, 0),
                                       end=dt.time(23, 59), defaults={"note": "bench/hall.py"})
    district = hall.region
    windows = list(Window.objects.filter(hall=hall, is_active=True).order_by("pk"))
    n = len(windows)
    while len(windows) < windows_wanted:
        n += 1
        number = f"B{n:02d}"
        w, _ = Window.objects.get_or_create(hall=hall, number=number, defaults={"name": f"压测窗口{n}"})
        windows.append(w)
    windows = windows[:windows_wanted]
    clerks = []
    for i, w in enumerate(windows, start=1):
        username = f"{CLERK_PREFIX}{i:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=f"压测窗口员{i:02d}", kind=User.Kind.STAFF)
            user.set_password(DEMO_PASSWORD)
            user.password_changed_at = timezone.now()
            user.save()
        RoleGrant.objects.update_or_create(user=user, role=Role.WINDOW, region=district, department=None,
                                           defaults={"window": w})
        for period in ("day",):
            Duty.objects.update_or_create(window=w, date=today, period=period, defaults={"user": user})
        setup, _ = WindowSetup.objects.get_or_create(window=w)
        setup.business_types.set(types)
        WindowSetup.objects.filter(pk=setup.pk).update(is_open=False, opened_by=None)
        clerks.append({"username": username, "window_id": w.pk, "window": w.number})
    left = Ticket.objects.filter(hall=hall, day=today, status__in=["waiting", "called", "serving"]).update(
        status="cancelled")
    from django.db import connections

    connections.close_all()
    return {"hall_id": hall.pk, "types": [t.pk for t in types], "clerks": clerks, "password": DEMO_PASSWORD,
            "cancelled_leftovers": left}


# ---------------------------------------------------------------------------------------------
# The server (zhengwu serve → gunicorn + the push server)
# ---------------------------------------------------------------------------------------------
class Server:
    def __init__(self, port: int, out_dir: Path):
        self.port, self.push_port = port, port + 1
        self.log_path = out_dir / f"hall-access-{port}.log"
        self.proc = None

    def start(self):
        env = dict(os.environ, ZHENGWU_ACCESS_LOG=str(self.log_path), ZHENGWU_PUSH_PORT=str(self.push_port))
        # The bench's kiosks all come from 127.0.0.1: lift the per-address kiosk limit (30 a minute).
        env.setdefault("ZHENGWU_KIOSK_RATE", "1000000")
        env.pop("ZHENGWU_PUSH", None)
        self.out = open(self.log_path.with_suffix(".server.log"), "w")
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve-child", "--port", str(self.port)], env=env,
                                     stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        ready = set()
        while time.monotonic() < deadline and len(ready) < 2:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {self.out.name}")
            for port, path in ((self.port, "/api/v1/ping"), (self.push_port, "/push/health")):
                try:
                    c = http.client.HTTPConnection(HOST, port, timeout=2)
                    c.request("GET", path)
                    if c.getresponse().status == 200:
                        ready.add(port)
                except OSError:
                    pass
            time.sleep(0.5)
        if len(ready) < 2:
            raise RuntimeError(f"web server or push server did not answer within 120 s (answered: {ready})")

    def push_health(self) -> dict:
        c = http.client.HTTPConnection(HOST, self.push_port, timeout=5)
        c.request("GET", "/push/health")
        return json.loads(c.getresponse().read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: gunicorn and the push child
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.out.close()

    def call_next_times(self) -> list[float]:
        out = []
        if not self.log_path.exists():
            return out
        for line in self.log_path.read_text("utf-8", "replace").splitlines():
            parts = line.split()
            if len(parts) >= 5 and parts[0] == "ZWB" and parts[2].endswith("/call-next") and parts[3] == "200":
                out.append(int(parts[4]) / 1000.0)
        return out


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------
class Board(threading.Thread):
    """One call board: an SSE connection; records (event id, action, ticket, server time, receive time)."""

    def __init__(self, port: int, hall_id: int):
        super().__init__(daemon=True)
        self.port, self.hall_id = port, hall_id
        self.events: list[tuple[int, str, int | None, float, float]] = []
        self.connected = threading.Event()
        self.conn = None
        self.error = None

    def run(self):
        try:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=None)
            self.conn.request("GET", f"/push/halls/{self.hall_id}/events", headers={"Accept": "text/event-stream"})
            resp = self.conn.getresponse()
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status}")
            self.connected.set()
            data = None
            while True:
                raw = resp.fp.readline()
                if not raw:
                    return
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    data = line[6:]
                elif line == "" and data is not None:
                    received = time.time()
                    ev = json.loads(data)
                    at = dt.datetime.fromisoformat(ev["at"]).timestamp()
                    self.events.append((ev["event_id"], ev["action"], ev.get("ticket_id"), at, received))
                    data = None
        except Exception as exc:  # closed by stop(), or a failure to report
            if not getattr(self, "stopping", False):
                self.error = repr(exc)
            self.connected.set()

    def stop(self):
        self.stopping = True
        try:
            if self.conn and self.conn.sock:
                self.conn.sock.shutdown(2)
        except OSError:
            pass


class Timed:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()

    def call(self, session, name, path, payload=None, headers=None):
        t = time.perf_counter()
        status, body, _ = session.post_json(path, payload or {}, headers)
        ms = (time.perf_counter() - t) * 1000
        with self.lock:
            self.times[name].append(ms)
            if status >= 400:
                self.errors[f"{name} HTTP {status}"] += 1
                if self.errors[f"{name} HTTP {status}"] <= 3:
                    print(f"  {name} HTTP {status}: {body[:300].decode('utf-8', 'replace')}", flush=True)
        return status, json.loads(body) if body else {}


def run(args) -> dict:
    from run import Session  # bench/run.py: one keep-alive connection and cookie jar per client

    fx = prepare(args.windows)
    hall_id, clerks = fx["hall_id"], fx["clerks"]
    print(f"hall {hall_id}: {len(clerks)} windows with clerks, {len(fx['types'])} business types; "
          f"{fx['cancelled_leftovers']} leftover tickets of today cancelled", flush=True)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    server = Server(args.port, Path(args.data_dir))
    server.start()
    timed = Timed()
    boards = [Board(server.push_port, hall_id) for _ in range(args.boards)]
    try:
        for b in boards:
            b.start()
        for b in boards:
            b.connected.wait(10)
        failed = [b.error for b in boards if b.error]
        if failed:
            raise RuntimeError(f"{len(failed)} boards failed to connect: {failed[0]}")
        print(f"{args.boards} boards connected; push server: {server.push_health()}", flush=True)

        sessions = []
        for c in clerks:
            s = Session(args.port)
            s.login(c["username"], fx["password"])
            status, body = timed.call(s, "open", f"{API}/windows/{c['window_id']}/open")
            if status >= 400:
                raise RuntimeError(f"opening window {c['window']} failed: HTTP {status} {body}")
            sessions.append((c, s))
        kiosks = []
        for i in range(args.kiosks):
            s = Session(args.port)
            s.login(clerks[i % len(clerks)]["username"], fx["password"])
            kiosks.append(s)

        issued: list[int] = []
        calls: list[tuple[int, int, float]] = []  # (ticket id, window id, client time)
        lock = threading.Lock()
        issuing_done = threading.Event()
        next_no = iter(range(args.tickets))

        def kiosk(s):
            for k in next_no:
                tid = fx["types"][k % len(fx["types"])]
                status, body = timed.call(s, "issue", f"{API}/tickets",
                                          {"hall_id": hall_id, "business_type_id": tid, "source": args.issue_source},
                                          {"Idempotency-Key": uuid.uuid4().hex})
                if status == 201:
                    with lock:
                        issued.append(body["id"])
                if args.issue_pause:
                    time.sleep(args.issue_pause)

        def clerk(c, s):
            idle = 0
            while time.monotonic() < deadline:
                status, body = timed.call(s, "call-next", f"{API}/windows/{c['window_id']}/call-next")
                ticket = body.get("ticket") if status == 200 else None
                if ticket is None:
                    with lock:
                        everything = issuing_done.is_set() and len(calls) >= len(issued)
                    idle += 1
                    if everything or (issuing_done.is_set() and idle > 25):
                        return
                    time.sleep(args.idle_pause)
                    continue
                idle = 0
                with lock:
                    calls.append((ticket["id"], c["window_id"], time.time()))
                if args.serve_seconds:
                    time.sleep(args.serve_seconds)
                timed.call(s, "start", f"{API}/tickets/{ticket['id']}/start")
                timed.call(s, "end", f"{API}/tickets/{ticket['id']}/end")

        deadline = time.monotonic() + args.max_seconds
        started = time.monotonic()
        kiosk_threads = [threading.Thread(target=kiosk, args=(s,)) for s in kiosks]
        clerk_threads = [threading.Thread(target=clerk, args=cs) for cs in sessions]
        for t in kiosk_threads + clerk_threads:
            t.start()
        for t in kiosk_threads:
            t.join()
        issuing_done.set()
        issue_seconds = time.monotonic() - started
        for t in clerk_threads:
            t.join()
        calling_seconds = time.monotonic() - started
        for c, s in sessions:
            timed.call(s, "close", f"{API}/windows/{c['window_id']}/close")
        time.sleep(2)  # the last events reach the boards
    finally:
        for b in boards:
            b.stop()
        server.stop()

    # -- figures --------------------------------------------------------------------------------
    issued_set = set(issued)
    per_ticket = Counter(tid for tid, _w, _t in calls)
    lost = sorted(issued_set - set(per_ticket))
    duplicated = sorted(t for t, n in per_ticket.items() if n > 1)
    foreign = sorted(set(per_ticket) - issued_set)
    called_ids = set(per_ticket)
    latencies, missed_by_board = [], []
    for b in boards:
        seen = {tid for _i, action, tid, _a, _r in b.events if action == "call"}
        missed_by_board.append(len(called_ids - seen))
        latencies += [(r - a) * 1000 for _i, action, _t, a, r in b.events if action == "call"]
    server_cn = server.call_next_times()
    from django.db import connection

    result = {
        "when": dt.datetime.now().isoformat(timespec="seconds"), "database": connection.vendor,
        "cpus": os.cpu_count(), "boards": args.boards, "windows": len(clerks), "tickets_requested": args.tickets,
        "rate": args.rate, "issue_pause": args.issue_pause, "serve_seconds": round(args.serve_seconds, 2),
        "issued": len(issued), "called": len(calls), "lost": len(lost), "duplicated": len(duplicated),
        "called_not_issued_here": len(foreign),
        "issue_seconds": round(issue_seconds, 1), "calling_seconds": round(calling_seconds, 1),
        "tickets_per_hour": round(len(called_ids & issued_set) / calling_seconds * 3600) if calling_seconds else 0,
        "board_events": sum(len(b.events) for b in boards), "board_call_events": len(latencies),
        "boards_missing_calls": sum(1 for m in missed_by_board if m), "calls_missed_on_boards": sum(missed_by_board),
        "board_latency_ms": {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
                             "max": max(latencies) if latencies else None},
        "call_next_server_ms": {"n": len(server_cn), "p50": percentile(server_cn, 0.5),
                                "p95": percentile(server_cn, 0.95)},
        "call_next_client_ms": {"n": len(timed.times["call-next"]), "p50": percentile(timed.times["call-next"], 0.5),
                                "p95": percentile(timed.times["call-next"], 0.95)},
        "issue_client_ms": {"p50": percentile(timed.times["issue"], 0.5), "p95": percentile(timed.times["issue"], 0.95)},
        "errors": dict(timed.errors), "lost_ids": lost[:20], "duplicated_ids": duplicated[:20],
    }
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = out_dir / f"{stamp}-hall-{connection.vendor}"
    base.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    md = markdown(result)
    base.with_suffix(".md").write_text(md)
    print(md)
    print(f"written: {base}.md / .json")
    return result


def _ms(v):
    return "—" if v is None else f"{v:.1f} ms"


def markdown(r: dict) -> str:
    rows = [
        ("tickets issued / called", f"{r['issued']} / {r['called']} (of {r['tickets_requested']} requested)"),
        ("throughput (tickets/hour equivalent)", f"{r['tickets_per_hour']:,} ({r['windows']} windows, "
                                                 f"{r['calling_seconds']} s)"),
        ("lost (issued, never called)", str(r["lost"])),
        ("duplicated (called more than once)", str(r["duplicated"])),
        ("call → board delivery p95 (all boards)", f"{_ms(r['board_latency_ms']['p95'])} "
                                                    f"(p50 {_ms(r['board_latency_ms']['p50'])}, "
                                                    f"max {_ms(r['board_latency_ms']['max'])}; "
                                                    f"{r['board_call_events']} deliveries to {r['boards']} boards)"),
        ("calls a board did not receive", f"{r['calls_missed_on_boards']} "
                                          f"({r['boards_missing_calls']} boards missing any)"),
        ("call-next p95, server-side (access log)", f"{_ms(r['call_next_server_ms']['p95'])} "
                                                    f"(p50 {_ms(r['call_next_server_ms']['p50'])}, "
                                                    f"n={r['call_next_server_ms']['n']})"),
        ("call-next p95, client-timed", f"{_ms(r['call_next_client_ms']['p95'])} "
                                        f"(p50 {_ms(r['call_next_client_ms']['p50'])})"),
        ("issue ticket p95, client-timed", _ms(r["issue_client_ms"]["p95"])),
        ("HTTP errors", ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or "none"),
    ]
    head = (f"# Hall bench {r['when']} ({r['database']}, {r['cpus']} CPUs)\n\n"
            f"{r['boards']} SSE boards, {r['windows']} clerk sessions calling, {r['tickets_requested']} tickets "
            + (f"issued at {r['rate']:,.0f} an hour (the issue's load is 1,000), each served {r['serve_seconds']} s "
               if r.get("rate") else "issued as fast as the kiosks can (stress, --rate 0) ")
            + "(bench/hall.py; server time of each event vs receive time on the same machine).\n\n")
    return head + "| measure | result |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=os.environ.get("ZHENGWU_DATA_DIR", "/tmp/zhengwu-hall-bench"))
    p.add_argument("--port", type=int, default=8210, help="the web port; the push server takes the next one")
    p.add_argument("--out", default=str(ROOT / "bench" / "results"), help="where the results go")
    p.add_argument("--boards", type=int, default=50)
    p.add_argument("--windows", type=int, default=30)
    p.add_argument("--tickets", type=int, default=1000)
    p.add_argument("--kiosks", type=int, default=4)
    p.add_argument("--issue-source", default="kiosk", choices=["kiosk", "remote", "clerk"])
    p.add_argument("--rate", type=float, default=10_000,
                   help="tickets per hour the kiosks issue (the issue's target is 1,000; 0: as fast as they can); "
                        "sets --issue-pause and --serve-seconds unless given")
    p.add_argument("--issue-pause", type=float, default=None, help="seconds between one kiosk's tickets")
    p.add_argument("--serve-seconds", type=float, default=None,
                   help="seconds a clerk serves before ending (default: 80 %% of what the rate leaves each window)")
    p.add_argument("--idle-pause", type=float, default=1.0, help="seconds a clerk waits after an empty queue")
    p.add_argument("--max-seconds", type=float, default=900)
    p.add_argument("--serve-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    # Paced at --rate: the kiosks together issue `rate` tickets an hour; each window is busy 80 % of
    # the time the rate leaves it. --rate 0 runs flat out (a stress test, not the issue's workload).
    if args.issue_pause is None:
        args.issue_pause = args.kiosks * 3600 / args.rate if args.rate else 0.0
    if args.serve_seconds is None:
        args.serve_seconds = 0.8 * args.windows * 3600 / args.rate if args.rate else 0.0
    os.environ["ZHENGWU_DATA_DIR"] = args.data_dir
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    if args.serve_child:
        from run import serve_child

        return serve_child(args.port)
    run(args)


if __name__ == "__main__":
    main()
