from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "zhengwu.licenses"
    label = "licenses"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from .figures import register_menu

        register_menu()
