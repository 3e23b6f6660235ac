"""The benchmark report judges each endpoint against its issue's target (bench/run.py)."""

import importlib.util
import sys
from pathlib import Path

_bench = Path(__file__).parents[2] / "bench"
sys.path.insert(0, str(_bench))  # run.py imports bench/mix.py by name
try:
    _spec = importlib.util.spec_from_file_location("bench_run", _bench / "run.py")
    run = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(run)
finally:
    sys.path.remove(str(_bench))


def phase(clients: int, *, p95: float = 10.0, throughput: float = 50.0) -> dict:
    return {"clients": clients, "server": {"p95": p95}, "client": {"throughput": throughput}}


def test_latency_targets_are_judged_at_every_client_count():
    phases = [phase(1, p95=12.0), phase(16, p95=45.0)]
    assert run.verdict("search", phases[0], phases) == ("#3 p95 < 30 ms", "✅ pass")
    assert run.verdict("search", phases[1], phases) == ("#3 p95 < 30 ms", "❌ miss (+15.0 ms, 1.5×)")


def test_submissions_are_judged_at_the_highest_client_count_only():
    phases = [phase(1, throughput=94.7), phase(16, throughput=157.3)]
    target, one = run.verdict("submit", phases[0], phases)
    assert target == "#4 ≥ 100 submissions/s"
    assert one == "(not judged at 1 client: 94.7/s)"
    assert run.verdict("submit", phases[1], phases)[1] == "✅ pass (157.3/s)"
    slow = [phase(1, throughput=30.0), phase(16, throughput=59.6)]
    assert run.verdict("submit", slow[1], slow)[1] == "❌ miss (−40.4/s, 60% of target) (59.6/s)"


def test_a_run_with_one_client_only_does_not_judge_submissions():
    phases = [phase(1, throughput=120.0)]
    assert run.verdict("submit", phases[0], phases)[1] == "(not judged at 1 client: 120.0/s)"


def test_an_endpoint_without_a_target():
    phases = [phase(16)]
    assert run.verdict("floor", phases[0], phases) == ("", "")
