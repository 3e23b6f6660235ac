"""Background tasks of the cases app (run by `zhengwu worker`)."""

from django_tasks import task


@task()
def deliver_sms(message_id: int) -> str:
    from .services.notify import deliver

    return deliver(message_id).status
