"""The 抽查计划 state table (pure): 草稿 → 公布抽查条件 → 抽取 (→ 重新抽取) ; 撤销 before the draw.

Who may act (the lead department's 部门管理员 and 审批人员) is checked by role in services.plans."""

from __future__ import annotations

from zhengwu.core.statemachine import StateMachine, t

DRAFT, PUBLISHED, DRAWN, DONE, CANCELLED = "draft", "published", "drawn", "done", "cancelled"
STATE_LABELS = {DRAFT: "草稿", PUBLISHED: "已公布抽查条件", DRAWN: "已抽取", DONE: "已完成", CANCELLED: "已撤销"}
STAFF = "staff"

MACHINE = StateMachine([
    t("edit", {DRAFT}, None, {STAFF}, "修改计划"),
    t("publish", {DRAFT}, PUBLISHED, {STAFF}, "公布抽查条件和随机种子"),
    t("draw", {PUBLISHED}, DRAWN, {STAFF}, "抽取"),
    t("redraw", {DRAWN}, DRAWN, {STAFF}, "重新抽取"),
    t("cancel", {DRAFT, PUBLISHED}, CANCELLED, {STAFF}, "撤销计划"),
], noun="抽查计划", state_labels=STATE_LABELS)

REASON_MIN = 4  # a redraw's public reason, in characters


def redraw_seed(plan_seed: str, seq: int) -> str:
    """The seed of draw ``seq`` ≥ 2: HMAC-SHA256(key = the published seed, "redraw:<seq>"), hex.
    Fixed by the seed published before the first draw, so a redraw cannot shop for a seed."""
    import hashlib
    import hmac

    return hmac.new(plan_seed.encode("utf-8"), f"redraw:{seq}".encode(), hashlib.sha256).hexdigest()
