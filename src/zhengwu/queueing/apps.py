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
        # -- hall --
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.workbench.menu import MenuEntry
        from zhengwu.workbench.menu import register as register_menu

        register_menu(MenuEntry("大厅管理", "queueing:hall_list", roles={"supervisor", "sysadmin"}, icon="signpost-split",
                                order=70, description="功能区、业务类型、窗口、排班、办公时间、延时/周末办与预约规则"))
        register_job(Job("queueing.slots", dt.timedelta(days=1), "zhengwu.queueing.services.slots.generate_all",
                         "预约时段生成：按办公时间、工作日历和窗口能力生成可预约时段"))
        register_job(Job("queueing.reminders", dt.timedelta(hours=1), "zhengwu.queueing.services.booking.send_reminders",
                         "预约提醒：前一天提醒预约人（站内消息和短信）"))
        register_job(Job("queueing.noshows", dt.timedelta(minutes=15), "zhengwu.queueing.services.booking.mark_noshows",
                         "预约爽约：超过签到时间未签到的预约标记爽约，多次爽约限制预约"))
        # -- end hall --
