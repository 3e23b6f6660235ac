from django.apps import AppConfig


class DatashareConfig(AppConfig):
    name = "zhengwu.datashare"
    label = "datashare"
    verbose_name = "数据共享"

    def ready(self) -> None:
        # -- 共享申请 and 交换监控 (s5-dshare) -------------------------------------------------------
        import datetime as dt

        from zhengwu.accounts.apikeys import register_scope
        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.org.models import Role
        from zhengwu.workbench.menu import MenuEntry, register

        from .services.sharing import waiting_count

        register(MenuEntry("共享申请", "datashare:share_requests", roles={Role.DEPT_ADMIN, Role.APPROVER, Role.DATA_ADMIN},
                           icon="diagram-3", order=50, count=waiting_count, count_label="件待审核或会签",
                           description="申请使用其他部门的政务数据；审核、会签本部门资源的共享申请；领取应用密钥"))
        register(MenuEntry("交换监控", "datashare:monitoring", roles={Role.DATA_ADMIN}, icon="graph-up", order=52,
                           description="核验查询调用的日统计：调用量、失败率、P95耗时、异常调用量"))
        register_job(Job("datashare.rollup", dt.timedelta(minutes=10), "zhengwu.datashare.services.monitoring.rollup",
                         "交换监控：核验查询调用按日、使用部门、资源汇总并标记异常调用量"))
        # Scopes of the grants' keys: what the query-verify API (api.py) checks.
        register_scope("data:verify", "核验人口、法人信息（一致/不一致，共享授权范围内）")
        register_scope("data:query", "查询人口信息（共享授权的信息项）")
        # -- end 共享申请 and 交换监控 ------------------------------------------------------------------
