"""Synthetic city-scale data for ``zhengwu gen-data`` and ``make bench`` (deterministic, seeded).

On top of the demo district (金水区, loaded first when missing) it adds, for a chosen size:

- departments in the other districts of 郑州市 (the demo's department set per district, plus
  街道便民服务中心 up to the size's count);
- published service items whose names are composed from the demo catalogue's real item names
  and variant suffixes, each with one published guide version, 3–8 materials and a current
  process definition (审查 → 决定); indexed for search with the search module's bulk path
  (:func:`zhengwu.catalog.search.rebuild_index`);
- applicants (自然人) with encrypted 身份证号 / 手机号 and their blind indexes, derived usernames
  and one shared pre-computed password hash (``BENCH_PASSWORD``);
- cases with their history (CaseEvent) and process steps (CaseStep): Zipf over items, most
  concluded, a few per cent overdue, submissions in working hours over the last 12 months, every
  date on the working-day calendar (due_date = calendar.add_workdays).

One module per domain (``org``, ``catalog``, ``people``, ``cases``, ``hotline``, ``ratings``), each
with its generator, listed in order in :data:`zhengwu_bench.generate.DOMAINS`; they share only
``context`` (sizes, the run's context, the working-day window) and ``bulk`` (the bulk writer).
This package sits outside the product package ``zhengwu``: the product never imports it, and
``zhengwu.core`` imports no domain. A new domain app adds its module here and one line to
``DOMAINS`` (and to ``bulk.BULK_TABLES`` for its million-row tables). Rows go in with PostgreSQL ``COPY`` (psycopg 3) or batched ``executemany`` on SQLite.
No data is deleted; a second run on the same database is refused (see :func:`zhengwu_bench.context.marker`). On
PostgreSQL the big tables are loaded without their plain indexes and foreign keys, which are
built again right after (:func:`zhengwu_bench.bulk.drop_for_bulk_load`); an interrupted run's next run rebuilds
whatever was left out.
"""
