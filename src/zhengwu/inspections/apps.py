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
                                roles=set(INSPECTOR_ROLES), when=_is_inspector,
                                description="登记为执法人员的账号：本人被抽中的双随机检查任务，录入检查结果"))
        register_menu(MenuEntry("检查任务", "inspections:results_tasks", roles={"dept_admin", "approver"},
                                icon="card-checklist", order=35,
                                description="本部门抽查计划的检查任务：代执法人员录入结果、暂缓公示与发布"))
        register_menu(MenuEntry("双随机指标", "inspections:results_figures", group="统计分析", roles={"leader", "supervisor", "dept_admin"},
                                icon="graph-up", order=43, description="抽查覆盖率、任务完成率、问题发现率，按部门和季度"))
        # -- draw: 抽查计划 --
        register_menu(MenuEntry("抽查计划", "inspections:plans", roles={"dept_admin", "approver", "supervisor", "leader"},
                                icon="shield-check", order=33,
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
        # -- registers: 监管事项目录, 执法人员名录, 检查对象名录库, 回避 --
        from .services.registers import VIEW_ROLES

        register_menu(MenuEntry("监管事项目录", "inspections:reg_items", roles=set(VIEW_ROLES), icon="card-checklist",
                                order=50, description="本部门的监管事项：设定依据、检查方式、对应行政检查/处罚事项"))
        register_menu(MenuEntry("执法人员名录", "inspections:reg_inspectors", roles=set(VIEW_ROLES), icon="person-vcard",
                                order=51, description="执法证号、有效期、状态；Excel导入；注册率"))
        register_menu(MenuEntry("检查对象名录库", "inspections:reg_objects", roles=set(VIEW_ROLES), icon="folder2-open",
                                order=52, description="检查对象查询、导入、同步法人库、历史检查记录"))
        # 回避: for accounts an inspector row names (the object's page links to the declaration as well).
        register_menu(MenuEntry("我的回避申报", "inspections:reg_my_conflicts", roles=set(INSPECTOR_ROLES), when=_is_inspector,
                                icon="shield-check",
                                order=53, description="执法人员本人申报与检查对象的利害关系（回避）"))
        register_job(Job("inspections.expiry", dt.timedelta(hours=24),
                         "zhengwu.inspections.services.registers.notify_expiring",
                         "执法证到期提醒：有效期30天内到期的执法人员提醒部门管理员（每个有效期一次）"))


# Inspectors are department staff: only their accounts cost the menu the query below.
INSPECTOR_ROLES = ("dept_admin", "approver")


def _is_inspector(user) -> bool:
    """The menu shows 我的检查任务 and 我的回避申报 to accounts registered as inspectors (one query,
    remembered for the request)."""
    from .models import Inspector

    if not hasattr(user, "_zw_is_inspector"):
        user._zw_is_inspector = Inspector.objects.filter(user_id=user.pk).exists()
    return user._zw_is_inspector
