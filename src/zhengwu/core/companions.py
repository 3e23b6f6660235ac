"""Companion processes ``zhengwu serve`` starts beside gunicorn and stops with itself.

An app registers one in its ``ready()``::

    companions.register(Companion("push", prepare))

``prepare(host, web_port)`` returns the ``zhengwu`` sub-command to run (``["push", "--port", …]``)
or None when it is switched off; it may set environment variables the web workers then inherit
(they are forked after it runs). The core knows no app: the queueing app registers its push server
(ADR 0043) here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Companion:
    name: str
    prepare: Callable[[str, int], list[str] | None]


_REGISTRY: dict[str, Companion] = {}


def register(companion: Companion) -> None:
    _REGISTRY[companion.name] = companion


def registered() -> list[Companion]:
    return list(_REGISTRY.values())


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def start(companion: Companion, host: str, port: int) -> subprocess.Popen | None:
    """Start one companion as ``python -m zhengwu <argv>``; on Linux the child is told to stop when
    this process dies (PR_SET_PDEATHSIG). The child imports the same zhengwu as this process."""
    argv = companion.prepare(host, port)
    if argv is None:
        return None
    import zhengwu

    src = os.path.dirname(os.path.dirname(os.path.abspath(zhengwu.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-m", "zhengwu", *argv], env=env,
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)


def start_all(host: str, port: int) -> list[subprocess.Popen]:
    return [p for p in (start(c, host, port) for c in registered()) if p is not None]


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def stop_all(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        stop(proc)
