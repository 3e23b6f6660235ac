"""《中华人民共和国行政许可法》 as both the catalogue and the case handling apply it (one definition).

第四十五条: 行政机关作出行政许可决定，依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间
不计算在本节规定的期限内。行政机关应当将所需时间书面告知申请人。

So only these procedures stop a case's clock (the workbench's 特别程序 form offers them and nothing
else), and a 办事指南 may say 不计入办理时限 of these only: 现场核查、公示 and the like are part of the
handling and count (:mod:`zhengwu.catalog.special_rules`).
"""

from __future__ import annotations

SUSPENSION_BASIS = "《中华人民共和国行政许可法》第四十五条"
LAWFUL_SUSPENSIONS = {  # code → label (each one of the procedures the article names)
    "hearing": "听证", "tender": "招标", "auction": "拍卖", "examination": "检验", "testing": "检测",
    "quarantine": "检疫", "appraisal": "鉴定", "expert": "专家评审",
}
# Words that name a review on the spot or a notice: such a procedure is counted whatever else its
# name says (现场核查（含检测） is a 现场核查).
COUNTED_WORDS = ("核查", "核实", "勘验", "勘查", "勘察", "踏勘", "检查", "查验", "公示", "公告")


def article_45_kind(name: str) -> str | None:
    """The 第四十五条 procedure a 特别程序 named ``name`` is (技术鉴定 → 鉴定), or None when it is
    none of them (现场核查, 公示, 专家评估)."""
    text = (name or "").strip()
    if not text or any(word in text for word in COUNTED_WORDS):
        return None
    return next((label for label in LAWFUL_SUSPENSIONS.values() if label in text), None)
