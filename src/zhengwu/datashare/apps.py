from django.apps import AppConfig


class DatashareConfig(AppConfig):
    name = "zhengwu.datashare"
    label = "datashare"
    verbose_name = "数据共享"
