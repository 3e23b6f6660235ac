from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "zhengwu.queueing"
    label = "queueing"
    verbose_name = "大厅取号叫号与预约"

    def ready(self) -> None:
        # Each part registers its menu entries, jobs, scopes and warm-up below, between its own markers.
        pass
