"""《中华人民共和国行政许可法》第四十五条: the procedures whose time is not counted, one list for the
workbench's 特别程序 (the clock stops) and the catalogue's 办事指南 (what a guide may promise)."""

from __future__ import annotations

import pytest

from zhengwu.core import licensing_law


def test_the_catalogue_and_the_workbench_share_one_list_of_article_45_procedures():
    from zhengwu.cases import forms_staff
    from zhengwu.cases import rules as case_rules

    assert case_rules.LAWFUL_SUSPENSIONS is licensing_law.LAWFUL_SUSPENSIONS
    assert case_rules.SUSPENSION_BASIS is licensing_law.SUSPENSION_BASIS
    assert [c[1] for c in forms_staff.SuspendForm().fields["kind"].choices] == \
        list(licensing_law.LAWFUL_SUSPENSIONS.values())


@pytest.mark.parametrize("name, kind", [
    ("听证", "听证"), ("技术鉴定", "鉴定"), ("专家评审", "专家评审"), ("产品质量检验", "检验"), ("抽样检测", "检测"),
    ("动物检疫", "检疫"), ("公开招标", "招标"), ("拍卖", "拍卖"),
    ("现场核查", None), ("现场勘验", None), ("实地核查", None), ("公示", None), ("公告", None), ("专家评估", None),
    ("现场核查（含检测）", None), ("", None),
])
def test_which_procedures_article_45_names(name, kind):
    assert licensing_law.article_45_kind(name) == kind
