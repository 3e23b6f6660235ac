from django.apps import AppConfig


class DatashareConfig(AppConfig):
    name = "zhengwu.datashare"
    label = "datashare"
    verbose_name = "数据共享"

    def ready(self) -> None:
        # -- 查询核验 (dverify): API-key scopes of zhengwu/datashare/api.py ----------------------
        from zhengwu.accounts.apikeys import register_scope

        register_scope("data:verify", "核验人口、法人信息（一致/不一致）")
        register_scope("data:query", "查询人口信息（获授权的信息项）")
        # -- end 查询核验 -----------------------------------------------------------------------
