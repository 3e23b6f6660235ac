from django.utils.functional import SimpleLazyObject


def menu(request):
    """The workbench menu for the current user (``menu`` flat, ``menu_groups`` by group),
    computed only if a template uses it."""
    from .menu import entries_for, grouped

    user = getattr(request, "user", None)
    entries = SimpleLazyObject(lambda: entries_for(user) if user is not None and user.is_authenticated else [])
    return {"menu": entries, "menu_groups": SimpleLazyObject(lambda: grouped(list(entries)))}
