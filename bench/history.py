"""Headline figures of bench results as CSV rows (bench/results/history.csv).

    python bench/history.py bench/results/<run>.json ...   # append these runs (skips runs already in it)

One row per run: when, what data and server configuration, the mixed workload's Locust aggregate
(paced run and unpaced capacity run), and per endpoint row the server-side p95 in ms at 1 and at
16 clients (submissions: operations/s at 16 clients). Blank where the run did not measure it.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HISTORY = Path(__file__).parent / "results" / "history.csv"
ROWS = ["search", "search_fresh", "item_guide", "staff_inbox", "staff_case", "case_api", "case_search_city",
        "case_search_window", "rating_figures", "ticket_list", "ticket_similar"]
FIELDS = (["run", "date", "size", "database", "tag", "workers", "threads", "cache", "cases",
           "mixed_users", "mixed_offered_req_s", "mixed_req_s", "mixed_p95_ms", "mixed_errors",
           "capacity_req_s", "capacity_p95_ms", "submit_per_s_c16"]
          + [f"{r}_p95_c{c}" for r in ROWS for c in (1, 16)])


def _num(value, digits: int = 1):
    return "" if value is None else round(value, digits) if digits else round(value)


def row(path: Path) -> dict:
    d = json.loads(path.read_text())
    meta = d["meta"]
    started = meta["started"]
    tag = path.stem.split(f"-{meta['size']}-{meta['database']}", 1)[1].lstrip("-")
    out = {"run": path.stem, "size": meta["size"], "database": meta["database"], "tag": tag,
           "date": f"{started[:4]}-{started[4:6]}-{started[6:8]} {started[9:11]}:{started[11:13]}",
           "workers": meta.get("workers") or "", "threads": meta.get("threads") or "",
           "cache": meta.get("cache") or ("Redis" if "redis" in tag else ""),
           "cases": (meta.get("data_counts") or {}).get("cases", "")}
    mixed, capacity = d.get("mixed"), d.get("mixed_capacity")
    if mixed:
        total = mixed["total"]
        out.update(mixed_users=mixed.get("users", ""), mixed_offered_req_s=mixed.get("rate", ""),
                   mixed_req_s=_num(total["rps"]), mixed_p95_ms=_num(total["p95"], 0), mixed_errors=total["failures"])
    if capacity:
        out.update(capacity_req_s=_num(capacity["total"]["rps"]), capacity_p95_ms=_num(capacity["total"]["p95"], 0))
    for name, phases in d.get("endpoints", {}).items():
        for p in phases:
            if name == "submit" and p["clients"] == 16:
                out["submit_per_s_c16"] = _num(p["client"].get("throughput"))
            key = f"{name}_p95_c{p['clients']}"
            if key in FIELDS:
                out[key] = _num((p.get("server") or {}).get("p95"))
    return out


def main(paths: list[str]) -> None:
    existing = []
    if HISTORY.exists():
        with HISTORY.open(newline="", encoding="utf-8") as fh:
            existing = list(csv.DictReader(fh))
    seen = {r["run"] for r in existing}
    rows = existing + [row(Path(p)) for p in paths if Path(p).stem not in seen]
    rows.sort(key=lambda r: r["run"])
    with HISTORY.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{HISTORY}: {len(rows)} runs")


if __name__ == "__main__":
    main(sys.argv[1:])
