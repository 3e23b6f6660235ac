"""``zhengwu serve``'s worker start: what each app registered in its ``AppConfig.ready()``
(zhengwu.speedups.warmup) is loaded, then frozen out of the garbage collector's full passes (ADR 15)."""

from __future__ import annotations

import gc
import sys

import pytest

from zhengwu.core.management.commands import serve
from zhengwu.speedups import warmup

pytestmark = pytest.mark.django_db


class _Log:
    def __init__(self):
        self.warnings = []

    def warning(self, msg, *args):
        self.warnings.append(msg % args)


class _Worker:
    def __init__(self):
        self.log = _Log()


@pytest.fixture
def no_close(monkeypatch):
    """The warm-up closes its connections; inside a test's transaction that would end the test."""
    from django.db import connections

    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    gc.unfreeze()
    yield closed
    gc.unfreeze()


def test_the_apps_register_their_warm_up():
    """The catalogue and the hotline register theirs when Django starts; serve imports neither."""
    assert {"search", "hotline"} <= set(warmup.registered())
    source = serve.__loader__.get_source(serve.__name__)
    assert "zhengwu.catalog" not in source and "zhengwu.hotline" not in source


def test_warm_up_loads_the_dictionaries_and_freezes_them(no_close, monkeypatch):
    from zhengwu.catalog import search
    from zhengwu.catalog.search import analysis
    from zhengwu.hotline import text

    # As in a new worker: nothing loaded yet (earlier tests of the session may have loaded them).
    monkeypatch.setattr(analysis, "_analyzer", None)
    monkeypatch.setattr(text, "_tokenizer", None)
    assert gc.get_freeze_count() == 0
    worker = _Worker()
    serve._warm_up(worker)
    assert worker.log.warnings == []
    assert search.analyzer()._tokenizer is not None  # jieba with the catalogue's words
    assert "pypinyin.phrases_dict" in sys.modules  # pypinyin's phrase dictionary (~250,000 lists)
    assert text.loaded()  # the hotline's plain jieba (知识库 and the dispatch model)
    assert gc.get_freeze_count() > 0
    assert no_close == [True]


def test_a_failing_step_is_logged_and_the_others_still_run(no_close, monkeypatch):
    def broken():
        raise RuntimeError("词典文件损坏")

    ran = []
    monkeypatch.setattr(warmup, "_steps", {"search": broken, "hotline": lambda: ran.append(True)})
    worker = _Worker()
    serve._warm_up(worker)
    assert worker.log.warnings == ["search warm-up skipped: 词典文件损坏"]
    assert ran == [True] and gc.get_freeze_count() > 0 and no_close == [True]
