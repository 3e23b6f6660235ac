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
                           icon="diagram-3", order=53, count=waiting_count, count_label="件待审核或会签",
                           description="申请使用其他部门的政务数据；审核、会签本部门资源的共享申请；领取应用密钥"))
        register(MenuEntry("交换监控", "datashare:monitoring", roles={Role.DATA_ADMIN}, icon="graph-up", order=54,
                           description="核验查询调用的日统计：调用量、失败率、P95耗时、异常调用量"))
        register_job(Job("datashare.rollup", dt.timedelta(minutes=10), "zhengwu.datashare.services.monitoring.rollup",
                         "交换监控：核验查询调用按日、使用部门、资源汇总并标记异常调用量"))
        # Scopes of the grants' keys: what the query-verify API (api.py) checks.
        register_scope("data:verify", "核验人口、法人信息（一致/不一致，共享授权范围内）")
        register_scope("data:query", "查询人口信息（共享授权的信息项）")
        # -- end 共享申请 and 交换监控 ------------------------------------------------------------------
        # -- 资源目录, 三张清单, 信息系统普查 (dcat) -------------------------------------------------
        editors = {"data_admin", "dept_admin", "leader", "supervisor"}
        register(MenuEntry("资源目录", "datashare:resource_list", roles=editors, icon="folder2-open", order=50,
                           description="政务信息资源目录：登记、审核、发布信息资源，Excel 导入导出",
                           count=_resources_to_review, count_label="个资源待审核"))
        register(MenuEntry("三张清单", "datashare:lists_home", roles=editors, icon="card-checklist", order=51,
                           description="需求清单、责任清单、负面清单；未响应需求统计"))
        register(MenuEntry("信息系统普查", "datashare:system_list", roles=editors, icon="cpu", order=52,
                           description="各部门信息系统登记、接入共享平台情况"))
        # -- end dcat ------------------------------------------------------------------------------------

        # -- 基础库 (人口库、法人库): bulk import and lookup, for 数据管理员 ----------------------------
        register(MenuEntry("基础库导入", "datashare:registry_import", roles={"data_admin"}, icon="box-arrow-in-down",
                           order=60, description="批量导入、更新人口库和法人库，查看数据质量报告"))
        register(MenuEntry("基础库查询", "datashare:registry_browse", roles={"data_admin"}, icon="person-vcard",
                           order=61, description="按身份证号或统一社会信用代码查询，按区划统计"))
        # -- end 基础库 ------------------------------------------------------------------------------


def _resources_to_review(user, cap: int) -> int:
    """Resources waiting for a 数据管理员's review in the user's scope (dcat)."""
    from zhengwu.org.permissions import has_role, scope

    from .models import DataResource

    if not has_role(user, "data_admin"):
        return 0
    qs = scope(DataResource.objects.filter(status="review"), user, ["data_admin"], department_field="provider")
    return qs.order_by().values("pk")[:cap].count()
