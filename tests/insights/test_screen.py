"""The 大屏: its layout rules (pure), the write path (validation, 乐观锁, audit), the editor pages and
the screen with its JSON."""

import pytest

from zhengwu.insights import screen_rules
from zhengwu.insights.screen_rules import FigureInfo

RATE = FigureInfo("cases.on_time_rate", "按时办结率", "%", ("day", "month", "year"), ("department", "item"))
COUNT = FigureInfo("hotline.received", "12345 受理量", "件", ("day", "month", "year"), ("department", "region"))
MONTHLY = FigureInfo("licenses.uses", "电子证照用证次数", "次", ("month", "year"), ("department",))
DIMS = {"department": "部门", "region": "区划", "item": "事项"}


def tile(figure="cases.on_time_rate", show="number", by="", period="month"):
    return {"figure": figure, "show": show, "by": by, "period": period}


@pytest.mark.parametrize("t,figure,field,words", [
    (tile(figure=""), None, "tiles.0.figure", "请选择指标"),
    (tile(figure="nope.x"), None, "tiles.0.figure", "未登记"),
    (tile(show="map"), RATE, "tiles.0.show", "展示方式不正确"),
    (tile(period="week"), RATE, "tiles.0.period", "统计周期不正确"),
    (tile(figure="licenses.uses", period="day"), MONTHLY, "tiles.0.period", "不按日统计"),
    (tile(by="department"), RATE, "tiles.0.by", "不选统计维度"),
    (tile(show="trend", period="year"), RATE, "tiles.0.period", "趋势按日"),
    (tile(show="ranking"), RATE, "tiles.0.by", "须选择统计维度"),
    (tile(show="ranking", by="region"), RATE, "tiles.0.by", "没有“区划”维度"),
    (tile(show="share", by="department"), RATE, "tiles.0.show", "不能用占比饼图"),
    (tile(show="region"), RATE, "tiles.0.show", "没有区划维度"),
])
def test_a_tile_the_figure_cannot_show_is_refused_in_chinese(t, figure, field, words):
    errors = screen_rules.tile_errors(1, t, figure, DIMS)
    assert list(errors) == [field] and words in errors[field] and errors[field].startswith("第1个版块")


@pytest.mark.parametrize("t,figure", [
    (tile(), RATE), (tile(show="trend", period="day"), RATE), (tile(show="ranking", by="item"), RATE),
    (tile(figure="hotline.received", show="share", by="region"), COUNT),
    (tile(figure="hotline.received", show="region", by="region"), COUNT),
])
def test_tiles_the_figure_can_show_pass(t, figure):
    assert screen_rules.tile_errors(1, t, figure, DIMS) == {}


def test_layout_fields():
    errors = screen_rules.layout_errors(name="", title="x" * 61, refresh_seconds="5", tiles=[])
    assert errors == {"name": "名称：必填", "title": "大屏标题：不能超过60个字",
                      "refresh_seconds": "刷新间隔：应为10至3600之间的整数秒", "tiles": "版面：至少放一个版块"}
    assert screen_rules.clean_tile({"figure": " a ", "show": "region", "by": ""}) == {
        "figure": "a", "show": "region", "by": "region", "period": ""}


# -- the write path ------------------------------------------------------------------------------


@pytest.fixture
def shuju(make_staff):
    return make_staff("data_admin")


@pytest.mark.django_db
def test_create_update_lock_and_audit(shuju):
    from django.core.exceptions import ValidationError

    from zhengwu.core.errors import Conflict
    from zhengwu.core.models import AuditEvent
    from zhengwu.insights import services

    layout = services.create(shuju, name="A", title="大屏A", refresh_seconds=30, tiles=[tile()])
    assert layout.lock_version == 0 and layout.tiles == [tile()]
    changed = services.update(shuju, layout.pk, expected_version=0, name="A", title="大屏A2", refresh_seconds=30,
                              tiles=[tile(), tile(figure="hotline.received", show="region")])
    assert changed.lock_version == 1 and changed.tiles[1]["by"] == "region"
    with pytest.raises(Conflict):
        services.update(shuju, layout.pk, expected_version=0, name="A", title="旧的", refresh_seconds=30,
                        tiles=[tile()])
    with pytest.raises(ValidationError) as exc:
        services.update(shuju, layout.pk, expected_version=1, name="A", title="大屏A", refresh_seconds=30,
                        tiles=[tile(figure="cases.on_time_rate", show="share", by="department")])
    assert "不能用占比饼图" in exc.value.message_dict["tiles.0.show"][0]
    with pytest.raises(ValidationError) as exc:
        services.create(shuju, name="A", title="重名", tiles=[tile()])
    assert "已有名为" in exc.value.message_dict["name"][0]
    actions = list(AuditEvent.objects.filter(object_id=str(layout.pk)).order_by("seq").values_list("action", flat=True))
    assert actions == ["insights.screen.create", "insights.screen.change"]


@pytest.mark.django_db
def test_one_current_layout(shuju, make_staff):
    from django.core.exceptions import PermissionDenied

    from zhengwu.insights import services
    from zhengwu.insights.models import ScreenLayout

    a = services.create(shuju, name="A", title="A", tiles=[tile()])
    b = services.create(shuju, name="B", title="B", tiles=[tile()])
    services.set_current(shuju, a.pk, expected_version=0)
    services.set_current(shuju, b.pk, expected_version=0)
    assert list(ScreenLayout.objects.filter(is_current=True).values_list("name", flat=True)) == ["B"]
    assert services.current().name == "B"
    with pytest.raises(PermissionDenied):
        services.create(make_staff("leader"), name="C", title="C", tiles=[tile()])


@pytest.mark.django_db
def test_the_demo_layout_is_valid_and_current():
    from zhengwu.insights import demo, services

    layout = demo.ensure_default_screen()
    assert layout.is_current and len(layout.tiles) == 8
    assert demo.ensure_default_screen().pk == layout.pk
    services.check(name=layout.name, title=layout.title, refresh_seconds=60, tiles=layout.tiles)


# -- pages ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_editor_saves_and_refuses_in_chinese(client, shuju):
    from zhengwu.insights.models import ScreenLayout

    client.force_login(shuju)
    assert client.get("/workbench/insights/screens/").status_code == 200
    assert client.get("/workbench/insights/screens/new/").status_code == 200
    post = {"name": "新版面", "title": "运行监测", "refresh_seconds": "30", "lock_version": "", "tile_count": "2",
            "tile-0-figure": "cases.accepted", "tile-0-show": "number", "tile-0-by": "", "tile-0-period": "day",
            "tile-1-figure": "", "tile-1-show": "number", "tile-1-by": "", "tile-1-period": "month"}
    resp = client.post("/workbench/insights/screens/new/", post)
    assert resp.status_code == 302
    layout = ScreenLayout.objects.get(name="新版面")
    assert layout.tiles == [{"figure": "cases.accepted", "show": "number", "by": "", "period": "day"}]
    bad = {**post, "lock_version": "0", "tile-0-show": "region"}
    resp = client.post(f"/workbench/insights/screens/{layout.pk}/", bad)
    assert resp.status_code == 400 and "没有区划维度" in resp.content.decode()
    stale = {**post, "lock_version": "7"}
    resp = client.post(f"/workbench/insights/screens/{layout.pk}/", stale)
    assert resp.status_code == 409 and "已被他人修改" in resp.content.decode()
    resp = client.post(f"/workbench/insights/screens/{layout.pk}/current/", {"lock_version": "0"})
    assert resp.status_code == 302
    layout.refresh_from_db()
    assert layout.is_current


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "supervisor", "window"])
def test_only_the_data_admin_edits_layouts(client, make_staff, role):
    client.force_login(make_staff(role))
    assert client.get("/workbench/insights/screens/").status_code == 403
    assert client.post("/workbench/insights/screens/new/", {}).status_code == 403


@pytest.mark.django_db
def test_the_screen_and_its_json(client, make_staff):
    from zhengwu.insights import demo

    leader = make_staff("leader")
    client.force_login(leader)
    resp = client.get("/workbench/insights/screen/")
    assert resp.status_code == 200 and "尚未设置当前大屏版面" in resp.content.decode()
    assert client.get("/workbench/insights/screen/data.json").status_code == 404
    demo.ensure_default_screen()
    html = client.get("/workbench/insights/screen/").content.decode()
    assert 'class="zw-screen"' in html and html.count('<section class="zw-tile') == 8
    data = client.get("/workbench/insights/screen/data.json").json()
    assert [t["show"] for t in data["tiles"]] == ["number"] * 4 + ["trend", "ranking", "share", "region"]
    assert data["tiles"][0]["text"] == "0 件" and data["tiles"][4]["chart"]["x"][-1]
    client.force_login(make_staff("window"))
    assert client.get("/workbench/insights/screen/data.json").status_code == 403


def test_the_screen_compares_a_period_so_far_with_the_same_days_before():
    """大屏: 1–7 December against 1–7 November (as the dashboards), not all of November; the year
    so far against the same days of last year."""
    import datetime as dt

    from zhengwu.insights.screen import compared_with

    today = dt.date(2026, 12, 7)
    assert compared_with("month", today) == (dt.date(2026, 11, 1), dt.date(2026, 11, 7), "较上月同期")
    assert compared_with("year", today) == (dt.date(2025, 1, 1), dt.date(2025, 12, 7), "较上年同期")
    assert compared_with("year", dt.date(2028, 2, 29))[1] == dt.date(2027, 2, 28)
    assert compared_with("day", today) == (dt.date(2026, 12, 6), dt.date(2026, 12, 6), "较昨日")
