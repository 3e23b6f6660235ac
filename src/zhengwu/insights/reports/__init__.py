"""政务服务月报/年报: the bureau's monthly and yearly reports as Excel and PDF.

- :mod:`.rules` — which periods may be reported, the periods compared with (pure);
- :mod:`.tables` — the report's tables computed once through the figure registry, as the system
  principal (the whole deployment's figures);
- :mod:`.excel`, :mod:`.pdf` — the writers (one sheet / section per table, the 指标口径 appendix);
- :mod:`.services` — requesting, generating and scheduling runs (:class:`~zhengwu.insights.models.ReportRun`).

``build_month("2026-11")`` / ``build_year("2026")`` generate a report now and return its run.
"""

from __future__ import annotations


def build_month(period: str):
    from .services import build_month as _build

    return _build(period)


def build_year(period: str):
    from .services import build_year as _build

    return _build(period)
