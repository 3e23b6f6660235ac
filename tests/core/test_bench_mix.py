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
