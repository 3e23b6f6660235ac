"""The write path of the insights app: the 大屏 layouts (:class:`~zhengwu.insights.models.ScreenLayout`).

Every change is checked (:mod:`.screen_rules` against the registry: the figure exists, it may be
shown that way, by that dimension, for that period), guarded by the layout's ``lock_version``
(乐观锁: a stale version is refused with 409) and recorded as an audit event, in one transaction.
Only 数据管理员 (and 系统管理员) may change layouts.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from zhengwu.core import audit
from zhengwu.core.errors import Conflict, NotFound
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from . import registry, screen_rules
from .models import ScreenLayout

EDITOR_ROLES = (Role.DATA_ADMIN,)


def may_edit(user) -> bool:
    return has_role(user, *EDITOR_ROLES)


def _require(user) -> None:
    if not may_edit(user):
        raise PermissionDenied("仅数据管理员可以编辑大屏版面")


def figure_info(key: str) -> screen_rules.FigureInfo | None:
    try:
        f = registry.get(key)
    except KeyError:
        return None
    return screen_rules.FigureInfo(f.key, f.name, f.unit, tuple(f.periods), tuple(f.dimensions))


def check(*, name: str, title: str, refresh_seconds, tiles) -> list[dict]:
    """The cleaned tiles; ValidationError (field → Chinese messages) when anything is wrong."""
    errors = screen_rules.layout_errors(name=name, title=title, refresh_seconds=refresh_seconds, tiles=tiles)
    cleaned = []
    if "tiles" not in errors:
        for n, tile in enumerate(tiles, start=1):
            if not isinstance(tile, dict):
                errors[f"tiles.{n - 1}"] = f"第{n}个版块：格式不正确"
                continue
            tile = screen_rules.clean_tile(tile)
            errors.update(screen_rules.tile_errors(n, tile, figure_info(tile["figure"]), registry.DIMENSIONS))
            cleaned.append(tile)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return cleaned


def _state(layout: ScreenLayout) -> dict:
    return {"name": layout.name, "title": layout.title, "refresh_seconds": layout.refresh_seconds,
            "tiles": layout.tiles, "is_current": layout.is_current, "lock_version": layout.lock_version}


def _locked(pk: int, expected_version) -> ScreenLayout:
    layout = ScreenLayout.objects.select_for_update().filter(pk=pk).first()
    if layout is None:
        raise NotFound("大屏版面不存在")
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"lock_version": ["版本锁：缺少或格式不正确，请刷新页面后重试"]}) from None
    if layout.lock_version != expected:
        raise Conflict("该大屏版面已被他人修改，请刷新页面后重试", code="stale")
    return layout


def _name_taken(name: str, pk: int | None = None) -> None:
    if ScreenLayout.objects.filter(name=name.strip()).exclude(pk=pk).exists():
        raise ValidationError({"name": [f"名称：已有名为“{name.strip()}”的大屏版面"]})


@transaction.atomic
def create(actor, *, name: str, title: str, refresh_seconds=60, tiles=None) -> ScreenLayout:
    _require(actor)
    tiles = check(name=name, title=title, refresh_seconds=refresh_seconds, tiles=tiles)
    _name_taken(name)
    layout = ScreenLayout(name=name.strip(), title=title.strip(), refresh_seconds=int(refresh_seconds), tiles=tiles,
                          updated_by=actor)
    try:
        with transaction.atomic():
            layout.save()
    except IntegrityError:
        raise ValidationError({"name": [f"名称：已有名为“{name.strip()}”的大屏版面"]}) from None
    audit.record("insights.screen.create", actor=actor, obj=layout, after=_state(layout))
    return layout


@transaction.atomic
def update(actor, pk: int, *, expected_version, name: str, title: str, refresh_seconds, tiles) -> ScreenLayout:
    _require(actor)
    layout = _locked(pk, expected_version)
    tiles = check(name=name, title=title, refresh_seconds=refresh_seconds, tiles=tiles)
    _name_taken(name, pk)
    before = _state(layout)
    layout.name, layout.title, layout.refresh_seconds = name.strip(), title.strip(), int(refresh_seconds)
    layout.tiles = tiles
    layout.lock_version += 1
    layout.updated_by = actor
    layout.save()
    audit.record("insights.screen.change", actor=actor, obj=layout, before=before, after=_state(layout))
    return layout


@transaction.atomic
def set_current(actor, pk: int, *, expected_version) -> ScreenLayout:
    """Make the layout the one the 大屏 shows (the one before stops being current)."""
    _require(actor)
    layout = _locked(pk, expected_version)
    before = _state(layout)
    for other in ScreenLayout.objects.select_for_update().filter(is_current=True).exclude(pk=pk):
        other.is_current = False
        other.lock_version += 1
        other.save(update_fields=["is_current", "lock_version", "updated_at"])
        audit.record("insights.screen.uncurrent", actor=actor, obj=other, after={"is_current": False})
    layout.is_current = True
    layout.lock_version += 1
    layout.updated_by = actor
    layout.save()
    audit.record("insights.screen.current", actor=actor, obj=layout, before=before, after=_state(layout))
    return layout


def current() -> ScreenLayout | None:
    return ScreenLayout.objects.filter(is_current=True).first()
