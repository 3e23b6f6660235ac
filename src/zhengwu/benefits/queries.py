"""Scoped reads of 免申即享: the policies a staff member manages (by department, in one place), the
entitlements of the logged-in holder, the counts and pages of a policy's results."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404

from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role, scope

from .models import EligibilityRun, Entitlement, Policy

POLICY_ROLES = (Role.ITEM_ADMIN, Role.DEPT_ADMIN)
POLICY_WHAT = "事项管理员、部门管理员"
PAGE_SIZE = 50


def staff_policies(user):
    return scope(Policy.objects.select_related("department"), user, POLICY_ROLES)


def staff_policy(user, pk: int) -> Policy:
    policy = staff_policies(user).filter(pk=pk).first()
    if policy is None:
        raise Http404("政策不存在或不在您的管理范围内")
    return policy


def may_manage(user, policy: Policy) -> bool:
    return has_role(user, *POLICY_ROLES, department=policy.department)


def state_counts(policy: Policy) -> dict[str, int]:
    rows = Entitlement.objects.filter(policy=policy).values("state").annotate(n=Count("pk")).order_by()
    got = {r["state"]: r["n"] for r in rows}
    return {s: got.get(s, 0) for s in Entitlement.State.values}


def latest_runs(policy: Policy, n: int = 10) -> list[EligibilityRun]:
    return list(policy.runs.order_by("-requested_at", "-pk")[:n])


def entitlement_page(policy: Policy, state: str = "", after: int | None = None, size: int = PAGE_SIZE):
    """One page of a policy's entitlements by id (keyset), and the id to continue after."""
    qs = Entitlement.objects.filter(policy=policy)
    if state in Entitlement.State.values:
        qs = qs.filter(state=state)
    if after:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.order_by("pk")[: size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


# -- the holder ------------------------------------------------------------------------------------
def holder_key(user) -> tuple[str, str] | None:
    """(kind, subject key) of the logged-in applicant: the 身份证号's blind index or the USCC."""
    applicant = getattr(user, "applicant", None) if getattr(user, "is_authenticated", False) else None
    if applicant is None:
        return None
    if applicant.kind == "legal":
        return ("legal", applicant.uscc) if applicant.uscc else None
    return ("person", applicant.id_number_index) if applicant.id_number_index else None


def my_entitlements(user):
    key = holder_key(user)
    if key is None:
        return Entitlement.objects.none()
    return (Entitlement.objects.filter(subject_key=key[1], policy__kind=key[0])
            .exclude(policy__state=Policy.State.DRAFT).select_related("policy", "policy__department"))


def my_entitlement(user, pk: int) -> Entitlement:
    ent = my_entitlements(user).filter(pk=pk).first()
    if ent is None:
        raise Http404("没有这项政策享受记录")
    return ent
