from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "zhengwu.licenses"
    label = "licenses"
    verbose_name = "电子证照"

    def ready(self) -> None:
        import datetime as dt

        from zhengwu.core.schedule import Job
        from zhengwu.core.schedule import register as register_job
        from zhengwu.org.models import Role
        from zhengwu.workbench.menu import MenuEntry, register

        from .queries import LIST_ROLES
        from .services.types import TYPE_ROLES

        register(MenuEntry("电子证照", "licenses:staff_licences", roles=set(LIST_ROLES), icon="person-vcard", order=45,
                           description="本部门颁发的电子证照：查询、下载、变更、注销、吊销"))
        register(MenuEntry("证照类型", "licenses:staff_types", roles=set(TYPE_ROLES) | {Role.SYSADMIN},
                           icon="tags", order=24, description="证照类型目录：类型代码、照面信息项、有效期、版式"))
        register_job(Job("licenses.expire", dt.timedelta(hours=6), "zhengwu.licenses.services.status.expire_due",
                         "电子证照过期：有效期届满的证照标记为已过期"))
        from .figures import register_menu

        register_menu()
        from zhengwu.accounts.apikeys import register_scope

        # 应用密钥 scopes of the machine API (zhengwu/licenses/api.py)
        register_scope("licences:read", "查询持证主体的电子证照")
        register_scope("licences:verify", "核验电子证照")
        # 亮证核验: any staff member (a window clerk, an inspector) checks a holder's shown licence.
        register(MenuEntry("亮证核验", "licenses:show_check", icon="person-vcard", order=60,
                           description="输入或扫描持证人出示的亮证码，查看证照照面信息"))
