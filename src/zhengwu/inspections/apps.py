from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhengwu.inspections"
    label = "inspections"
    verbose_name = "互联网+监管与双随机一公开"

    def ready(self) -> None:
        # Each part registers its menu entries and jobs below, between its own markers.
        # -- registers --
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.workbench.menu import MenuEntry, register

        from .services.registers import VIEW_ROLES, WRITE_ROLES

        register(MenuEntry("监管事项目录", "inspections:reg_items", roles=set(VIEW_ROLES), icon="card-checklist",
                           order=50, description="本部门的监管事项：设定依据、检查方式、对应行政检查/处罚事项"))
        register(MenuEntry("执法人员名录", "inspections:reg_inspectors", roles=set(VIEW_ROLES), icon="person-vcard",
                           order=51, description="执法证号、有效期、状态；Excel导入；注册率"))
        register(MenuEntry("检查对象名录库", "inspections:reg_objects", roles=set(VIEW_ROLES), icon="folder2-open",
                           order=52, description="检查对象查询、导入、同步法人库、历史检查记录"))
        # 回避: the department staff who inspect (the page itself is open to any staff member whose
        # account an inspector row names; the object's page links to the declaration as well).
        register(MenuEntry("我的回避申报", "inspections:reg_my_conflicts", roles=set(WRITE_ROLES), icon="shield-check",
                           order=53,
                           description="执法人员本人申报与检查对象的利害关系（回避）"))
        register_job(Job("inspections.expiry", dt.timedelta(hours=24),
                         "zhengwu.inspections.services.registers.notify_expiring",
                         "执法证到期提醒：有效期30天内到期的执法人员提醒部门管理员（每个有效期一次）"))
        # -- end registers --
