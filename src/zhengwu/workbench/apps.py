from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "zhengwu.workbench"
    label = "workbench"
    verbose_name = "工作台"

    def ready(self) -> None:
        from .menu import MenuEntry, register

        register(MenuEntry("上报队列", "workbench:feeds", group="数据共享", roles={"data_admin", "sysadmin"},
                           icon="envelope-paper", order=75,
                           description="12345工单、办件信息上报上级平台：待推送、失败、停止重试的记录，重新推送"))
