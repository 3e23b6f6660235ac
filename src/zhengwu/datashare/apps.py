from django.apps import AppConfig


class DatashareConfig(AppConfig):
    name = "zhengwu.datashare"
    label = "datashare"
    verbose_name = "数据共享"

    def ready(self) -> None:
        # -- 基础库 (人口库、法人库): bulk import and lookup, for 数据管理员 ----------------------------
        from zhengwu.workbench.menu import MenuEntry, register

        register(MenuEntry("基础库导入", "datashare:registry_import", roles={"data_admin"}, icon="box-arrow-in-down",
                           order=60, description="批量导入、更新人口库和法人库，查看数据质量报告"))
        register(MenuEntry("基础库查询", "datashare:registry_browse", roles={"data_admin"}, icon="person-vcard",
                           order=61, description="按身份证号或统一社会信用代码查询，按区划统计"))
        # -- end 基础库 ------------------------------------------------------------------------------
