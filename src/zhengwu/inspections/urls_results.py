"""Pages of the results part of 监管 (see urls.py): 我的检查任务, the department's tasks, recording a
result, the public 公示 pages, and the figures. Staff pages live under /workbench/ like every
other staff page; their first addresses (/inspections/my-tasks/, /inspections/tasks/…,
/inspections/figures/…) redirect there, so bookmarks keep working."""

from django.urls import path, re_path
from django.views.generic import RedirectView

from . import views_results, views_results_figures, views_results_public

W = "workbench/inspections/"

urlpatterns: list = [
    path("inspections/results/", views_results_public.results, name="results_public"),
    path("inspections/results/plans/<int:pk>/", views_results_public.plan_results, name="results_plan"),
    path(f"{W}my-tasks/", views_results.my_tasks, name="results_my_tasks"),
    path(f"{W}tasks/", views_results.department_tasks, name="results_tasks"),
    path(f"{W}tasks/<int:pk>/result/", views_results.record, name="results_record"),
    path(f"{W}tasks/<int:pk>/publish/", views_results.publish, name="results_publish"),
    path(f"{W}tasks/<int:pk>/files/<int:aid>/", views_results.attachment, name="results_attachment"),
    path(f"{W}figures/", views_results_figures.figures, name="results_figures"),
    path(f"{W}figures/export/", views_results_figures.figures_export, name="results_figures_export"),
    # The first addresses of these pages (GET only: a form posts to the new one).
    re_path(r"^inspections/(?P<rest>(?:my-tasks|tasks|figures)/.*)$",
            RedirectView.as_view(url=f"/{W}%(rest)s", permanent=True, query_string=True)),
]
