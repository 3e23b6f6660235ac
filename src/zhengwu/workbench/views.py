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
            if request.user.kind != request.user.Kind.STAFF:
                # A citizen or an enterprise: the portal's page with the way back, not a bare refusal.
                return render(request, "workbench/staff_only.html", status=403)
            raise PermissionDenied("仅限工作人员使用")
        return view(request, *args, **kwargs)

    return wrapper


def allowed_if(check, *, refused: str):
    """Workbench pages for the staff ``check(user)`` admits; ``refused`` is the Chinese reason given
    to the others (403). The check stays on the view (``view.zw_allows``): a page that offers a link
    asks the same function before showing it (:func:`may_open`)."""

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(refused)
            return view(request, *args, **kwargs)

        wrapper = staff_required(checked)
        wrapper.zw_allows = check
        return wrapper

    return decorator


def roles_required(*roles: str, what: str):
    """Workbench pages for some roles only (系统管理员 always); ``what`` names them in the refusal."""
    wanted = frozenset(roles)

    def allows(user) -> bool:
        return bool(roles_of(user) & wanted) or is_sysadmin(user)

    return allowed_if(allows, refused=f"仅{what}可以使用此功能")


def may_open(user, url: str | None) -> bool:
    """Whether ``user`` passes the check the view at ``url`` (a path of this site, query string
    allowed) declares with :func:`allowed_if` / :func:`roles_required` — the one a link to it is
    shown by. A view that declares none (it decides on the object it shows) is not refused here;
    an address that resolves to no view is."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    if not url:
        return False
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    check = getattr(match.func, "zw_allows", None)
    if check is None:
        return True
    return is_staff_member(user) and bool(check(user))


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
