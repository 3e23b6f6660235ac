from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhengwu.inspections"
    label = "inspections"
    verbose_name = "互联网+监管与双随机一公开"

    def ready(self) -> None:
        import datetime as dt

        from django.db.models.signals import post_save

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.workbench.menu import MenuEntry
        from zhengwu.workbench.menu import register as register_menu

        # -- results: 检查结果 and 公示 --
        register_job(Job("inspections.publish", dt.timedelta(hours=1),
                         "zhengwu.inspections.services.results.publish_held",
                         "双随机检查结果公示：暂缓公示的结果在公示期限（检查后20个工作日）当日自动公示"))
        register_menu(MenuEntry("我的检查任务", "inspections:results_my_tasks", icon="card-checklist", order=34,
                                description="登记为执法人员的账号：本人被抽中的双随机检查任务，录入检查结果"))
        register_menu(MenuEntry("检查任务", "inspections:results_tasks", roles={"dept_admin", "approver"},
                                icon="card-checklist", order=35,
                                description="本部门抽查计划的检查任务：代执法人员录入结果、暂缓公示与发布"))
        register_menu(MenuEntry("双随机指标", "inspections:results_figures", roles={"leader", "supervisor", "dept_admin"},
                                icon="graph-up", order=43, description="抽查覆盖率、任务完成率、问题发现率，按部门和季度"))
        # -- draw: 抽查计划 --
        register_menu(MenuEntry("抽查计划", "inspections:plans", roles={"dept_admin", "approver", "supervisor", "leader"},
                                icon="shield-check", order=70,
                                description="双随机、一公开：制定抽查计划，公布抽查条件和随机种子，抽取检查对象和执法人员"))
        # -- verify: 告知承诺 后核查 --
        from .services import verification as commitments

        post_save.connect(commitments.on_case_event, sender="cases.CaseEvent",
                          dispatch_uid="inspections.commitment_check_on_accept")
        register_job(Job("inspections.commitments", dt.timedelta(hours=6), "zhengwu.inspections.services.verification.run_job",
                         "告知承诺后核查：补建遗漏的核查，提醒超期核查"))
        register_menu(MenuEntry("告知承诺核查", "inspections:verification_queue",
                                roles=set(commitments.STAFF_ROLES) | set(commitments.BUREAU_ROLES),
                                icon="shield-check", order=47, count=commitments.count_waiting,
                                count_label="件待核查", description="告知承诺办件的事后核查：待核查、即将到期、已超期"))
