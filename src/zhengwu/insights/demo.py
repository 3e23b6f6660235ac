"""Demo data of the insights app: a default 大屏 layout (``zhengwu demo`` calls :func:`load`)."""

from __future__ import annotations

DEFAULT_NAME = "默认大屏"
DEFAULT_TILES = [
    {"figure": "cases.accepted", "show": "number", "by": "", "period": "month"},
    {"figure": "cases.on_time_rate", "show": "number", "by": "", "period": "month"},
    {"figure": "ratings.satisfaction_rate", "show": "number", "by": "", "period": "month"},
    {"figure": "hotline.received", "show": "number", "by": "", "period": "day"},
    {"figure": "cases.accepted", "show": "trend", "by": "", "period": "month"},
    {"figure": "cases.on_time_rate", "show": "ranking", "by": "department", "period": "month"},
    {"figure": "hotline.received", "show": "share", "by": "ticket_type", "period": "month"},
    {"figure": "hotline.received", "show": "region", "by": "region", "period": "month"},
]


def ensure_default_screen():
    """The default layout (created once, with the registry's checks); current when none is."""
    from . import services
    from .models import ScreenLayout

    layout = ScreenLayout.objects.filter(name=DEFAULT_NAME).first()
    if layout is None:
        tiles = services.check(name=DEFAULT_NAME, title="政务服务运行监测", refresh_seconds=60, tiles=DEFAULT_TILES)
        layout = ScreenLayout.objects.create(name=DEFAULT_NAME, title="政务服务运行监测", refresh_seconds=60,
                                             tiles=tiles)
    if not ScreenLayout.objects.filter(is_current=True).exists():
        ScreenLayout.objects.filter(pk=layout.pk).update(is_current=True)
        layout.is_current = True
    return layout


def load(stdout) -> None:
    layout = ensure_default_screen()
    stdout.write(f"大屏版面：{layout.name}（{len(layout.tiles)} 个版块）")


def finish(stdout) -> None:
    """After every app's demo and history: the figures of the demo's last days from the rollups (the
    worker rolls up the rest of the year and keeps them fresh)."""
    from .rollups import DEMO_DAYS, rollup_recent

    rollup_recent(DEMO_DAYS)
