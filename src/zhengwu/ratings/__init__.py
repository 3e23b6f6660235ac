"""好差评 (国办发〔2019〕51号): ratings of concluded cases (网上 一事一评), window visits (现场 一次一评,
tablet or QR code) and 12345 tickets; 差评整改 (核实 → 整改 → 回访, 重新整改), 申诉, 督办; figures
(评价数, 主动评价率, 满意率, 差评数, 差评整改率, 实名差评回访整改率, 默认好评 apart, 维度平均分) from a daily aggregate;
红黑旗; the public figures page; Excel export; the outbox feed for the upper-level system.

Layout: ``rules.py`` (pure rules and figure definitions), ``models.py``, ``services/`` (the one
write path, split by concern; incl. the hotline contract ``services.rate_hotline_ticket``), ``queries.py`` (scoped lists and
figures, ``month_figures_by_department``), ``signals.py`` (concluded cases, closed
12345 tickets → rateable events),
``api.py`` (/api/v1/ratings/), ``views_public.py`` (ratings/…), ``views_staff.py``
(workbench/ratings/…), ``demo.py``; its bench data is ``zhengwu_bench.ratings``.
"""
