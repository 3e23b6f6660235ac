from django.apps import AppConfig


class DatashareConfig(AppConfig):
    name = "zhengwu.datashare"
    label = "datashare"
    verbose_name = "数据共享"

    def ready(self) -> None:
        from zhengwu.workbench.menu import MenuEntry, register

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


def _resources_to_review(user, cap: int) -> int:
    """Resources waiting for a 数据管理员's review in the user's scope (dcat)."""
    from zhengwu.org.permissions import has_role, scope

    from .models import DataResource

    if not has_role(user, "data_admin"):
        return 0
    qs = scope(DataResource.objects.filter(status="review"), user, ["data_admin"], department_field="provider")
    return qs.order_by().values("pk")[:cap].count()
