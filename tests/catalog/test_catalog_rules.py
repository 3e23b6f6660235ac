"""Pure catalogue rules: version transitions, guide checks, bundle merging, 四级四同, figures."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhengwu.catalog import rules
from zhengwu.core.identifiers import make_implementation_code, make_uscc


# -- transitions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("state,action,target", [
    ("draft", "submit", "pending"), ("rejected", "submit", "pending"), ("pending", "approve", "published"),
    ("pending", "reject", "rejected"), ("pending", "withdraw", "draft"), ("published", "supersede", "superseded"),
    ("rejected", "edit", "draft"),
])
def test_allowed_transitions(state, action, target):
    assert rules.check_transition(state, action) == target


@pytest.mark.parametrize("state,action", [
    ("draft", "approve"), ("published", "edit"), ("superseded", "edit"), ("pending", "submit"),
    ("published", "reject"), ("superseded", "approve"), ("draft", "withdraw"),
])
def test_refused_transitions_say_why_in_chinese(state, action):
    with pytest.raises(ValidationError) as exc:
        rules.check_transition(state, action)
    assert exc.value.code == "transition"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.messages[0])


def test_only_item_admin_may_approve_or_reject():
    assert rules.roles_for("approve") == {"item_admin"}
    assert rules.roles_for("reject") == {"item_admin"}
    assert "dept_admin" in rules.roles_for("edit") and "dept_admin" in rules.roles_for("submit")


def test_item_status_follows_first_version_and_stays_published_after():
    assert rules.item_status_after("submit", current="draft", has_published=False) == "pending"
    assert rules.item_status_after("reject", current="pending", has_published=False) == "draft"
    assert rules.item_status_after("submit", current="published", has_published=True) == "published"
    assert rules.item_status_after("approve", current="pending", has_published=False) == "published"
    assert rules.item_status_after("enable", current="disabled", has_published=False) == "draft"
    with pytest.raises(ValidationError):
        rules.item_status_after("approve", current="disabled", has_published=True)


# -- guide checks --------------------------------------------------------------------------------
def test_compression_rate():
    assert rules.compression_rate(20, 5) == 0.75
    assert rules.compression_rate(None, 5) is None
    assert rules.compression_rate(0, 0) is None


def test_promised_may_not_exceed_statutory():
    check = rules.check_guide({"statutory_days": 10, "promised_days": 12, "case_type": "committed"})
    assert check.errors["promised_days"] == ["承诺时限（12个工作日）不能超过法定时限（10个工作日）"]
    assert rules.check_guide({"statutory_days": 10, "promised_days": 10, "case_type": "committed"}).ok


def test_instant_items_promise_zero_days():
    assert "即办件的承诺时限应为0" in rules.check_guide({"case_type": "instant", "promised_days": 2}).errors["promised_days"][0]
    assert rules.check_guide({"case_type": "instant", "promised_days": 0}).ok
    assert "承诺件的承诺时限至少为1" in rules.check_guide({"case_type": "committed", "promised_days": 0}).errors["promised_days"][0]


def test_full_online_needs_online_channel():
    check = rules.check_guide({"online_depth": 4, "channels": ["window"], "case_type": "instant", "promised_days": 0})
    assert "online_depth" in check.errors


def full_guide(**kw):
    g = {"name": "食品经营许可", "item_type": "01", "service_object": "legal", "acceptance_conditions": "有营业执照",
         "case_type": "committed", "statutory_days": 20, "promised_days": 5, "channels": ["window"],
         "locations": "政务服务中心", "consult_phone": "0371-65500004"}
    g.update(kw)
    return g


def test_publication_requires_every_element_a_citizen_needs():
    check = rules.check_guide({"name": "", "channels": []}, materials=[], for_publication=True)
    for field in ("name", "item_type", "service_object", "acceptance_conditions", "consult_phone", "materials",
                  "locations", "channels", "case_type"):
        assert field in check.errors, field
    assert rules.check_guide(full_guide(), materials=[{"name": "申请书"}], for_publication=True).ok


def test_materials_or_explicit_none_and_online_channel_replaces_location():
    assert rules.check_guide(full_guide(no_materials=True), materials=[], for_publication=True).ok
    both = rules.check_guide(full_guide(no_materials=True), materials=[{"name": "申请书"}], for_publication=True)
    assert "二选一" in both.errors["materials"][0]
    online = full_guide(locations="", channels=["online"])
    assert rules.check_guide(online, materials=[{"name": "申请书"}], for_publication=True).ok


def test_licensing_items_need_a_statutory_limit():
    check = rules.check_guide(full_guide(statutory_days=None), materials=[{"name": "x"}], for_publication=True)
    assert check.errors["statutory_days"] == ["行政许可事项须填写法定时限"]


UNIT_USCC = make_uscc("1", "1", "410105", "A1234567")


def test_national_codes_are_checked_and_must_agree():
    impl = make_implementation_code(UNIT_USCC, "4", "000120001000")
    assert rules.check_guide({"item_type": "01"}, codes={"base_code": "000120001000", "implementation_code": impl,
                                                         "handling_code": impl + "01"}).ok
    wrong_type = rules.check_guide({"item_type": "20"}, codes={"base_code": "000120001000"})
    assert "事项类型与基本编码不一致" in wrong_type.errors["item_type"][0]
    other_base = rules.check_guide({"item_type": "01"}, codes={"base_code": "000120002000", "implementation_code": impl})
    assert "最后12位应与基本编码一致" in other_base.errors["implementation_code"][0]
    bad_check = impl[:17] + ("0" if impl[17] != "0" else "1") + impl[18:]
    assert "implementation_code" in rules.check_guide({}, codes={"implementation_code": bad_check}).errors
    assert "handling_code" in rules.check_guide({}, codes={"implementation_code": impl,
                                                             "handling_code": make_implementation_code(
                                                                 UNIT_USCC, "3", "000120001000") + "01"}).errors


def test_unknown_provincial_code_is_flagged_not_refused():
    check = rules.check_guide({}, codes={"implementation_code": "511A0138000000-511602000000-000-X-1-00"})
    assert check.ok
    assert check.code_recognised is False
    assert "不是国家标准格式" in check.warnings[0]


def test_base_code_given_as_implementation_code_is_refused():
    check = rules.check_guide({}, codes={"implementation_code": "000120001000"})
    assert "填写的是12位基本编码" in check.errors["implementation_code"][0]


# -- bundles -------------------------------------------------------------------------------------
def test_merge_counts_same_name_or_same_licence_once():
    merged = rules.merge_materials([
        ("食品经营许可", [{"name": "营业执照", "license_type": "营业执照", "necessity": "required"},
                    {"name": "法定代表人身份证", "license_type": "居民身份证", "necessity": "optional"},
                    {"name": "食品经营许可申请书"}]),
        ("个体工商户登记", [{"name": "经营者身份证明", "license_type": "居民身份证", "necessity": "required", "copies": 2},
                     {"name": "营业执照 "}]),
        ("户外招牌设置", [{"name": "招牌设计图"}]),
    ])
    assert [m.name for m in merged] == ["营业执照", "法定代表人身份证", "食品经营许可申请书", "招牌设计图"]
    identity = merged[1]
    assert identity.items == ["食品经营许可", "个体工商户登记"]
    assert identity.necessity == "required" and identity.copies == 2 and identity.count == 2
    assert merged[0].count == 2


def test_merge_folds_groups_joined_by_a_later_material():
    merged = rules.merge_materials([
        ("A", [{"name": "身份证"}]),
        ("B", [{"name": "申请人身份证明", "license_type": "居民身份证"}]),
        ("C", [{"name": "身份证", "license_type": "居民身份证"}]),  # joins both earlier groups
    ])
    assert len(merged) == 1 and merged[0].items == ["A", "B", "C"] and merged[0].count == 3


def test_bundle_figures():
    items = [rules.BundleItemFacts("营业执照", 4, 3, 1), rules.BundleItemFacts("食品经营许可", 5, 10, 2),
             rules.BundleItemFacts("招牌", 2, 5, 1)]
    f = rules.bundle_figures(items, merged_material_count=7, bundle_promised_days=None, bundle_visits=1)
    assert (f.materials_before, f.materials_after, f.materials_saved) == (11, 7, 4)
    assert (f.days_before, f.days_after, f.days_saved) == (18, 10, 8)  # no bundle limit: the longest item
    assert (f.visits_before, f.visits_after, f.visits_saved) == (4, 1, 3)
    assert f.visits_saved_rate == 0.75
    f2 = rules.bundle_figures(items, merged_material_count=7, bundle_promised_days=5, bundle_visits=0)
    assert f2.days_saved == 13 and f2.visits_saved == 4


def test_bundle_publication_needs_two_published_items():
    check = rules.check_bundle({"name": "开办餐饮店"}, [{"name": "食品经营许可", "status": "draft", "promised_days": 5}],
                               for_publication=True)
    assert any("至少包含两个事项" in m for m in check.errors["items"])
    assert any("尚未发布" in m for m in check.errors["items"])
    too_long = rules.check_bundle({"name": "x", "promised_days": 30}, [{"name": "a", "promised_days": 5},
                                                                       {"name": "b", "promised_days": 5}])
    assert "不应超过各事项承诺时限之和" in too_long.errors["promised_days"][0]


# -- 四级四同 and figures -------------------------------------------------------------------------
def test_four_same_lists_each_deviation_against_the_base_item():
    reference = {"name": "食品经营许可", "item_type": "01", "legal_basis": "《食品安全法》第三十五条"}
    rows = [
        {"id": 1, "name": "食品经营许可", "item_type": "01", "legal_basis": "《食品安全法》第三十五条"},
        {"id": 2, "name": "食品经营许可证核发", "item_type": "01", "legal_basis": "《食品安全法》 第三十五条"},
        {"id": 3, "name": "食品经营许可", "item_type": "20", "legal_basis": ""},
    ]
    devs = rules.four_same_deviations("000120001000", reference, rows)
    assert [(d.item_id, d.field) for d in devs] == [(2, "name"), (3, "item_type"), (3, "legal_basis")]
    assert devs[1].expected == "01（行政许可）" and devs[1].actual == "20（公共服务）"


def test_four_same_uses_majority_where_base_item_is_silent():
    rows = [{"id": 1, "name": "甲", "item_type": "07", "legal_basis": "依据A"},
            {"id": 2, "name": "甲", "item_type": "07", "legal_basis": "依据A"},
            {"id": 3, "name": "甲", "item_type": "07", "legal_basis": "依据B"}]
    devs = rules.four_same_deviations("x", {"name": "甲", "item_type": "07", "legal_basis": ""}, rows)
    assert [(d.item_id, d.expected) for d in devs] == [(3, "依据A")]


def test_catalogue_figures_definition():
    items = [
        {"statutory_days": 20, "promised_days": 5, "case_type": "committed", "visits": 0, "online_depth": 4},
        {"statutory_days": 10, "promised_days": 10, "case_type": "committed", "visits": 1, "online_depth": 3},
        {"statutory_days": None, "promised_days": 0, "case_type": "instant", "visits": 2, "online_depth": 1},
        {"statutory_days": 0, "promised_days": 0, "case_type": "instant", "visits": 1, "online_depth": 4},
    ]
    f = rules.catalogue_figures(items)
    assert f.item_count == 4
    assert f.avg_compression_rate == pytest.approx((0.75 + 0.0) / 2)
    assert (f.instant_share, f.zero_visit_share, f.max_one_visit_share, f.full_online_share) == (0.5, 0.25, 0.75, 0.5)
    assert rules.catalogue_figures([]).instant_share is None


def test_max_one_visit_does_not_count_an_unrecorded_visits_figure():
    """最多跑一次 has one definition in Python and SQL (services.reports filters visits IS NOT NULL
    AND visits <= 1): an item whose 到现场次数 is empty is neither 零跑动 nor 最多跑一次."""
    items = [{"visits": None, "online_depth": 1}, {"visits": 1, "online_depth": 1}, {"visits": 2, "online_depth": 1}]
    f = rules.catalogue_figures(items)
    assert (f.zero_visit_count, f.max_one_visit_count) == (0, 1)


def test_days_outside_the_import_bounds_are_refused():
    check = rules.check_guide({"statutory_days": 99999, "promised_days": 5, "case_type": "committed"})
    assert check.errors["statutory_days"] == ["法定时限不能超过3650个工作日（填写的是99999个工作日）"]
    check = rules.check_guide({"statutory_days": 3651, "promised_days": 3651, "case_type": "committed"})
    assert check.errors["promised_days"] == ["承诺时限不能超过3650个工作日（填写的是3651个工作日）"]
    assert rules.check_guide({"statutory_days": 3650, "promised_days": 3650, "case_type": "committed"}).ok
    assert "不能为负数" in rules.check_guide({"statutory_days": -1, "promised_days": 0,
                                               "case_type": "instant"}).errors["statutory_days"][0]
