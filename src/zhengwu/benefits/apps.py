from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "zhengwu.benefits"
    label = "benefits"
    verbose_name = "免申即享"

    def ready(self) -> None:
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.workbench.menu import MenuEntry, register

        from .queries import POLICY_ROLES

        register(MenuEntry("政策管理", "benefits:staff_policies", group="政务服务", roles=set(POLICY_ROLES),
                           icon="person-heart", order=30,
                           description="免申即享政策：资格规则、资格比对、享受名单与导出"))
        register_job(Job("benefits.runs", dt.timedelta(minutes=1), "zhengwu.benefits.services.runs.run_queued",
                         "免申即享资格比对：执行排队中的比对"))
