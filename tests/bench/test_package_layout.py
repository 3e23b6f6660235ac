"""Bench data lives outside the product (issue 21): ``zhengwu_bench`` has one module per domain and
no import cycle, the product package never imports it, and ``zhengwu.core`` imports no domain app."""

from __future__ import annotations

import ast
from pathlib import Path

import zhengwu
import zhengwu_bench

SRC = Path(zhengwu.__file__).resolve().parent
BENCH = Path(zhengwu_bench.__file__).resolve().parent
# What core may import of the project: itself, the performance plumbing and the WSGI entry point.
CORE_MAY_IMPORT = ("zhengwu.core", "zhengwu.speedups", "zhengwu.wsgi")


def _imports(path: Path, package: str) -> set[str]:
    """Every module this file imports (at module level or inside a function), absolute names."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([package, base] if base else [package])
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def test_the_product_package_never_imports_the_bench_data():
    offenders = {str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if any(n.split(".")[0] == "zhengwu_bench" for n in _imports(p, "zhengwu"))}
    assert offenders == set()


def test_no_module_of_core_imports_a_domain_app_or_the_bench_data():
    offenders = {}
    for p in (SRC / "core").rglob("*.py"):
        bad = {n for n in _imports(p, "zhengwu.core") if n.startswith("zhengwu")
               and n != "zhengwu" and not any(n == a or n.startswith(a + ".") for a in CORE_MAY_IMPORT)}
        if bad:
            offenders[str(p.relative_to(SRC))] = sorted(bad)
    assert offenders == {}


def test_bench_data_modules_are_split_by_domain_without_an_import_cycle():
    modules = {p.stem: p for p in BENCH.glob("*.py") if p.stem != "__init__"}
    assert {"org", "catalog", "people", "cases", "hotline", "ratings"} <= set(modules)
    long = {name: n for name, p in modules.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}
    graph = {name: {n.split(".")[1] for n in _imports(p, "zhengwu_bench")
                    if n.startswith("zhengwu_bench.") and n.split(".")[1] in modules} - {name}
             for name, p in modules.items()}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        return any(n == target or (n not in seen and reaches(n, target, seen | {n})) for n in graph[start])

    assert [m for m in graph if reaches(m, m, {m})] == []
