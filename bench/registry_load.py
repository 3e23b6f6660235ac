"""Benchmark of 基础库批量导入: load N generated persons (or 法人) through the importer and print
rows/s and the time 10,000,000 rows would take at that rate.

Usage (from the repository root; an empty, migrated database — the rows are upserted)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_registry_bench \\
        .venv/bin/python bench/registry_load.py --kind person --rows 1000000 --workers 2

The rows go through the same path as ``zhengwu registry-load`` (checks, AES-GCM encryption,
blind indexes, COPY into a staging table, one INSERT … ON CONFLICT DO UPDATE); only the CSV
parsing is skipped. ``--csv FILE`` instead writes the rows as a CSV file for
``zhengwu registry-load`` (then the parsing is timed too). ``--offset`` starts the generated
numbers further on (a second run with the same offset measures a refresh: every row updated).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["person", "legal"], default="person")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--csv", help="write the rows to this CSV file and exit")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()
    from django.db import connection

    from zhengwu_bench import registries

    if args.csv:
        rows = (registries.person_rows if args.kind == "person" else registries.legal_rows)(args.rows, 1, args.offset)
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            for _, cells in rows:
                writer.writerow(cells)
        print(f"wrote {args.rows:,} rows to {args.csv}")
        return
    t = time.monotonic()
    done = registries.load(args.kind, args.rows, workers=args.workers, offset=args.offset)
    seconds = time.monotonic() - t
    rate = done["rows"] / seconds
    print(f"{connection.vendor} {args.kind}: {done['rows']:,} rows in {seconds:.1f} s = {rate:,.0f} rows/s "
          f"(inserted {done['inserted']:,}, updated {done['updated']:,}, bad {done['bad']:,}, workers {args.workers})")
    print(f"10,000,000 rows at this rate: {10_000_000 / rate / 60:.1f} min")


if __name__ == "__main__":
    main()
