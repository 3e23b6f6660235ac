"""跨域通办 rules (pure): may a window of one region receive an item handled in another?

An item's 通办范围 (``ItemVersion.tongban_scope``) says where its applications may be received:

- ``district`` 全区通办 — any window of the item's county (区县, code digits 1–6), a street's
  便民服务中心 included;
- ``city`` 全市通办 — any window of its city (digits 1–4);
- ``province`` 全省通办 — any window of its province (digits 1–2);
- ``national`` 跨省通办 — any window in the country;
- ``none`` 不通办 — only the windows of the handling department itself (the ordinary grant).

A window receiving for another region (异地代收) checks the materials and forwards the case; the
handling department decides (受理, 审批, 办结) as for any case; the result is delivered where the
applicant chose, the receiving window included (代收窗口领取). See 《国务院办公厅关于加快推进
政务服务“跨省通办”的指导意见》（国办发〔2020〕35号）: 全程网办、异地代收代办、多地联办.
"""

from __future__ import annotations

SCOPE_DIGITS = {"district": 6, "city": 4, "province": 2, "national": 0}
SCOPE_LABELS = {"none": "不通办", "district": "全区通办", "city": "全市通办", "province": "全省通办",
                "national": "跨省通办"}
# How far a received case travels (for the figures): by the longest common code prefix.
REACH_LABELS = {"county": "区县内", "city": "跨区县", "province": "跨市", "national": "跨省"}


def covers(scope: str, item_region: str, window_region: str) -> bool:
    """The item's 通办范围 reaches a window of ``window_region`` (12-digit region codes)."""
    digits = SCOPE_DIGITS.get(scope)
    if digits is None or not item_region or not window_region:
        return False
    return item_region[:digits] == window_region[:digits]


def reach(item_region: str, window_region: str) -> str:
    """``county`` / ``city`` / ``province`` / ``national``: how far apart the two regions are."""
    if item_region[:6] == window_region[:6]:
        return "county"
    if item_region[:4] == window_region[:4]:
        return "city"
    if item_region[:2] == window_region[:2]:
        return "province"
    return "national"


def refusal(scope: str, item_region_name: str, window_region_name: str) -> str:
    """Why a window may not receive the item (Chinese, for the clerk)."""
    label = SCOPE_LABELS.get(scope, scope)
    if scope == "none":
        return f"该事项不通办，只能由{item_region_name}的办理部门窗口受理，{window_region_name}窗口不能代收"
    return f"该事项的通办范围为{label}，{window_region_name}窗口不在范围内，不能代收（事项所属：{item_region_name}）"


def place(region_name: str, window_number: str = "") -> str:
    """The receiving window as the timeline names what it did: ``二七区 D01窗口`` (``二七区代收窗口``
    for a clerk without a window of their own)."""
    return f"{region_name} {window_number}窗口" if window_number else f"{region_name}代收窗口"
