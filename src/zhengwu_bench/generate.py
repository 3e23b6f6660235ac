"""``generate``: run the domains' generators in order, in one transaction each, loading the big
tables without their plain indexes and foreign keys (ADR 16) and the search index in a side process."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from django.db import connection
from django.utils import timezone

from . import cases, catalog, hall_tickets, hotline, inspections, licences, org, people, ratings, registries
from .bulk import _VENDOR, BULK_TABLES, _bulk_models, drop_for_bulk_load, restore_after_bulk_load
from .context import MARKER_USERNAME, SIZES, AlreadyGenerated, Context, ensure_demo, marker

# The domains in the order they run (each reads what the earlier ones wrote). The names are the
# ``gen-data --only`` names and the keys of BULK_TABLES.
DOMAINS: list[tuple[str, Callable[[Context], int]]] = [
    ("departments", org.gen_departments),
    ("items", catalog.gen_items),
    ("search_index", catalog.index_search),
    ("applicants", people.gen_applicants),
    ("cases", cases.gen_cases),
    ("hotline_tickets", hotline.generate),  # 12345 热线工单, ctx.size.tickets rows
    ("ratings", ratings.generate),  # 好差评, ctx.size.ratings rows, 1–3 % 差评
    ("licences", licences.generate),  # 电子证照, ctx.size.licences rows and their events
    ("persons", registries.gen_persons),  # 人口库 through the registry importer (COPY + upsert)
    ("legal_entities", registries.gen_legal_entities),  # 法人库, likewise
    ("hall_tickets", hall_tickets.generate),  # 取号叫号: one hall's year of tickets (2,500,000 at city size) + rollups
    ("inspected_objects", inspections.gen_inspected_objects),  # 检查对象名录库 (1,000,000 at city size) + 300 执法人员
]


def _log_rebuild(timing: dict, log) -> None:
    """The line under a domain's rows: the indexes and foreign keys built again after its load."""
    if timing.get("indexes"):
        log(f"  {'':<16} {timing['indexes']:>7} 个索引和外键  {timing['index_seconds']:7.1f} s")


def _start_search_index(size: str, seed: int, log) -> tuple[subprocess.Popen, Path]:
    """Build the search index in a second process while this one generates the other domains
    (it depends only on the items, which are committed by now)."""
    out = Path(tempfile.mkdtemp(prefix="zw-gen-")) / "search.json"
    cmd = [sys.executable, "-m", "zhengwu", "gen-data", "--size", size, "--seed", str(seed),
           "--only", "search_index", "--json", str(out)]
    log("  search_index     （在另一个进程中并行生成）")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), out


def generate(size: str = "small", seed: int = 1, log: Callable[[str], None] = print,
             today: dt.date | None = None, only: Sequence[str] = (), parallel: bool = False) -> dict:
    """Generate one size of data; returns the timings (seconds and rows per domain).

    ``only``: run just these domains (resuming an interrupted run: the completion marker is
    written only when every domain has run). ``parallel`` (PostgreSQL, full runs): build the
    search index in a second process alongside the applicants, cases, tickets and ratings.
    """
    from zhengwu.accounts.models import User

    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: {', '.join(SIZES)}")
    existing = marker()
    if existing is not None:
        raise AlreadyGenerated(f"该数据库已生成过基准数据（{existing.display_name}）：请换一个空数据库再运行")
    ensure_demo(log)
    now = timezone.now().replace(microsecond=0)
    ctx = Context(size=SIZES[size], seed=seed, today=today or timezone.localdate(), now=now, log=log)
    started = time.monotonic()
    _VENDOR.clear()
    side = None
    parallel = parallel and not only and connection.vendor == "postgresql"
    bulk = [name for name, _ in DOMAINS if name in BULK_TABLES and (not only or name in only)]
    # What an interrupted run left out: all of it before a whole run; before a partial one, that
    # of its own domains (the search index's side process, --only search_index, touches nothing
    # of the main run's).
    if restored := restore_after_bulk_load(_bulk_models(bulk) if only else None):
        log(f"  上次中断的生成留下 {restored} 个索引/外键未重建：已重建")
    dropped = False
    for name, fn in DOMAINS:
        if only and name not in only:
            continue
        if not dropped and (name in bulk or (name == "search_index" and parallel)):
            # Before the search index starts: it reads tables these foreign keys refer to.
            if n := drop_for_bulk_load(_bulk_models(bulk)):
                log(f"  （先移除大表的 {n} 个普通索引和外键，各表写完后重建）")
            dropped = True
        if name == "search_index" and parallel:
            connection.close()  # nothing uncommitted: the other process sees every item
            side = (time.monotonic(), *_start_search_index(size, seed, log))
            continue
        t = time.monotonic()
        rows = fn(ctx)
        if name == "items":
            catalog.load_items(ctx)
        seconds = time.monotonic() - t
        ctx.timings[name] = {**ctx.timings.get(name, {}), "rows": rows, "seconds": round(seconds, 1)}
        log(f"  {name:<16} {rows:>10,} 行  {seconds:7.1f} s")
        if name in bulk:
            t = time.monotonic()
            if n := restore_after_bulk_load(_bulk_models([name])):
                ctx.timings[name].update(indexes=n, index_seconds=round(time.monotonic() - t, 1))
        _log_rebuild(ctx.timings[name], log)
    if side is not None:
        started_side, proc, out = side
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"并行生成搜索索引失败：{err[-2000:]}")
        done = json.loads(out.read_text()).get("search_index", {})
        ctx.timings["search_index"] = {**done, "seconds": round(time.monotonic() - started_side, 1), "parallel": True}
        log(f"  search_index     {done.get('rows', 0):>10,} 行  {ctx.timings['search_index']['seconds']:7.1f} s（并行）")
        _log_rebuild(done, log)
    if not only or set(only) >= {n for n, _ in DOMAINS}:
        User.objects.create(username=MARKER_USERNAME, is_active=False, kind="staff",
                            display_name=f"size={size} seed={seed} at={now:%Y-%m-%d %H:%M}")
    ctx.timings["total_seconds"] = round(time.monotonic() - started, 1)
    ctx.timings["size"] = size
    ctx.timings["seed"] = seed
    ctx.timings["database"] = connection.vendor
    return ctx.timings
