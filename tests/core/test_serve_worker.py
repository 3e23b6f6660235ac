"""``zhengwu serve`` starts one background worker beside the web processes unless told not to."""

from zhengwu.core import companions
from zhengwu.core.apps import worker_argv


def test_the_worker_is_a_companion_of_serve(monkeypatch):
    assert "worker" in {c.name for c in companions.registered()}
    monkeypatch.delenv("ZHENGWU_WORKER", raising=False)
    assert worker_argv("127.0.0.1", 8000) == ["worker"]
    for off in ("off", "0", "no", "OFF"):
        monkeypatch.setenv("ZHENGWU_WORKER", off)
        assert worker_argv("127.0.0.1", 8000) is None
