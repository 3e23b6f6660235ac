"""电子证照 pages: each concern has its own URL module (staff registry, public verification and
the holder's 我的证照, 免提交/用证), mounted here under one namespace."""

from django.urls import include, path  # noqa: F401

app_name = "licenses"

urlpatterns: list = []
for _module in ("urls_staff", "urls_public", "urls_use"):
    try:
        urlpatterns += __import__(f"zhengwu.licenses.{_module}", fromlist=["urlpatterns"]).urlpatterns
    except ModuleNotFoundError as exc:  # a concern not built yet
        if exc.name != f"zhengwu.licenses.{_module}":
            raise
