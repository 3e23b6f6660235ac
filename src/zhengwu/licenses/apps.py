from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "zhengwu.licenses"
    label = "licenses"
    verbose_name = "电子证照"

    def ready(self):
        from zhengwu.accounts.apikeys import register_scope

        # 应用密钥 scopes of the machine API (zhengwu/licenses/api.py)
        register_scope("licences:read", "查询持证主体的电子证照")
        register_scope("licences:verify", "核验电子证照")
        from zhengwu.workbench.menu import MenuEntry, register

        # 亮证核验: any staff member (a window clerk, an inspector) checks a holder's shown licence.
        register(MenuEntry("亮证核验", "licenses:show_check", icon="person-vcard", order=60,
                           description="输入或扫描持证人出示的亮证码，查看证照照面信息"))
