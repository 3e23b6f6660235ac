from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhengwu.accounts"
    label = "accounts"
    verbose_name = "用户与申请人"

    def ready(self):
        from . import middleware_security  # noqa: F401  (connects the staff-session signal)
