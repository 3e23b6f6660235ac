"""Background tasks of 好差评 (run by `zhengwu worker`; schedule daily with cron)."""

from django_tasks import task


@task()
def apply_default_ratings() -> int:
    """默认好评: off unless the local rules enable it."""
    from .services import apply_default_ratings as apply

    return apply()
