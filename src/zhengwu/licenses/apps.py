from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "zhengwu.licenses"
    label = "licenses"
    verbose_name = "电子证照"
