"""Mixed portal workload for ``make bench`` (Locust, headless).

    ZW_BENCH_FIXTURES=/tmp/zw-bench-…/fixtures.json locust -f bench/locustfile.py --headless \\
        -u 32 -r 8 -t 120s --host http://127.0.0.1:8090 --csv /tmp/zw-mixed

bench/run.py writes the fixtures file (item ids, demo-district case ids, applicant 身份证号, staff
logins) and runs this for you. The mix, by user weight:

- 浏览 (citizen, anonymous, 10): portal home, browse departments, item guides, search API;
- 申报 (citizen, logged in, 3): search → guide → create + submit a case via the API → 我的办件;
- 查询进度 (citizen, logged in, 2): 我的办件 page and API, one case's detail;
- 窗口受理 (staff chuangkou, 1): intake queue API → accept the oldest case (API) or open it;
- 审批 (staff shenpi_sj, 1): inbox page → case page → pass an active step (API);
- 12345 坐席 (staff rexian, 1): console suggestions while typing → register a call (API) →
  dispatch-centre list;
- 领导 (staff admin, weight 1 in 40): this month's 好差评 figures by department.

Every user waits 0.5–2 s between tasks (a person, not a flood); the run is bounded by ``-t``.
With ``-u`` users, the offered load is then about 1.65 requests per user per second (≈ 390 req/s
at 240 users): more than two cores serve, so that run measures capacity, and its latency is the
queue of an overload.

Paced (``ZW_BENCH_RATE=200 ZW_BENCH_USERS=240``): every user starts a task every P seconds
(Locust ``constant_pacing``; a task that takes longer starts the next at once), with P chosen so
that the users together offer ZW_BENCH_RATE requests per second (from each class's share of the
users and its requests per task: bench/mix.py). That run measures the latency at a
given rate: the issue's target "200 req/s with p95 < 100 ms".
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid

from http.cookiejar import CookieJar
from urllib.parse import urlencode

from locust import between, constant_pacing, events, task
from locust.contrib.fasthttp import FastHttpUser as HttpUser  # geventhttpclient: a fraction of requests' CPU
from mix import pacing_period  # bench/mix.py (Locust puts the locustfile's folder on sys.path)

FX = json.loads(open(os.environ["ZW_BENCH_FIXTURES"], encoding="utf-8").read())
_next_applicant = [0]
# Each run's citizens are a different slice of the generated applicants. With the same ones every
# run, a dozen runs gave each of them up to 1,580 cases, and 我的办件 (the applicant's list, its
# count and its OR over applicant and agent) grew costlier from run to run.
_FIRST_APPLICANT = random.SystemRandom().randrange(len(FX["applicant_id_numbers"]))

# Every request's end time and response time, written when the run stops (bench/run.py reads it for
# the latency over the run, window by window: a transient and a steady state look alike in totals).
TIMELINE = os.environ.get("ZW_BENCH_TIMELINE")
_timeline: list[tuple[float, float]] = []

if TIMELINE:
    @events.request.add_listener
    def _record(request_type, name, response_time, response_length, exception=None, **kw):
        _timeline.append((time.time(), response_time))

    @events.quitting.add_listener
    def _write_timeline(environment, **kw):
        with open(TIMELINE, "w", encoding="utf-8") as f:
            f.writelines(f"{t:.3f},{ms:.1f}\n" for t, ms in _timeline)

RATE = float(os.environ.get("ZW_BENCH_RATE") or 0)
USERS = int(os.environ.get("ZW_BENCH_USERS") or 0)


def _wait():
    return constant_pacing(pacing_period(RATE, USERS)) if RATE and USERS else between(0.5, 2)


def _login(user: HttpUser, username: str, password: str) -> bool:
    r = user.client.get("/accounts/login/", name="/accounts/login/")
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": m.group(1) if m else ""})
    r = user.client.post("/accounts/login/", data=body,
                         headers={"Referer": user.host + "/", "Content-Type": "application/x-www-form-urlencoded"},
                         allow_redirects=False, name="/accounts/login/ [POST]")
    user.client.get("/api/v1/ping", name="/api/v1/ping")
    return r.status_code == 302


def _cookie(jar: CookieJar, name: str) -> str:
    return next((c.value for c in jar if c.name == name), "")


def _csrf(user: HttpUser) -> dict:
    return {"X-CSRFToken": _cookie(user.client.cookiejar, "csrftoken"), "Referer": user.host + "/"}


def _q(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}"


class Browser(HttpUser):
    weight = 10
    wait_time = _wait()

    @task(3)
    def guide(self):
        self.client.get(f"/items/{random.choice(FX['item_ids'])}/", name="/items/[id]/")

    @task(3)
    def search(self):
        self.client.get(_q("/api/v1/items/search", q=random.choice(FX["queries"])),
                        name="/api/v1/items/search")

    @task(1)
    def home(self):
        self.client.get("/", name="/")

    @task(1)
    def departments(self):
        self.client.get("/items/departments/", name="/items/departments/")

    @task(1)
    def search_page(self):
        self.client.get(_q("/items/search/", q=random.choice(FX["queries"])), name="/items/search/")


class Citizen(HttpUser):
    weight = 5
    wait_time = _wait()

    def on_start(self):
        ids = FX["applicant_id_numbers"]
        k = _next_applicant[0]
        _next_applicant[0] += 1
        self.ok = _login(self, ids[(_FIRST_APPLICANT + k) % len(ids)], FX["password"])
        self.cases: list[int] = []

    @task(3)
    def apply(self):
        if not self.ok or not FX["open_item_ids"]:
            return
        # One application in five to the window clerk's district (refills the intake queue).
        window_items = FX.get("window_item_ids") or []
        item = random.choice(window_items if window_items and random.random() < 0.2 else FX["open_item_ids"])
        self.client.get(_q("/api/v1/items/search", q=random.choice(FX["queries"])),
                        name="/api/v1/items/search")
        self.client.get(f"/items/{item}/", name="/items/[id]/")
        r = self.client.post("/api/v1/cases/", json={"item_id": item, "form_data": {}},
                             headers={**_csrf(self), "Idempotency-Key": uuid.uuid4().hex}, name="/api/v1/cases/ [create]")
        if r.status_code not in (200, 201):
            return
        case = r.json()
        r = self.client.post(f"/api/v1/cases/{case['id']}/submit", json={"lock_version": case["lock_version"]},
                             headers=_csrf(self), name="/api/v1/cases/[id]/submit")
        if r.status_code == 200:
            self.cases.append(case["id"])

    @task(2)
    def track(self):
        if not self.ok:
            return
        self.client.get("/cases/mine/", name="/cases/mine/")
        self.client.get("/api/v1/cases/mine", name="/api/v1/cases/mine")
        if self.cases:
            self.client.get(f"/cases/{random.choice(self.cases)}/", name="/cases/[id]/")


class WindowStaff(HttpUser):
    weight = 1
    wait_time = _wait()

    def on_start(self):
        self.ok = _login(self, FX["window"], FX["staff_password"])

    @task(2)
    def intake(self):
        if not self.ok:
            return
        self.client.get("/workbench/cases/intake/", name="/workbench/cases/intake/")
        r = self.client.get(_q("/api/v1/cases/intake", limit=20), name="/api/v1/cases/intake")
        if r.status_code != 200:
            return
        items = r.json().get("items") or []
        if not items:
            return
        case = random.choice(items[:10])
        self.client.get(f"/workbench/cases/{case['id']}/", name="/workbench/cases/[id]/")
        with self.client.post(f"/api/v1/cases/{case['id']}/accept", json={"lock_version": case["lock_version"]},
                              headers=_csrf(self), name="/api/v1/cases/[id]/accept", catch_response=True) as resp:
            if resp.status_code in (409, 422, 400):  # another staff user took it first: not an error
                resp.success()

    @task(1)
    def case_page(self):
        if self.ok:
            self.client.get(f"/workbench/cases/{random.choice(FX['case_ids'])}/", name="/workbench/cases/[id]/")


class Approver(HttpUser):
    weight = 1
    wait_time = _wait()

    def on_start(self):
        self.ok = _login(self, FX["approver"], FX["staff_password"])

    @task
    def approve(self):
        if not self.ok:
            return
        self.client.get("/workbench/cases/inbox/", name="/workbench/cases/inbox/")
        r = self.client.get(_q("/api/v1/cases/inbox", limit=20), name="/api/v1/cases/inbox")
        if r.status_code != 200:
            return
        items = r.json().get("items") or []
        if not items:
            return
        step = random.choice(items[:10])
        case = step["case"]
        self.client.get(f"/workbench/cases/{case['id']}/", name="/workbench/cases/[id]/")
        with self.client.post(f"/api/v1/cases/{case['id']}/steps/{step['step_id']}/act",
                              json={"lock_version": case["lock_version"], "action": "pass", "opinion": "同意"},
                              headers=_csrf(self), name="/api/v1/cases/[id]/steps/[step]/act",
                              catch_response=True) as resp:
            if resp.status_code in (409, 422, 400):  # stale lock: someone acted first
                resp.success()


class HotlineOperator(HttpUser):
    weight = 1
    wait_time = _wait()

    def on_start(self):
        self.ok = _login(self, FX["hotline"], FX["staff_password"])

    @task(3)
    def register_call(self):
        if not self.ok or not FX["ticket_probes"]:
            return
        probe = random.choice(FX["ticket_probes"])
        self.client.get(_q("/api/v1/hotline/assist", text=probe["text"][:30], phone=probe["phone"],
                           region=probe["region"]), name="/api/v1/hotline/assist")
        body = {"ticket_type": "help", "content": probe["text"] or "路灯不亮，请尽快维修", "phone": probe["phone"],
                "address": probe["address"], "region": probe["region"] or None, "channel": "phone"}
        self.client.post("/api/v1/hotline/tickets", json=body,
                         headers={**_csrf(self), "Idempotency-Key": uuid.uuid4().hex}, name="/api/v1/hotline/tickets [POST]")

    @task(2)
    def centre(self):
        if self.ok:
            self.client.get("/workbench/hotline/centre/", name="/workbench/hotline/centre/")


class Leader(HttpUser):
    weight = 1
    fixed_count = 2
    wait_time = between(2, 5)

    def on_start(self):
        self.ok = _login(self, FX["city_admin"], FX["staff_password"])

    @task
    def rating_figures(self):
        if self.ok:
            self.client.get(_q("/api/v1/ratings/figures", period=random.choice(FX["rating_periods"]), by="department"),
                            name="/api/v1/ratings/figures")
