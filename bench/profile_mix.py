"""CPU per request of the mixed workload, in one process, without a server or a load tool.

    DATABASE_URL=… ZHENGWU_DATA_DIR=… .venv/bin/python bench/profile_mix.py --size city [--rounds 200] [--profile out.prof]

Runs the request kinds of bench/locustfile.py through Django's test client (the same middleware,
views and templates as under gunicorn; no socket, no WSGI server), each kind as often as it
comes in the mixed run (its share of the paced run's requests), and prints per kind the CPU it
took (``time.process_time``) and its share of the whole. With ``--profile`` the same mix runs
again under cProfile and the functions that took the most time are printed (and the stats
written to the file for ``python -m pstats``).

The figures are lower than the server's (no gunicorn, no socket, one thread: no GIL handoffs):
compare runs of this tool with each other, not with ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")

# Requests of each kind in the paced mixed run at 210 req/s (bench/results/…-final2.md), per 1,000.
SHARES = {
    "guide": 178, "search_api": 175, "submit": 82, "create": 82, "mine_api": 54, "mine_page": 53,
    "case_page": 53, "staff_case": 53, "search_page": 31, "home": 31, "departments": 30, "act": 27,
    "inbox_api": 27, "inbox_page": 27, "accept": 17, "intake_page": 17, "intake_api": 17,
    "assist": 13, "ticket_post": 13, "centre": 9,
}
HOST = "127.0.0.1"
# Kinds that change nothing when repeated (--repeat): the same request, the same answer.
READ_ONLY = ("guide", "search_api", "search_page", "home", "departments", "mine_page", "mine_api", "case_page",
             "staff_case", "intake_page", "intake_api", "inbox_page", "inbox_api", "assist", "centre")


class Mix:
    """The workload's users (logged in as in the mixed run) and one function per request kind."""

    def __init__(self, fx: dict, seed: int = 1):
        from django.test import Client

        self.fx = fx
        self.rnd = random.Random(seed)
        self.anon = Client(HTTP_HOST=HOST)
        first = self.rnd.randrange(len(fx["applicant_id_numbers"]))
        self.citizens = [self._login(fx["applicant_id_numbers"][(first + k) % len(fx["applicant_id_numbers"])],
                                     fx["password"]) for k in range(20)]
        self.window = self._login(fx["window"], fx["staff_password"])
        self.approver = self._login(fx["approver"], fx["staff_password"])
        self.hotline = self._login(fx["hotline"], fx["staff_password"])
        self.drafts: list[tuple] = []   # (client, case id, lock) created and not yet submitted
        self.intake_items: list[dict] = []  # the last intake / inbox lists, as the staff saw them
        self.inbox_items: list[dict] = []
        self.mine: dict[int, list[int]] = defaultdict(list)

    def _login(self, username: str, password: str):
        """Log in through the login form, as Locust does (a real session, CSRF cookie included)."""
        import re

        from django.test import Client

        c = Client(HTTP_HOST=HOST, enforce_csrf_checks=True)
        page = c.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        r = c.post("/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token},
                   HTTP_REFERER=f"http://{HOST}/")
        if r.status_code != 302:
            raise SystemExit(f"login failed for {username}: {r.status_code}")
        return c

    @staticmethod
    def _csrf(c) -> dict:
        return {"HTTP_X_CSRFTOKEN": c.cookies["csrftoken"].value, "HTTP_REFERER": f"http://{HOST}/"}

    def citizen(self):
        return self.rnd.choice(self.citizens)

    # --- the request kinds ----------------------------------------------------------------
    def guide(self):
        return self.anon.get(f"/items/{self.rnd.choice(self.fx['item_ids'])}/")

    def search_api(self):
        return self.anon.get("/api/v1/items/search", {"q": self.rnd.choice(self.fx["queries"])})

    def search_page(self):
        return self.anon.get("/items/search/", {"q": self.rnd.choice(self.fx["queries"])})

    def home(self):
        return self.anon.get("/")

    def departments(self):
        return self.anon.get("/items/departments/")

    def create(self):
        c = self.citizen()
        r = c.post("/api/v1/cases/", {"item_id": self.rnd.choice(self.fx["open_item_ids"]), "form_data": {}},
                   content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **self._csrf(c))
        if r.status_code in (200, 201):
            self.drafts.append((c, r.json()["id"], r.json()["lock_version"]))
        return r

    def submit(self):
        if not self.drafts:
            self.create()
        c, pk, lock = self.drafts.pop()
        r = c.post(f"/api/v1/cases/{pk}/submit", {"lock_version": lock}, content_type="application/json",
                   **self._csrf(c))
        if r.status_code == 200:
            self.mine[id(c)].append(pk)
        return r

    def mine_page(self):
        return self.citizen().get("/cases/mine/")

    def mine_api(self):
        return self.citizen().get("/api/v1/cases/mine")

    def case_page(self):
        c = self.citizen()
        own = self.mine.get(id(c))
        if not own:
            return c.get("/cases/mine/")
        return c.get(f"/cases/{self.rnd.choice(own)}/")

    def staff_case(self):
        return self.window.get(f"/workbench/cases/{self.rnd.choice(self.fx['case_ids'])}/")

    def intake_page(self):
        return self.window.get("/workbench/cases/intake/")

    def _list(self, client, path: str, into: list) -> object:
        """A staff list's first page; its first ten rows kept (replacing ``into``'s) to act on."""
        r = client.get(path, {"limit": 20})
        into[:] = (r.json().get("items") or [])[:10]
        return r

    def _take(self, rows: list) -> dict | None:
        """One row of a list fetched earlier, at random, not to be taken again."""
        return rows.pop(self.rnd.randrange(len(rows))) if rows else None

    def intake_api(self):
        return self._list(self.window, "/api/v1/cases/intake", self.intake_items)

    def accept(self):
        """Accept one case of the list the clerk last fetched (fetched by the intake_api kind)."""
        case = self._take(self.intake_items)
        if case is None:
            return None
        return self.window.post(f"/api/v1/cases/{case['id']}/accept", {"lock_version": case["lock_version"]},
                                content_type="application/json", **self._csrf(self.window))

    def inbox_page(self):
        return self.approver.get("/workbench/cases/inbox/")

    def inbox_api(self):
        return self._list(self.approver, "/api/v1/cases/inbox", self.inbox_items)

    def act(self):
        """Pass one step of the list the approver last fetched (fetched by the inbox_api kind)."""
        step = self._take(self.inbox_items)
        if step is None:
            return None
        case = step["case"]
        return self.approver.post(f"/api/v1/cases/{case['id']}/steps/{step['step_id']}/act",
                                  {"lock_version": case["lock_version"], "action": "pass", "opinion": "同意"},
                                  content_type="application/json", **self._csrf(self.approver))

    def assist(self):
        if not self.fx["ticket_probes"]:
            return None
        p = self.rnd.choice(self.fx["ticket_probes"])
        return self.hotline.get("/api/v1/hotline/assist", {"text": p["text"][:30], "phone": p["phone"],
                                                           "region": p["region"]})

    def ticket_post(self):
        if not self.fx["ticket_probes"]:
            return None
        p = self.rnd.choice(self.fx["ticket_probes"])
        body = {"ticket_type": "help", "content": p["text"] or "路灯不亮，请尽快维修", "phone": p["phone"],
                "address": p["address"], "region": p["region"] or None, "channel": "phone"}
        return self.hotline.post("/api/v1/hotline/tickets", body, content_type="application/json",
                                 HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **self._csrf(self.hotline))

    def centre(self):
        return self.hotline.get("/workbench/hotline/centre/")


def schedule(rounds: int, seed: int) -> list[str]:
    """``rounds`` × 1,000 requests' worth of kinds in the mixed run's proportions, shuffled.

    A submit follows its create (the kinds keep their counts; the order inside is random).
    """
    kinds = [k for k, n in SHARES.items() for _ in range(n * rounds // 100)]
    random.Random(seed).shuffle(kinds)
    return kinds


def run(mix: Mix, kinds: list[str]) -> dict:
    cpu = defaultdict(float)
    count = defaultdict(int)
    errors = defaultdict(int)
    for kind in kinds:
        t0 = time.process_time()
        r = getattr(mix, kind)()
        if r is None:  # nothing to do (an empty list to act on): not a request
            continue
        cpu[kind] += time.process_time() - t0
        count[kind] += 1
        if r is not None and r.status_code >= 500:
            errors[kind] += 1
    return {"cpu": dict(cpu), "count": dict(count), "errors": dict(errors)}


def repeat(mix: Mix, kinds: list[str], n: int, seed: int) -> None:
    """One fixed request per kind (the random choices replayed), n times per round, 5 rounds."""
    print("| kind | min ms CPU | median ms CPU |")
    print("|---|---:|---:|")
    for kind in kinds:
        request = getattr(mix, kind)

        def once(request=request):
            mix.rnd.seed(seed)  # the same item, case, query … every time
            return request()
        for _ in range(max(n // 2, 5)):
            once()
        rounds = []
        for _ in range(5):
            t0 = time.process_time()
            for _ in range(n):
                once()
            rounds.append(1000 * (time.process_time() - t0) / n)
        rounds.sort()
        print(f"| {kind} | {rounds[0]:.2f} | {rounds[2]:.2f} |")


def report(res: dict) -> str:
    total = sum(res["cpu"].values())
    n = sum(res["count"].values())
    lines = [f"{n} requests, {total:.2f} s of CPU: {1000 * total / n:.2f} ms per request", "",
             "| kind | n | ms CPU each | share of CPU | 5xx |", "|---|---:|---:|---:|---:|"]
    for kind in sorted(res["cpu"], key=lambda k: -res["cpu"][k]):
        lines.append(f"| {kind} | {res['count'][kind]} | {1000 * res['cpu'][kind] / res['count'][kind]:.2f} | "
                     f"{100 * res['cpu'][kind] / total:.1f} % | {res['errors'].get(kind, 0)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="city")
    parser.add_argument("--rounds", type=int, default=100, help="× 10 requests (100 → 1,000 requests)")
    parser.add_argument("--warm", type=int, default=50, help="× 10 requests of warm-up, not counted")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", metavar="FILE", help="run the mix again under cProfile; write the stats here")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=0, metavar="N",
                        help="instead of the mix: each read-only --kind (default: all) as one fixed request, "
                             "N times in 5 rounds; min and median ms of CPU (to compare two versions of the code)")
    parser.add_argument("--kind", action="append", choices=sorted(SHARES),
                        help="profile only these kinds (repeatable); the mix still runs for the figures")
    args = parser.parse_args()

    import django

    django.setup()
    import run as bench_run  # bench/run.py: the same fixtures as the benchmark

    fx = bench_run.fixtures(args.size)
    mix = Mix(fx, args.seed)
    run(mix, schedule(args.warm, args.seed + 1))  # also gives the citizens cases of their own to open
    if args.repeat:
        repeat(mix, [k for k in (args.kind or READ_ONLY) if k in READ_ONLY], args.repeat, args.seed)
        return
    res = run(mix, schedule(args.rounds, args.seed + 2))
    print(report(res))
    if args.profile:
        prof = cProfile.Profile()
        if not args.kind:
            prof.enable()
        kinds = schedule(args.rounds, args.seed + 3)
        if args.kind:
            for kind in kinds:  # the others run (they keep the lists and drafts fed) but unprofiled
                if kind in args.kind:
                    prof.enable()
                getattr(mix, kind)()
                prof.disable()
        else:
            run(mix, kinds)
        prof.disable()
        prof.dump_stats(args.profile)
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
        stats.print_stats(args.top)
        out.write("\n--- cumulative ---\n")
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
