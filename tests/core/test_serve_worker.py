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


def test_each_instance_has_its_own_gunicorn_control_socket(settings, tmp_path):
    """Two ``zhengwu serve`` on one machine (other port, other data directory) shared gunicorn's
    default control socket, ~/.gunicorn/gunicorn.ctl: each now has one in its data directory."""
    from gunicorn.config import Config

    from zhengwu.core.management.commands import serve

    opts = {"host": "127.0.0.1", "port": 8000, "workers": 1, "threads": 4, "max_requests": 1000}
    paths = []
    for name in ("a", "b"):
        settings.DATA_DIR = tmp_path / name
        options = serve.gunicorn_options(opts)
        paths.append(options["control_socket"])
        assert options["control_socket"] == str(tmp_path / name / "gunicorn.ctl")
        cfg = Config()
        for key, value in options.items():
            if value is not None and key in cfg.settings:
                cfg.set(key, value)
        if "control_socket" in cfg.settings:  # gunicorn 25.1+
            assert cfg.control_socket == options["control_socket"] and not cfg.control_socket_disable
    assert paths[0] != paths[1]
    # A data directory too deep for a Unix socket's path: no control socket rather than a failing one.
    settings.DATA_DIR = tmp_path / ("x" * 120)
    assert serve.gunicorn_options(opts)["control_socket_disable"] is True
