"""The mixed workload's shape, shared by bench/locustfile.py and bench/run.py (no Locust import)."""

from __future__ import annotations

# Requests one task makes, on average, by user class (task weights × requests of each task).
REQUESTS_PER_TASK = {
    "Browser": 1.0,                    # every task is one page or one API call
    "Citizen": (3 * 4 + 2 * 3) / 5,    # apply: search, guide, create, submit; track: 2 pages + a case
    "WindowStaff": (2 * 4 + 1) / 3,    # intake: page, API, case page, accept; or one case page
    "Approver": 4.0,                   # inbox page, API, case page, act
    "HotlineOperator": (3 * 2 + 2) / 5,  # assist + register; or the centre list
}
WEIGHTS = {"Browser": 10, "Citizen": 5, "WindowStaff": 1, "Approver": 1, "HotlineOperator": 1}
LEADERS = 2  # Leader.fixed_count, not paced: a request every 2–5 s each


def pacing_period(rate: float, users: int) -> float:
    """Seconds between one user's task starts so that ``users`` offer ``rate`` requests/s."""
    paced_users = max(users - LEADERS, 1)
    total_weight = sum(WEIGHTS.values())
    per_period = sum(paced_users * w / total_weight * REQUESTS_PER_TASK[c] for c, w in WEIGHTS.items())
    return per_period / max(rate - LEADERS / 3.5, 1.0)


def timeline_windows(rows, steady_from: float, until: float, window: float = 30.0) -> list[dict]:
    """Requests (end time, response ms) of the steady state in ``window``-second slices: when in the
    run the slow ones came. A slice cut off by the run's end (``until``) is left out."""
    slices: dict[int, list[float]] = {}
    for t, ms in rows:
        if t >= steady_from:
            slices.setdefault(int((t - steady_from) // window), []).append(ms)
    out = []
    for k in sorted(slices):
        if steady_from + (k + 1) * window > until + 1:
            continue
        times = slices[k]
        out.append({"from_s": round(k * window), "to_s": round((k + 1) * window), "n": len(times),
                    "rps": round(len(times) / window, 1), "p50": round(percentile(times, 0.50), 1),
                    "p95": round(percentile(times, 0.95), 1), "p99": round(percentile(times, 0.99), 1)})
    return out


def cpu_windows(samples, steady_from: float, until: float, window: float = 30.0) -> list[dict]:
    """The machine's CPU by the same windows as :func:`timeline_windows`, from ``samples``: (time,
    the fields of /proc/stat's ``cpu`` line: user nice system idle iowait irq softirq steal …),
    taken about once a second. Per window, of all the CPU time: ``busy`` (running anything),
    ``steal`` (this VM wanted a CPU and the host gave it to another: the noise of a shared
    machine, which no code change moves) and ``iowait``."""
    out = []
    k = 0
    while steady_from + (k + 1) * window <= until + 1:
        lo, hi = steady_from + k * window, steady_from + (k + 1) * window
        inside = [s for s in samples if lo - 1 <= s[0] <= hi + 1]
        if len(inside) >= 2:
            out.append({"from_s": round(k * window), "to_s": round((k + 1) * window),
                        **cpu_shares(inside[0][1], inside[-1][1])})
        k += 1
    return out


def cpu_shares(a: list[int], b: list[int]) -> dict:
    """Of the machine's CPU time between two readings of /proc/stat's ``cpu`` line (user nice
    system idle iowait irq softirq steal …): ``busy`` (running anything; neither idle, waiting
    for I/O nor stolen), ``steal`` and ``iowait``, as fractions."""
    d = [y - x for x, y in zip(a[:8], b[:8])]
    total = sum(d) or 1
    idle, iowait, steal = d[3], d[4], d[7]
    return {"busy": round((total - idle - iowait - steal) / total, 3), "steal": round(steal / total, 3),
            "iowait": round(iowait / total, 3)}


def cpu_per_request(cpu: dict, rps: float, cores: int, busy: float = 0.70) -> dict | None:
    """Milliseconds of CPU a mixed request took (web processes; every process), and the rate at
    which that cost keeps the machine's ``cores`` ``busy``. Machines of one kind differed in
    speed by half (ADR 15), and a paced run's latency is decided by how busy it keeps the cores:
    this is the figure that says how far a machine is from the target."""
    if not rps or not cpu.get("cores"):
        return None
    used = cpu["cores"]
    web = sum(c for g, c in used.items() if g.startswith("web"))
    all_ms = sum(used.values()) * 1000 / rps
    return {"web_ms": web * 1000 / rps, "all_ms": all_ms,
            "rate_at_70": busy * cores * 1000 / all_ms if all_ms else 0.0}


def percentile(values: list[float], p: float) -> float | None:
    """The ``p`` (0–1) percentile of ``values``, interpolated; None for no values."""
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)
