"""URLs of the insights app (namespace ``insights``): workbench pages under workbench/insights/."""

from django.urls import path

from . import views, views_dash, views_reports

app_name = "insights"
W = "workbench/insights/"

urlpatterns: list = [
    path(f"{W}figures/", views.figures, name="figures"),
    path(f"{W}leader/", views.leader, name="leader"),
    path(f"{W}reports/", views_reports.reports, name="reports"),
    path(f"{W}reports/<int:run_id>/<str:fmt>", views_reports.download, name="report_file"),
    # role dashboards, the region boundary file, the 大屏 and its layouts (views_dash)
    path(f"{W}department/", views_dash.department, name="department"),
    path(f"{W}hall/", views_dash.hall, name="hall"),
    path(f"{W}hall/data.json", views_dash.hall_data, name="hall_data"),
    path(f"{W}hotline/", views_dash.hotline, name="hotline"),
    path(f"{W}hotline/data.json", views_dash.hotline_data, name="hotline_data"),
    path(f"{W}region.geojson", views_dash.region_geojson, name="region_geojson"),
    path(f"{W}screen/", views_dash.screen_page, name="screen"),
    path(f"{W}screen/data.json", views_dash.screen_data, name="screen_data"),
    path(f"{W}screens/", views_dash.screens, name="screens"),
    path(f"{W}screens/new/", views_dash.screen_edit, name="screen_new"),
    path(f"{W}screens/<int:pk>/", views_dash.screen_edit, name="screen_edit"),
    path(f"{W}screens/<int:pk>/current/", views_dash.screen_current, name="screen_current"),
]
