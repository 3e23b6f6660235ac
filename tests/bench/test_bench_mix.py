"""The paced mixed benchmark offers the rate asked for (bench/mix.py, used by the locustfile)."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("bench_mix", Path(__file__).parents[2] / "bench" / "mix.py")
mix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mix)


def offered(period: float, users: int) -> float:
    """Requests per second the users offer with that pacing, counted class by class."""
    paced = users - mix.LEADERS
    total = sum(mix.WEIGHTS.values())
    per_period = sum(paced * w / total * mix.REQUESTS_PER_TASK[c] for c, w in mix.WEIGHTS.items())
    return per_period / period + mix.LEADERS / 3.5


@pytest.mark.parametrize("rate,users", [(200, 240), (210, 240), (100, 120), (400, 240)])
def test_pacing_offers_the_rate(rate, users):
    assert offered(mix.pacing_period(rate, users), users) == pytest.approx(rate)


def test_more_users_wait_longer_between_tasks():
    assert mix.pacing_period(200, 480) == pytest.approx(2 * mix.pacing_period(200, 240), rel=0.01)


def test_every_user_class_has_a_weight_and_a_request_count():
    assert set(mix.WEIGHTS) == set(mix.REQUESTS_PER_TASK)
    assert all(n >= 1 for n in mix.REQUESTS_PER_TASK.values())


def test_timeline_windows_split_the_steady_state_and_drop_the_cut_off_end():
    # 0–10 s ramp (left out), then 200 requests a second for 65 s ending at 75 s: two whole
    # 30-s windows; the last 5 s are a slice the run's end cut off.
    rows = [(t / 200, 500.0) for t in range(10 * 200)]
    rows += [(10 + t / 200, 10.0 + (t % 100)) for t in range(65 * 200)]
    windows = mix.timeline_windows(rows, steady_from=10, until=75)
    assert [(w["from_s"], w["to_s"]) for w in windows] == [(0, 30), (30, 60)]
    assert all(w["n"] == 6000 and w["rps"] == 200 for w in windows)
    assert windows[0]["p50"] == pytest.approx(59.5, abs=0.5)
    assert windows[0]["p95"] == pytest.approx(104, abs=1)
    assert max(w["p99"] for w in windows) < 500  # the ramp's slow requests are not in any window


def test_timeline_windows_of_nothing():
    assert mix.timeline_windows([], steady_from=0, until=100) == []


def test_cpu_windows_split_busy_steal_and_iowait():
    # /proc/stat's cpu fields, once a second: in 0–30 s every second 100 ticks of 200 run, 20 are
    # stolen, 10 wait for I/O and 70 idle; in 30–60 s nothing runs.
    samples, f = [], [0] * 10
    for t in range(61):
        samples.append((10.0 + t, list(f)))
        if t < 30:
            f[0] += 60; f[2] += 40; f[7] += 20; f[4] += 10; f[3] += 70
        else:
            f[3] += 200
    windows = mix.cpu_windows(samples, steady_from=10, until=70)
    assert [(w["from_s"], w["to_s"]) for w in windows] == [(0, 30), (30, 60)]
    assert windows[0]["busy"] == pytest.approx(0.5, abs=0.04)
    assert windows[0]["steal"] == pytest.approx(0.1, abs=0.01)
    assert windows[0]["iowait"] == pytest.approx(0.05, abs=0.01)
    assert windows[1]["busy"] == pytest.approx(0.0, abs=0.04)


def test_cpu_per_request_and_the_rate_that_keeps_the_machine_70_percent_busy():
    cpu = {"cores": {"web (gunicorn workers)": 1.2, "PostgreSQL": 0.2, "Locust (load client)": 0.2}}
    per = mix.cpu_per_request(cpu, rps=200, cores=2)
    assert per["web_ms"] == pytest.approx(6.0)
    assert per["all_ms"] == pytest.approx(8.0)
    assert per["rate_at_70"] == pytest.approx(175.0)  # 1.4 cores of CPU at 8 ms a request
    assert mix.cpu_per_request({"cores": {}}, rps=200, cores=2) is None
    assert mix.cpu_per_request(cpu, rps=0, cores=2) is None
