"""统计分析 dashboards per role (部门驾驶舱, 大厅看板, 12345看板), the region boundary file, the 大屏
and its layout editor. Pages only compose: data from :mod:`.dashboards` and :mod:`.screen`, writes
through :mod:`.services`."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.core.errors import Conflict, NotFound
from zhengwu.org.models import Role
from zhengwu.org.permissions import is_staff_member, is_sysadmin, roles_of
from zhengwu.workbench.views import roles_required

from . import dashboard, registry, rules, screen, screen_rules, services
from .dashboards import department as dept_dash
from .dashboards import hall as hall_dash
from .dashboards import hotline as hotline_dash
from .dashboards import region
from .models import ScreenLayout

SCREEN_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.DATA_ADMIN)
DEPARTMENT_REFRESH = 300


def _json_roles(*roles, what: str):
    """A JSON endpoint for some roles: 401/403 answered as JSON with a Chinese message."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return JsonResponse({"detail": "请先登录", "errors": {}}, status=401)
            if not is_staff_member(request.user) or not (is_sysadmin(request.user) or roles_of(request.user) & set(roles)):
                return JsonResponse({"detail": f"仅{what}可以查看", "errors": {}}, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _bad(field: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": message, "errors": {field: [message]}}, status=status)


# -- 部门驾驶舱 ---------------------------------------------------------------------------------
@roles_required(*dept_dash.ROLES, what="部门管理员、审批人员、领导和督办人员")
def department(request):
    this_month = timezone.localdate().replace(day=1)
    text = (request.GET.get("month") or "").strip()
    context = {"refresh": DEPARTMENT_REFRESH, "month_text": text or f"{this_month:%Y-%m}",
               "choices": dept_dash.choices(request.user), "chosen": request.GET.get("department") or ""}
    try:
        month = rules.month_bounds(text)[0] if text else this_month
    except rules.PeriodError as exc:
        return render(request, "insights/department.html", {**context, "error": exc.message}, status=400)
    chosen = dept_dash.pick(request.user, request.GET.get("department"))
    if chosen is None:
        message = ("部门不存在或不在您的查看范围" if request.GET.get("department") else "您的数据范围内没有部门")
        return render(request, "insights/department.html", {**context, "error": message},
                      status=404 if request.GET.get("department") else 200)
    data = dashboard.openable_cards(dept_dash.cached_build(request.user, chosen, month), request.user)
    return render(request, "insights/department.html", {
        **context, **data, "chosen": chosen.pk, "is_current": month == this_month,
        "shown_end": min(data["end"], timezone.localdate())})


# -- 大厅看板 -----------------------------------------------------------------------------------
def _hall(request):
    halls = hall_dash.halls_for(request.user)
    wanted = request.GET.get("hall")
    if wanted:
        try:
            return halls.filter(pk=int(wanted)).first(), halls
        except ValueError:
            return None, halls
    return halls.first(), halls


@roles_required(*hall_dash.ROLES, what="窗口人员、督办人员和领导")
def hall(request):
    chosen, halls = _hall(request)
    context = {"halls": list(halls.values_list("pk", "name")[:200]), "refresh": hall_dash.REFRESH_SECONDS}
    if chosen is None:
        message = "大厅不存在或不在您的查看范围" if request.GET.get("hall") else "您的数据范围内没有启用的大厅"
        return render(request, "insights/hall.html", {**context, "error": message},
                      status=404 if request.GET.get("hall") else 200)
    data = hall_dash.cached_build(request.user, chosen)
    live = {"url": f"{reverse('insights:hall_data')}?hall={chosen.pk}", "every": hall_dash.REFRESH_SECONDS * 1000}
    return render(request, "insights/hall.html", {
        **context, "data": data, "chosen": chosen.pk, "live": live, "hall_windows": data["tables"]["hall-windows"],
        "hall_waiting": data["tables"]["hall-waiting"], "hours_chart": data["charts"]["hall-hours"],
        "ratings_chart": data["charts"]["hall-ratings"]})


@_json_roles(*hall_dash.ROLES, what="窗口人员、督办人员和领导")
def hall_data(request):
    chosen, _ = _hall(request)
    if chosen is None:
        return _bad("hall", "大厅：不存在或不在您的查看范围", 404)
    return JsonResponse(hall_dash.cached_build(request.user, chosen))


# -- 12345看板 ----------------------------------------------------------------------------------
@roles_required(*hotline_dash.ROLES, what="热线坐席、督办人员、领导和部门管理员")
def hotline(request):
    data = hotline_dash.cached_build(request.user)
    live = {"url": reverse("insights:hotline_data"), "every": hotline_dash.REFRESH_SECONDS * 1000}
    charts, tables = data["charts"], data["tables"]
    return render(request, "insights/hotline.html", {
        "data": data, "live": live, "overdue_url": hotline_dash.overdue_url(request.user),
        "refresh": hotline_dash.REFRESH_SECONDS, "hours_chart": charts["hotline-hours"],
        "types_chart": charts["hotline-types"], "channels_chart": charts["hotline-channels"],
        "regions_chart": charts["hotline-regions"], "hot_categories": tables["hot-categories"],
        "hot_regions": tables["hot-regions"], "hot_items": tables["hot-items"]})


@_json_roles(*hotline_dash.ROLES, what="热线坐席、督办人员、领导和部门管理员")
def hotline_data(request):
    return JsonResponse(hotline_dash.cached_build(request.user))


# -- the region boundary file -------------------------------------------------------------------
def region_geojson(request):
    """The configured boundary file (for ``echarts.registerMap``): staff only, 404 when none."""
    if not request.user.is_authenticated or not is_staff_member(request.user):
        return JsonResponse({"detail": "仅限工作人员使用", "errors": {}}, status=403)
    path = region.geojson_path()
    if path is None or region.load() is None:
        return JsonResponse({"detail": "未配置区划边界文件", "errors": {}}, status=404)
    response = FileResponse(path.open("rb"), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# -- 大屏 ---------------------------------------------------------------------------------------
def _layout(request) -> ScreenLayout | None:
    """The layout shown: ``?layout=<id>`` (a preview, for the data admin), else the current one."""
    wanted = request.GET.get("layout")
    if wanted and services.may_edit(request.user):
        try:
            return ScreenLayout.objects.filter(pk=int(wanted)).first()
        except ValueError:
            return None
    return services.current()


@roles_required(*SCREEN_ROLES, what="领导、督办人员和数据管理员")
def screen_page(request):
    layout = _layout(request)
    if layout is None:
        return render(request, "insights/screen.html", {"error": "尚未设置当前大屏版面：请数据管理员在“大屏版面”中设置"})
    data = screen.cached_build(layout, request.user)
    url = reverse("insights:screen_data") + (f"?layout={layout.pk}" if request.GET.get("layout") else "")
    tiles = [{**t, "index": i, "spec_id": f"tile-{i}-data"} for i, t in enumerate(data["tiles"])]
    return render(request, "insights/screen.html", {
        "data": data, "tiles": tiles, "layout": layout, "live": {"url": url, "every": layout.refresh_seconds * 1000}})


@_json_roles(*SCREEN_ROLES, what="领导、督办人员和数据管理员")
def screen_data(request):
    layout = _layout(request)
    if layout is None:
        return _bad("layout", "大屏版面：尚未设置当前版面", 404)
    return JsonResponse(screen.cached_build(layout, request.user))


# -- 大屏版面 editor ------------------------------------------------------------------------------
EDITOR = (Role.DATA_ADMIN,)
EXTRA_ROWS = 3


def _tiles_from(post) -> list[dict]:
    try:
        count = min(int(post.get("tile_count", 0)), screen_rules.MAX_TILES + EXTRA_ROWS)
    except ValueError:
        count = 0
    tiles = []
    for i in range(count):
        tile = {k: post.get(f"tile-{i}-{k}", "") for k in ("figure", "show", "by", "period")}
        if post.get(f"tile-{i}-delete") or not tile["figure"].strip():
            continue
        tiles.append(tile)
    return tiles


def _editor_context(layout, values: dict, tiles: list[dict], errors: dict | None = None) -> dict:
    rows = [*tiles, *({"figure": "", "show": "number", "by": "", "period": "month"} for _ in range(EXTRA_ROWS))]
    return {"layout": layout, "values": values, "rows": rows, "errors": errors or {},
            "figures": registry.figures(), "shows": screen_rules.SHOWS, "periods": screen_rules.PERIODS,
            "dimensions": registry.DIMENSIONS, "max_tiles": screen_rules.MAX_TILES}


@roles_required(*EDITOR, what="数据管理员")
def screens(request):
    layouts = ScreenLayout.objects.select_related("updated_by").order_by("name")
    return render(request, "insights/screens.html", {"layouts": layouts})


def _errors_of(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: "；".join(v) for k, v in exc.message_dict.items()}
    return {"__all__": "；".join(exc.messages)}


@roles_required(*EDITOR, what="数据管理员")
def screen_edit(request, pk: int | None = None):
    layout = None
    if pk is not None:
        layout = ScreenLayout.objects.filter(pk=pk).first()
        if layout is None:
            raise NotFound("大屏版面不存在")
    if request.method != "POST":
        values = ({"name": layout.name, "title": layout.title, "refresh_seconds": layout.refresh_seconds,
                   "lock_version": layout.lock_version} if layout else
                  {"name": "", "title": "", "refresh_seconds": 60, "lock_version": ""})
        return render(request, "insights/screen_edit.html", _editor_context(layout, values, list(layout.tiles) if layout else []))
    post = request.POST
    values = {k: post.get(k, "") for k in ("name", "title", "refresh_seconds", "lock_version")}
    tiles = _tiles_from(post)
    try:
        if layout is None:
            saved = services.create(request.user, name=values["name"], title=values["title"],
                                    refresh_seconds=values["refresh_seconds"], tiles=tiles)
        else:
            saved = services.update(request.user, layout.pk, expected_version=values["lock_version"],
                                    name=values["name"], title=values["title"],
                                    refresh_seconds=values["refresh_seconds"], tiles=tiles)
    except Conflict as exc:
        return render(request, "insights/screen_edit.html",
                      _editor_context(layout, values, tiles, {"__all__": "；".join(exc.messages)}), status=409)
    except ValidationError as exc:
        return render(request, "insights/screen_edit.html", _editor_context(layout, values, tiles, _errors_of(exc)),
                      status=400)
    return redirect(f"{reverse('insights:screens')}?saved={saved.pk}")


@require_POST
@roles_required(*EDITOR, what="数据管理员")
def screen_current(request, pk: int):
    try:
        services.set_current(request.user, pk, expected_version=request.POST.get("lock_version"))
    except (ValidationError, PermissionDenied) as exc:
        layouts = ScreenLayout.objects.order_by("name")
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return render(request, "insights/screens.html", {"layouts": layouts, "error": message},
                      status=409 if isinstance(exc, Conflict) else 400)
    return redirect(f"{reverse('insights:screens')}?current={pk}")
