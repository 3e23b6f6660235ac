from django.utils.functional import SimpleLazyObject


def menu(request):
    """The workbench menu for the current user, computed only if a template uses it."""
    from .menu import entries_for

    user = getattr(request, "user", None)
    return {"menu": SimpleLazyObject(lambda: entries_for(user) if user is not None and user.is_authenticated else [])}
