from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "zhengwu.queueing"
    label = "queueing"
    verbose_name = "大厅取号叫号与预约"

    def ready(self) -> None:
        # Each part registers its menu entries, jobs, scopes and warm-up below, between its own markers.
        # -- queue --
        from zhengwu.workbench.menu import MenuEntry, register

        register(MenuEntry("叫号", "queueing:queue_panel", roles={"window"}, icon="person-vcard", order=12,
                           description="开窗、叫号、重呼、过号、办理、转移和帮办取号"))
        # -- end queue --
