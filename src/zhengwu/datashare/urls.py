"""数据共享 pages: each concern has its own URL module, mounted here under one namespace."""

from importlib import import_module

app_name = "datashare"

urlpatterns: list = []
for _module in ("urls_catalogue", "urls_registries", "urls_verify", "urls_sharing"):
    try:
        urlpatterns += import_module(f"zhengwu.datashare.{_module}").urlpatterns
    except ModuleNotFoundError as exc:  # a concern not built yet
        if exc.name != f"zhengwu.datashare.{_module}":
            raise
