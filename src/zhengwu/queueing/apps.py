from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "zhengwu.queueing"
    label = "queueing"
    verbose_name = "大厅取号叫号与预约"

    def ready(self) -> None:
        import datetime as dt

        # -- board: the push server beside gunicorn (ADR 0043) --
        from zhengwu.core import companions
        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.workbench.menu import MenuEntry
        from zhengwu.workbench.menu import register as register_menu

        from .push.urls import companion_argv

        companions.register(companions.Companion("push", companion_argv))
        # -- queue: 叫号 --
        register_menu(MenuEntry("叫号", "queueing:queue_panel", roles={"window"}, icon="person-vcard", order=12,
                                description="开窗、叫号、重呼、过号、办理、转移和帮办取号"))
        # -- hall: 大厅管理 and 预约 --
        register_menu(MenuEntry("大厅管理", "queueing:hall_list", roles={"supervisor", "sysadmin"}, icon="signpost-split",
                                order=70, description="功能区、业务类型、窗口、排班、办公时间、延时/周末办与预约规则"))
        register_job(Job("queueing.slots", dt.timedelta(days=1), "zhengwu.queueing.services.slots.generate_all",
                         "预约时段生成：按办公时间、工作日历和窗口能力生成可预约时段"))
        register_job(Job("queueing.reminders", dt.timedelta(hours=1), "zhengwu.queueing.services.booking.send_reminders",
                         "预约提醒：前一天提醒预约人（站内消息和短信）"))
        register_job(Job("queueing.noshows", dt.timedelta(minutes=15), "zhengwu.queueing.services.booking.mark_noshows",
                         "预约爽约：超过签到时间未签到的预约标记爽约，多次爽约限制预约"))
        # -- supervision: 效能监察 --
        register_job(Job("queueing.watch", dt.timedelta(minutes=1), "zhengwu.queueing.services.supervision.watch",
                         "超时等待提醒：等候超过大厅阈值的号通知督办人员（每号一次）"))
        register_job(Job("queueing.rollup", dt.timedelta(hours=1), "zhengwu.queueing.services.supervision.rollup",
                         "大厅取号日汇总：把近一周已结束且未汇总的日期汇总，供效能统计读取"))
        register_menu(MenuEntry("效能监察", "queueing:supervision", group="统计分析", roles={"supervisor", "leader", "sysadmin"},
                                icon="graph-up", order=43,
                                description="大厅实时等候人数、等待与办理时间、超时等待提醒、窗口饱和度；按窗口/业务/时段/日期统计与导出"))
