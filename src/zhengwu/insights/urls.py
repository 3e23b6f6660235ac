"""URLs of the insights app (namespace ``insights``): workbench pages under workbench/insights/."""

from django.urls import path

from . import views, views_reports

app_name = "insights"
W = "workbench/insights/"

urlpatterns: list = [
    path(f"{W}figures/", views.figures, name="figures"),
    path(f"{W}leader/", views.leader, name="leader"),
    path(f"{W}reports/", views_reports.reports, name="reports"),
    path(f"{W}reports/<int:run_id>/<str:fmt>", views_reports.download, name="report_file"),
]
