"""四级四同 report and catalogue figures, aggregated in SQL."""

from __future__ import annotations

import pytest

from zhengwu.catalog import rules
from zhengwu.catalog.models import ServiceItem
from zhengwu.catalog.services import items as item_svc
from zhengwu.catalog.services import reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(make_item, make_department, other_district):
    market = make_department(name="金水区市场监管局")
    far = make_department(name="中原区市场监管局", region=other_district)
    return {
        "a": make_item(name="食品经营许可", dept=market, base_code="000120001000", statutory_days=20, promised_days=5,
                       visits=0, online_depth=4, legal_basis="《食品安全法》第三十五条"),
        "b": make_item(name="食品经营许可证核发", dept=far, base_code="000120001000", statutory_days=20,
                       promised_days=10, visits=1, online_depth=3, channels=["window"],
                       legal_basis="《食品安全法》第三十五条"),
        "c": make_item(name="小餐饮登记", dept=market, item_type="20", case_type="instant", promised_days=0,
                       statutory_days=None, visits=2, online_depth=1, channels=["window"]),
        "draft": make_item(name="未发布事项", dept=market, publish=False),
    }


def test_figures_per_department_match_the_rule_definition(catalogue):
    report = reports.catalogue_figures("department")
    by_label = {r.label: r.figures for r in report.rows}
    assert set(by_label) == {"金水区市场监管局", "中原区市场监管局"}  # drafts are not counted
    market = by_label["金水区市场监管局"]
    expected = rules.catalogue_figures(
        ServiceItem.objects.filter(department__name="金水区市场监管局", status="published")
        .values("statutory_days", "promised_days", "case_type", "visits", "online_depth"))
    assert market == expected
    assert market.item_count == 2 and market.avg_compression_rate == pytest.approx(0.75)
    assert market.instant_share == 0.5 and market.zero_visit_share == 0.5 and market.full_online_share == 0.5
    assert report.total.item_count == 3
    assert report.total.avg_compression_rate == pytest.approx((0.75 + 0.5) / 2)
    assert report.total.max_one_visit_count == 2


def test_figures_per_region_and_region_prefix(catalogue, district):
    report = reports.catalogue_figures("region")
    assert {r.label: r.figures.item_count for r in report.rows} == {"金水区": 2, "中原区": 1}
    only = reports.catalogue_figures("region", region_prefix=district.prefix)
    assert [r.label for r in only.rows] == ["金水区"] and only.total.item_count == 2
    with pytest.raises(ValueError):
        reports.catalogue_figures("street")


def test_four_same_report_lists_deviations_across_regions(catalogue):
    report = reports.four_same_report()
    (group,) = report.groups
    assert group.base_code == "000120001000" and group.item_count == 2
    # The base item took its name from the first implementation; the other one deviates.
    assert [(d.item_name, d.deviation.field) for d in group.deviations] == [("食品经营许可证核发", "name")]
    assert group.deviations[0].region == "中原区"


def test_four_same_report_sees_legal_basis_of_the_published_version(catalogue, city_item_admin, city_reviewer):
    item_admin = city_item_admin
    item = catalogue["b"]
    item_svc.start_new_draft(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    item_svc.edit_draft(item_admin, item, lock_version=item.lock_version,
                        data={"name": "食品经营许可", "legal_basis": "《食品经营许可管理办法》"})
    item.refresh_from_db()
    item_svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    item_svc.approve_and_publish(city_reviewer, item, lock_version=item.lock_version)  # 双人复核
    (group,) = reports.four_same_report().groups
    assert [(d.deviation.field, d.deviation.actual) for d in group.deviations] == [("legal_basis", "《食品经营许可管理办法》")]


def test_four_same_report_is_empty_when_all_agree(make_item, make_department, other_district):
    make_item(name="食品经营许可", base_code="000120001000", legal_basis="依据")
    make_item(name="食品经营许可", base_code="000120001000", legal_basis="依据",
              dept=make_department(name="中原区市场监管局", region=other_district))
    assert reports.four_same_report().groups == []


def test_four_same_report_respects_limit_and_scope(catalogue, district):
    assert reports.four_same_report(region_prefix=district.prefix).groups == []
    assert reports.four_same_report(limit=0).truncated is True


def test_reports_cost_a_fixed_number_of_queries(catalogue, django_assert_num_queries):
    """Aggregation happens in SQL: the query count does not depend on the number of items."""
    with django_assert_num_queries(2):
        reports.catalogue_figures("department")
    with django_assert_num_queries(2):
        reports.four_same_report()
