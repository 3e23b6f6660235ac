"""The approval process engine (审批流程): process definitions as data, evaluated purely.

A definition is a list of steps, each::

    {"id": "review_police", "name": "审查（公安）", "role": "approver", "department": 12,
     "share": 0.4, "actions": ["pass", "return", "reject"],
     "parallel": "joint-review",                               # optional: 并联审批/会签 group
     "condition": {"field": "amount", "op": ">=", "value": 1000000}}   # optional

Steps run in the order given. Consecutive steps with the same ``parallel`` key form one block
and run at the same time; the block is passed when every step in it has passed (会签). A step
whose ``condition`` is false for the case's form data is skipped. ``return`` sends the case back
to the previous block; ``reject`` ends the process with 不予 (denial). ``share`` is the step's
portion of the promised time limit and drives per-step due dates.

Acceptance (受理) is done at intake, before the process starts; the steps here are what follows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

ACTIONS = {"pass": "通过", "return": "退回", "reject": "不予通过"}
OPS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and a > b,
    ">=": lambda a, b: a is not None and a >= b,
    "<": lambda a, b: a is not None and a < b,
    "<=": lambda a, b: a is not None and a <= b,
    "in": lambda a, b: a in b,
}


class WorkflowError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def validate_definition(steps: list[dict], roles: set[str] | None = None) -> list[str]:
    """Every problem with a definition, in Chinese; an empty list means it is usable."""
    errors: list[str] = []
    if not isinstance(steps, list) or not steps:
        return ["流程至少要有一个环节"]
    seen: set[str] = set()
    total_share = 0.0
    blocks = _blocks(steps)
    for i, s in enumerate(steps, start=1):
        where = f"第{i}个环节"
        if not isinstance(s, dict):
            errors.append(f"{where}格式不正确")
            continue
        sid = str(s.get("id") or "").strip()
        if not sid:
            errors.append(f"{where}缺少编号（id）")
        elif sid in seen:
            errors.append(f"{where}的编号“{sid}”重复")
        seen.add(sid)
        if not str(s.get("name") or "").strip():
            errors.append(f"{where}缺少名称")
        role = s.get("role")
        if not role:
            errors.append(f"{where}（{s.get('name', '')}）缺少办理角色")
        elif roles is not None and role not in roles:
            errors.append(f"{where}（{s.get('name', '')}）的办理角色“{role}”不存在")
        share = s.get("share", 0)
        if not isinstance(share, int | float) or not 0 < share <= 1:
            errors.append(f"{where}（{s.get('name', '')}）的时限占比应大于0且不超过1")
        actions = s.get("actions") or ["pass"]
        bad = [a for a in actions if a not in ACTIONS]
        if bad:
            errors.append(f"{where}的可用操作“{'、'.join(bad)}”不正确：只能是 pass/return/reject")
        if "pass" not in actions:
            errors.append(f"{where}（{s.get('name', '')}）必须允许“通过”")
        cond = s.get("condition")
        if cond is not None:
            if not isinstance(cond, dict) or not cond.get("field") or cond.get("op") not in OPS or "value" not in cond:
                errors.append(f"{where}的条件格式不正确：应为 {{field, op, value}}，op 为 {'、'.join(OPS)}")
    if not errors:
        for block in blocks:
            total_share += max(s.get("share", 0) for s in block)
        if total_share > 1.0001:
            errors.append(f"各环节时限占比之和为{total_share:.0%}，不能超过100%（并联环节按最大值计）")
        if any("return" in (s.get("actions") or []) for s in blocks[0]):
            errors.append("第一个环节没有上一环节，不能设置“退回”")
    return errors


def _blocks(steps: list[dict]) -> list[list[dict]]:
    blocks: list[list[dict]] = []
    for s in steps:
        key = s.get("parallel") if isinstance(s, dict) else None
        if key and blocks and blocks[-1][0].get("parallel") == key:
            blocks[-1].append(s)
        else:
            blocks.append([s])
    return blocks


def condition_holds(cond: dict | None, form: dict[str, Any]) -> bool:
    if not cond:
        return True
    value = form.get(cond["field"])
    try:
        return bool(OPS[cond["op"]](value, cond["value"]))
    except TypeError:  # comparing a number with text: the condition does not hold
        return False


def plan(steps: list[dict], form: dict[str, Any]) -> list[list[dict]]:
    """The blocks this case will go through (conditional steps that do not apply removed)."""
    kept = [s for s in steps if condition_holds(s.get("condition"), form)]
    return [b for b in _blocks(kept) if b]


@dataclass
class Progress:
    """Where a case is in its process: blocks to run and the status of every step."""

    blocks: list[list[str]]
    status: dict[str, str] = field(default_factory=dict)  # waiting/active/passed/rejected
    current: int = 0
    outcome: str = ""  # "" running, "approved", "denied"

    def to_json(self) -> dict:
        return {"blocks": self.blocks, "status": self.status, "current": self.current, "outcome": self.outcome}

    @classmethod
    def from_json(cls, data: dict) -> Progress:
        return cls(blocks=[list(b) for b in data["blocks"]], status=dict(data["status"]),
                   current=data["current"], outcome=data.get("outcome", ""))

    @property
    def active(self) -> list[str]:
        return [sid for sid, st in self.status.items() if st == "active"]

    @property
    def finished(self) -> bool:
        return bool(self.outcome)


def start(steps: list[dict], form: dict[str, Any]) -> Progress:
    blocks = [[s["id"] for s in b] for b in plan(steps, form)]
    status = {sid: "waiting" for b in blocks for sid in b}
    p = Progress(blocks=blocks, status=status)
    if not blocks:
        p.outcome = "approved"
        return p
    for sid in blocks[0]:
        p.status[sid] = "active"
    return p


def act(steps: list[dict], progress: Progress, step_id: str, action: str) -> Progress:
    """Apply one person's action on one active step; returns the new progress."""
    by_id = {s["id"]: s for s in steps}
    if progress.finished:
        raise WorkflowError("审批流程已结束，不能再操作")
    if progress.status.get(step_id) != "active":
        raise WorkflowError("该环节当前不在办理中（可能已被他人处理），请刷新后重试")
    allowed = by_id[step_id].get("actions") or ["pass"]
    if action not in allowed:
        raise WorkflowError(f"该环节不允许“{ACTIONS.get(action, action)}”")
    p = Progress.from_json(progress.to_json())
    if action == "reject":
        p.status[step_id] = "rejected"
        for sid in p.blocks[p.current]:
            if p.status[sid] == "active":
                p.status[sid] = "waiting"
        p.outcome = "denied"
        return p
    if action == "return":
        if p.current == 0:
            raise WorkflowError("这是第一个环节，没有可以退回的上一环节")
        for sid in p.blocks[p.current]:
            p.status[sid] = "waiting"
        p.current -= 1
        for sid in p.blocks[p.current]:
            p.status[sid] = "active"
        return p
    p.status[step_id] = "passed"
    if all(p.status[sid] == "passed" for sid in p.blocks[p.current]):
        if p.current + 1 >= len(p.blocks):
            p.outcome = "approved"
        else:
            p.current += 1
            for sid in p.blocks[p.current]:
                p.status[sid] = "active"
    return p


def block_due_dates(cal, accepted_on: dt.date, promised_days: int, steps: list[dict],
                    progress: Progress) -> dict[str, dt.date]:
    """Due date of every step: each block ends at its cumulative share of the time limit."""
    by_id = {s["id"]: s for s in steps}
    result: dict[str, dt.date] = {}
    cumulative = 0.0
    for i, block in enumerate(progress.blocks):
        cumulative += max(by_id[sid].get("share", 0) for sid in block)
        days = promised_days if i == len(progress.blocks) - 1 else min(promised_days, math.ceil(cumulative * promised_days - 1e-9))
        due = cal.add_workdays(accepted_on, days)
        for sid in block:
            result[sid] = due
    return result


def default_definition(department_id: int | None) -> list[dict]:
    """审查 → 决定 by the implementing department: what an item gets before someone defines one."""
    return [
        {"id": "review", "name": "审查", "role": "approver", "department": department_id, "share": 0.6,
         "actions": ["pass", "reject"]},
        {"id": "decide", "name": "决定", "role": "approver", "department": department_id, "share": 0.4,
         "actions": ["pass", "return", "reject"]},
    ]
