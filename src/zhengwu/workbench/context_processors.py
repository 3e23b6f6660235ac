from django.utils.functional import SimpleLazyObject

WORKBENCH_PREFIX = "/workbench/"


def menu(request):
    """The workbench menu for the current user (``menu`` flat, ``menu_groups`` by group),
    computed only if a template uses it; and ``page_layout``, the layout the pages the whole site
    shares (403.html, 404.html) extend: the workbench's, with its menu, for staff under /workbench/
    (a refusal there is one step of their work, not a dead end), the portal's for a citizen or an
    enterprise there, the bare one elsewhere."""
    from .menu import entries_for, grouped

    user = getattr(request, "user", None)
    entries = SimpleLazyObject(lambda: entries_for(user) if user is not None and user.is_authenticated else [])
    return {"menu": entries, "menu_groups": SimpleLazyObject(lambda: grouped(list(entries))),
            "page_layout": _layout(request, user)}


def _layout(request, user) -> str:
    if not request.path_info.startswith(WORKBENCH_PREFIX) or user is None or not user.is_authenticated:
        return "base.html"
    from zhengwu.org.permissions import is_staff_member

    if is_staff_member(user):
        return "workbench/base.html"
    # A citizen or an enterprise who followed a workbench address: the portal's header, their way back.
    return "portal/base.html" if user.kind != user.Kind.STAFF else "base.html"
