from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from zhengwu.org.models import Role
from zhengwu.org.permissions import grants, is_staff_member, is_sysadmin, roles_of



def staff_required(view):
    """Workbench pages: logged-in staff only (applicants get 403, anonymous go to login)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(request.user):
            raise PermissionDenied("仅限工作人员使用")
        return view(request, *args, **kwargs)

    return wrapper


def roles_required(*roles: str, what: str):
    """Workbench pages for some roles only (系统管理员 always); ``what`` names them in the refusal."""

    def decorator(view):
        @staff_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (roles_of(request.user) & set(roles)) and not is_sysadmin(request.user):
                raise PermissionDenied(f"仅{what}可以使用此功能")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@staff_required
def home(request):
    labels = dict(Role.choices)
    my_grants = [
        {"role": labels.get(g.role, g.role)}
        for g in grants(request.user)
    ]
    from zhengwu.org.models import RoleGrant

    # select_related: the page shows each grant's region and department names.
    rows = RoleGrant.objects.filter(user=request.user).select_related("region", "department", "window")
    from .menu import entries_for, grouped, with_counts

    return render(request, "workbench/home.html", {
        "grants": rows,
        "role_count": len(my_grants),
        "card_groups": grouped(with_counts(entries_for(request.user), request.user)),
    })
