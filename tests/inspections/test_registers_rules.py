"""Pure rules of the registers: 注册率, the expiry notice window, the checks of imported rows."""

from __future__ import annotations

import datetime as dt

from zhengwu.core.identifiers import make_uscc
from zhengwu.inspections import registers_rules as rules

TODAY = dt.date(2026, 12, 1)
GOOD = make_uscc("9", "1", "410105", "MA000001")


def test_registration_rate():
    r = rules.RegistrationRate(total=8, valid=6, with_account=2)
    assert r.valid_rate == 75.0 and r.account_rate == 25.0
    assert rules.RegistrationRate(0, 0, 0).valid_rate is None
    assert rules.RegistrationRate(3, 1, 0).valid_rate == 33.3


def test_certificate_valid_and_expiry_notice_once_per_date():
    assert rules.certificate_valid("active", TODAY, TODAY)
    assert not rules.certificate_valid("active", TODAY - dt.timedelta(days=1), TODAY)
    assert not rules.certificate_valid("suspended", TODAY, TODAY)
    soon = TODAY + dt.timedelta(days=30)
    assert rules.expiry_notice_due("active", soon, None, TODAY)
    assert not rules.expiry_notice_due("active", soon + dt.timedelta(days=1), None, TODAY)
    assert not rules.expiry_notice_due("active", soon, soon, TODAY)  # already told
    assert rules.expiry_notice_due("active", soon, soon - dt.timedelta(days=365), TODAY)  # renewed: tell again
    assert not rules.expiry_notice_due("left", soon, None, TODAY)
    assert not rules.expiry_notice_due("active", TODAY - dt.timedelta(days=1), None, TODAY)  # already expired


def test_parse_date():
    assert rules.parse_date("2027-01-31") == dt.date(2027, 1, 31)
    assert rules.parse_date("2027/1/31") == dt.date(2027, 1, 31)
    assert rules.parse_date("2027年1月31日") == dt.date(2027, 1, 31)
    assert rules.parse_date(dt.datetime(2027, 1, 31, 0, 0)) == dt.date(2027, 1, 31)
    assert rules.parse_date("明年") is None and rules.parse_date("") is None


def _row(n, **kw):
    return {"row": n, "姓名": "张三", "执法证号": f"ZF{n:04d}", "部门": "市场监管局", "执法领域": "市场监管",
            "有效期至": "2027-12-31", **kw}


def test_inspector_rows_all_or_nothing_with_row_numbers():
    depts = {"市场监管局": 1}
    clean, errors = rules.check_inspector_rows([_row(2), _row(3)], depts, set(), TODAY)
    assert [r.cert_number for r in clean] == ["ZF0002", "ZF0003"] and not errors
    rows = [_row(2), _row(3, 执法证号="ZF0002"), _row(4, 部门="不存在局"), _row(5, 有效期至="明年"),
            _row(6, 姓名=""), _row(7, 执法证号="OLD1")]
    clean, errors = rules.check_inspector_rows(rows, depts, {"OLD1"}, TODAY)
    assert clean == []
    assert "第3行：执法证号“ZF0002”与第2行重复" in errors
    assert "第4行：部门“不存在局”不存在或不在您的管理范围内" in errors
    assert "第5行：有效期至“明年”不是日期（应为 2026-12-31）" in errors
    assert "第6行：姓名不能为空" in errors
    assert "第7行：执法证号“OLD1”已在名录中" in errors
    assert rules.check_inspector_rows([], depts, set(), TODAY) == ([], ["文件中没有数据行"])


def test_object_rows_quality_report():
    bad = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")
    rows = [
        {"row": 2, "名称": "甲公司", "统一社会信用代码": GOOD, "所在区划": "410105", "风险等级": "c"},
        {"row": 3, "名称": "乙公司", "统一社会信用代码": bad, "所在区划": "410105"},
        {"row": 4, "名称": "甲公司二", "统一社会信用代码": GOOD.lower(), "所在区划": "410105"},
        {"row": 5, "名称": "丙摊位", "统一社会信用代码": "", "所在区划": "410105001", "对象类别": "个体工商户"},
        {"row": 6, "名称": "丙摊位", "统一社会信用代码": "", "所在区划": "410105001"},
        {"row": 7, "名称": "外地公司", "所在区划": "420100"},
        {"row": 8, "名称": "", "所在区划": "410105"},
        {"row": 9, "名称": "丁公司", "所在区划": "4101", "风险等级": "A"},
        {"row": 10, "名称": "戊公司", "所在区划": "410105", "风险等级": "E"},
    ]
    report = rules.check_object_rows(rows, ("410105",))
    assert [r.row for r in report.good] == [2, 5]
    assert report.good[0].risk_level == "C" and report.good[0].region_code == "410105000000"
    assert report.good[1].uscc is None and report.good[1].category == "个体工商户"
    assert len(report.bad_uscc) == 1 and report.bad_uscc[0].startswith("第3行：统一社会信用代码")
    assert report.duplicates == [f"第4行：与第2行重复（{GOOD}）", "第6行：与第5行重复（丙摊位）"]
    assert "第7行：所在区划“420100000000”不在您的管理范围内" in report.other
    assert "第8行：名称不能为空" in report.other
    assert any(o.startswith("第9行：所在区划") for o in report.other)
    assert any(o.startswith("第10行：风险等级") for o in report.other)
    assert report.rejected == 7 and report.as_dict()["good"] == 2


def test_registry_status():
    assert rules.registry_status_active("存续")
    assert rules.registry_status_active("存续（在营、开业、在册）")
    assert not rules.registry_status_active("注销")
    assert not rules.registry_status_active("吊销，未注销")
    assert not rules.registry_status_active("")
