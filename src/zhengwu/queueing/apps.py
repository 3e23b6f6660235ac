from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "zhengwu.queueing"
    label = "queueing"
    verbose_name = "大厅取号叫号与预约"

    def ready(self) -> None:
        # Each part registers its menu entries, jobs, scopes and warm-up below, between its own markers.
        pass
        # -- supervision --
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.workbench.menu import MenuEntry
        from zhengwu.workbench.menu import register as register_menu

        register_job(Job("queueing.watch", dt.timedelta(minutes=1), "zhengwu.queueing.services.supervision.watch",
                         "超时等待提醒：等候超过大厅阈值的号通知督办人员（每号一次）"))
        register_job(Job("queueing.rollup", dt.timedelta(hours=1), "zhengwu.queueing.services.supervision.rollup",
                         "大厅取号日汇总：把近一周已结束且未汇总的日期汇总，供效能统计读取"))
        register_menu(MenuEntry("效能监察", "queueing:supervision", roles={"supervisor", "leader", "sysadmin"},
                                icon="graph-up", order=43,
                                description="大厅实时等候人数、等待与办理时间、超时等待提醒、窗口饱和度；按窗口/业务/时段/日期统计与导出"))
        # -- end supervision --
