"""双人复核 (审核分离) of 办事指南 versions — pure rule, no ORM (ADR 0059).

Whoever submitted a version for review, or changed it last, may not approve (审核通过并发布) it:
another 事项管理员 does. The services (:func:`zhengwu.catalog.services.items.approve_and_publish`)
enforce it; the pages ask the same function so that they say why before anyone clicks.

``ZHENGWU_CATALOG_FOUR_EYES=0`` (settings) lifts it for a district with a single 事项管理员; the
publication is then marked ``self_review`` in the audit event.
"""

from __future__ import annotations

OWN_SUBMISSION_MESSAGE = "不能审核自己提交的版本：请由另一位事项管理员审核"
OWN_EDIT_MESSAGE = "不能审核自己修改的版本：该版本最后由您修改，请由另一位事项管理员审核"
# The same, short, for a row of the review queue.
SHORT_NOTES = {OWN_SUBMISSION_MESSAGE: "本人提交，须由另一位事项管理员审核",
               OWN_EDIT_MESSAGE: "本人最后修改，须由另一位事项管理员审核"}


def self_review_refusal(reviewer: int | None, *, submitted_by: int | None, edited_by: int | None,
                        four_eyes: bool = True) -> str | None:
    """Why ``reviewer`` (a user id) may not approve a version submitted by ``submitted_by`` and last
    changed by ``edited_by`` (user ids, None when unknown), or None when they may."""
    if not four_eyes or reviewer is None:
        return None
    if submitted_by is not None and reviewer == submitted_by:
        return OWN_SUBMISSION_MESSAGE
    if edited_by is not None and reviewer == edited_by:
        return OWN_EDIT_MESSAGE
    return None


def is_self_review(reviewer: int | None, *, submitted_by: int | None, edited_by: int | None) -> bool:
    """True when the approval is one the rule would refuse (recorded when the setting lifts it)."""
    return self_review_refusal(reviewer, submitted_by=submitted_by, edited_by=edited_by) is not None
