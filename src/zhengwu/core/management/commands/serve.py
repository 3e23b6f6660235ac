"""``zhengwu serve``: the production web server (gunicorn, threaded workers)."""

import logging
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from zhengwu.core import companions
from zhengwu.speedups import warmup


def recommended_workers() -> int:
    """One process per core plus one, each with RECOMMENDED_THREADS threads.

    Requests spend much of their time waiting on the database, so threads help; one process per
    core plus one keeps a core busy while another process waits. Fewer threads in more
    processes (less GIL contention) did not do better and needs more memory, so it is not the
    default (ADR 15).
    """
    return (os.cpu_count() or 1) + 1


RECOMMENDED_THREADS = 4


def _warm_up(worker) -> None:
    """gunicorn's ``post_worker_init``: what each app registered (zhengwu.speedups.warmup)."""
    warmup.warm_up(worker.log)


def json_logger_class():
    """gunicorn's own log lines (starting, booting a worker, timeouts) as JSON too when
    ``ZHENGWU_LOG_FORMAT=json``: its handlers get our formatter and the PII-masking filter."""
    from gunicorn.glogging import Logger

    from zhengwu.core.logging import MaskPIIFilter
    from zhengwu.core.observability import JsonFormatter

    class JsonLogger(Logger):
        def setup(self, cfg):
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())
                    handler.addFilter(MaskPIIFilter())

    return JsonLogger


def prepare_multiprocess_metrics() -> str | None:
    """With ``PROMETHEUS_MULTIPROC_DIR`` set, each gunicorn worker writes its request metrics there
    and /metrics sums them (zhengwu.core.metrics). The files of a previous run are removed first:
    their pids are gone and their counts would be added to the new ones."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        return None
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))
    return path


def _worker_exited(server, worker) -> None:
    """gunicorn's ``child_exit``: the worker's live gauges stop counting (prometheus_client)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


# A Unix socket's path holds at most 107 bytes (sun_path); a longer one is not usable.
SOCKET_PATH_MAX = 100


def control_socket_options(data_dir) -> dict:
    """gunicorn's control socket (gunicornc, gunicorn 25.1+) of this instance: in its data
    directory. gunicorn's default, ``$XDG_RUNTIME_DIR`` or ``~/.gunicorn/gunicorn.ctl``, is one path
    for every instance a user runs: a second ``zhengwu serve`` on the same machine (another port,
    another data directory) took it over from the first. Off when the path is too long for a
    Unix socket."""
    path = os.path.join(os.fspath(data_dir), "gunicorn.ctl")
    if len(os.fsencode(path)) > SOCKET_PATH_MAX:
        return {"control_socket_disable": True}
    return {"control_socket": path}


def gunicorn_options(opts: dict) -> dict:
    """The gunicorn settings ``zhengwu serve`` runs with (those this gunicorn version does not
    know are left out when they are applied)."""
    options = {
        "bind": f"{opts['host']}:{opts['port']}",
        "workers": opts["workers"],
        "threads": opts["threads"],
        "worker_class": "gthread" if opts["threads"] > 1 else "sync",
        "accesslog": os.environ.get("ZHENGWU_ACCESS_LOG") or None,
        "timeout": 60,
        # Keep idle keep-alive connections longer than gunicorn's 2 s default: under load
        # the worker can reach a waiting request after 2 s and close its connection just as
        # the client reuses it, which the client sees as "connection closed" on a POST.
        # A reverse proxy in front keeps its own pool; 15 s is long enough for both.
        "keepalive": 15,
        "graceful_timeout": 20,
        # A worker is replaced after this many requests (a guard against slow memory growth).
        # Each replacement costs a new worker's start and warm-up (seconds of CPU: the search
        # dictionaries) and empties its caches; at 20,000 a busy 2-core server replaced a worker
        # every few minutes, in the middle of the benchmark's mixed run. 0 turns it off.
        "max_requests": opts["max_requests"],
        "max_requests_jitter": opts["max_requests"] // 10,
        # Load what each app registered (the search dictionaries: jieba, pinyin …) before
        # serving, not on some citizen's first search.
        "post_worker_init": _warm_up,
        # Each instance its own control socket (two instances on one machine shared gunicorn's).
        **control_socket_options(settings.DATA_DIR),
    }
    return options


class Command(BaseCommand):
    help = "启动生产用 Web 服务（gunicorn）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("ZHENGWU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("ZHENGWU_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("ZHENGWU_WORKERS", "0")) or recommended_workers())
        parser.add_argument("--threads", type=int, default=int(os.environ.get("ZHENGWU_THREADS", "0")) or RECOMMENDED_THREADS)
        parser.add_argument("--max-requests", type=int,
                            default=int(os.environ.get("ZHENGWU_MAX_REQUESTS", "200000")))
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args, **opts):
        from gunicorn.app.base import BaseApplication

        if not opts["no_collectstatic"] and not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)

        from zhengwu.wsgi import application

        options = gunicorn_options(opts)
        if prepare_multiprocess_metrics():
            options["child_exit"] = _worker_exited
        if settings.ZHENGWU_LOG_FORMAT == "json":
            options["logger_class"] = json_logger_class()

        class App(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    # control_socket*: gunicorn 25.1+ (the requirement is gunicorn>=23)
                    if value is not None and key in self.cfg.settings:
                        self.cfg.set(key, value)

            def load(self):
                return application

        banner = (f"zhengwu 服务启动：http://{opts['host']}:{opts['port']}/ "
                  f"（{opts['workers']} 个进程 × {opts['threads']} 个线程）")
        if settings.ZHENGWU_LOG_FORMAT == "json":  # every line of the output a JSON object
            logging.getLogger("zhengwu.serve").info(banner)
        else:
            self.stdout.write(banner)
        # Companion processes the apps registered (the hall's push server, ADR 0043).
        running = companions.start_all(opts["host"], opts["port"])
        try:
            App().run()
        finally:
            companions.stop_all(running)
