"""办件明细: each number of the 办件指标 leads to the cases it counted — on the worked example of
test_case_figures (October 2025), the list of a number has exactly that many rows, and they are
the cases the hand computation there names."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from zhengwu.cases import queries_figures as qf
from zhengwu.insights import registry

from .test_case_figures import TODAY, D, leader, october, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
URL = "/workbench/cases/figures/cases/"
OCT = {"start": "2025-10-01", "end": "2025-10-31"}


def listed(world, what, **group):  # noqa: F811
    d = qf.Drill(what, D(2025, 10, 1), D(2025, 10, 31), **group)
    numbers = {c.pk: name for name, c in world["cases"].items()}
    return {numbers[c.pk] for c in qf.figure_cases(qf.Case.objects.all(), d, today=TODAY)}


def test_each_what_lists_the_cases_the_figure_counted(world):  # noqa: F811
    a, b = world["a"].pk, world["b"].pk
    assert listed(world, "accepted", department=a) == {"c3", "c4"}
    assert listed(world, "accepted", department=b) == {"c5", "c6", "c10", "c11"}
    assert listed(world, "concluded", department=a) == {"c1", "c2", "c4"}
    assert listed(world, "concluded_on_time", department=a) == {"c1", "c4"}
    assert listed(world, "concluded_late", department=a) == {"c2"}
    assert listed(world, "full_online", department=a) == {"c3"}
    assert listed(world, "overdue", department=a) == {"c2", "c3"}  # 逾期办结 c2 + 期末超期在办 c3
    assert listed(world, "overdue", department=b) == {"c9", "c10"}
    assert listed(world, "accepted", item=world["a2"].pk) == {"c4"}
    assert listed(world, "accepted", window=world["w1"].pk) == {"c4", "c5"}
    assert listed(world, "accepted", window=qf.NO_WINDOW) == {"c3", "c6", "c11"}
    assert listed(world, "concluded") == {"c1", "c2", "c4", "c9", "c11"}


@pytest.mark.parametrize("group_by", ["department", "item", "window"])
def test_list_sizes_equal_the_figures(world, group_by):  # noqa: F811
    counts = {"accepted": "accepted", "concluded": "concluded", "concluded_on_time": "concluded_on_time",
              "concluded_late": "overdue_concluded", "full_online": "full_online", "overdue": "overdue"}
    report = october(group_by=group_by)
    for row in report.rows:
        group = {"window": row.key or qf.NO_WINDOW} if group_by == "window" else {group_by: row.key}
        for what, count in counts.items():
            assert len(listed(world, what, **group)) == getattr(row.figures, count), (row.label, what)
    for what, count in counts.items():
        assert len(listed(world, what)) == getattr(report.total, count), what


def _numbers(html):
    return set(re.findall(r'<tr class="drill-row"><td><a href="[^"]+">([^<]+)</a>', html))


def test_page_lists_the_cases_with_chips(world, leader, client):  # noqa: F811
    client.force_login(leader)
    c = world["cases"]
    r = client.get(URL, {"what": "concluded_on_time", "department": world["a"].pk, **OCT})
    html = r.content.decode()
    assert r.status_code == 200
    assert _numbers(html) == {str(c["c1"].pk), str(c["c4"].pk)}  # no number: the id is shown
    assert "口径：按时办结" in html and "办结日期：2025-10-01 至 2025-10-31" in html and "部门：市场监管局" in html
    chip = re.search(r'id="chip-department".*?<a href="([^"]+)"', html, re.S).group(1)
    query = parse_qs(urlsplit(chip.replace("&amp;", "&")).query)
    assert query == {"what": ["concluded_on_time"], "start": ["2025-10-01"], "end": ["2025-10-31"]}
    r = client.get(URL, {"what": "accepted", "window": "none", **OCT})
    assert "窗口：未经窗口" in r.content.decode()
    assert _numbers(r.content.decode()) == {str(c[k].pk) for k in ("c3", "c6", "c11")}


def test_page_pages_by_keyset(world, leader, client, monkeypatch):  # noqa: F811
    from zhengwu.cases import views_figure_cases

    monkeypatch.setattr(views_figure_cases, "PAGE_SIZE", 2)
    client.force_login(leader)
    seen, params = [], {"what": "concluded", **OCT}
    for _ in range(5):
        html = client.get(URL, params).content.decode()
        seen += sorted(_numbers(html))
        nxt = re.search(r'id="next-page" href="\?([^"]+)"', html)
        if not nxt:
            break
        params = {k: v[0] for k, v in parse_qs(nxt.group(1).replace("&amp;", "&")).items()}
    c = world["cases"]
    assert sorted(seen) == sorted(str(c[k].pk) for k in ("c1", "c2", "c4", "c9", "c11"))


@pytest.mark.parametrize("params, message", [
    ({"what": "paid"}, "统计口径应为"),
    ({"start": "2025-13-01"}, "开始日期格式不正确"),
    ({"start": "2025-10-31", "end": "2025-10-01"}, "结束日期不能早于开始日期"),
    ({"department": "abc"}, "部门应为编号"),
    ({"window": "-1"}, "窗口应为编号"),
    ({"after": "garbage"}, "翻页位置不正确"),
])
def test_bad_filters_are_refused_in_chinese(world, leader, client, params, message):  # noqa: F811
    client.force_login(leader)
    r = client.get(URL, params)
    assert r.status_code == 400 and message in r.content.decode()


def test_applicants_and_unscoped_staff(world, client, make_citizen, make_staff):  # noqa: F811
    client.force_login(make_citizen(name="钱二"))
    assert client.get(URL).status_code == 403
    client.force_login(make_staff("hotline"))
    assert client.get(URL).status_code == 403


def test_figures_page_numbers_link_to_their_cases(world, leader, client):  # noqa: F811
    client.force_login(leader)
    html = client.get("/workbench/cases/figures/", OCT).content.decode()
    links = re.findall(r'<a href="([^"]+)" class="drill-link"', html)
    wanted = {"what": ["concluded_on_time"], "start": ["2025-10-01"], "end": ["2025-10-31"],
              "department": [str(world["a"].pk)]}
    assert wanted in [parse_qs(urlsplit(u.replace("&amp;", "&")).query) for u in links]
    link = next(u for u in links if parse_qs(urlsplit(u.replace("&amp;", "&")).query) == wanted)
    assert len(_numbers(client.get(link.replace("&amp;", "&")).content.decode())) == 2  # 按时 2 of 3


def test_registry_drills_to_the_list(world):  # noqa: F811
    figure = registry.get("cases.on_time_rate")
    url = figure.drill_url(D(2025, 10, 1), D(2025, 10, 31), world["w1"].pk, by="window")
    assert parse_qs(urlsplit(url).query) == {"what": ["concluded_on_time"], "start": ["2025-10-01"],
                                             "end": ["2025-10-31"], "window": [str(world["w1"].pk)]}
    assert urlsplit(url).path == URL
    url = registry.get("cases.accepted").drill_url(D(2025, 10, 1), D(2025, 10, 31), world["a"].pk)
    assert parse_qs(urlsplit(url).query)["department"] == [str(world["a"].pk)]
    assert "department" not in registry.get("cases.concluded").drill_url(D(2025, 10, 1), D(2025, 10, 31))
