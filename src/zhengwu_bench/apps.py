from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Installed only for its ``gen-data`` command; it has no models."""

    name = "zhengwu_bench"
    verbose_name = "基准测试数据"
