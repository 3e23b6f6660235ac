"""Where a login lands: the ``next`` asked for — except the workbench for a citizen or an
enterprise (it is for staff only; a ``?next=/workbench/…`` left from a staff link, a bookmark, a
shared address would open a refusal), who land on the portal instead."""

from __future__ import annotations

from django.urls import reverse

STAFF_ONLY = "工作台仅供工作人员使用"


def is_applicant(user) -> bool:
    """A citizen's or an enterprise's account (not a member of staff)."""
    return bool(user is not None and user.is_authenticated and user.kind != user.Kind.STAFF)


def is_workbench_path(path: str) -> bool:
    return (path or "").split("?", 1)[0].startswith(reverse("workbench:home"))


def after_login(user, target: str) -> str:
    """``target`` (a checked local address), or the portal's home where an applicant was being
    sent into the workbench."""
    if is_applicant(user) and is_workbench_path(target):
        return reverse("portal:home")
    return target
