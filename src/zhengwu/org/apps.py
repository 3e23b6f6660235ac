from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "zhengwu.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Department, Region

        for model in (Department, Region):
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(_tree_changed, sender=model, dispatch_uid=f"org-tree-{model.__name__}-{name}")


def _tree_changed(sender, **kwargs) -> None:
    """A department or region changed: cached department subtrees are read again (permissions)."""
    from django.db import transaction

    from .permissions import org_tree_changed

    transaction.on_commit(org_tree_changed)
