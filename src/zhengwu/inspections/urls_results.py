"""Pages of the results part of 监管 (see urls.py): 我的检查任务, the department's tasks, recording a
result, the public 公示 pages, and the figures."""

from django.urls import path

from . import views_results, views_results_figures, views_results_public

urlpatterns: list = [
    path("inspections/results/", views_results_public.results, name="results_public"),
    path("inspections/results/plans/<int:pk>/", views_results_public.plan_results, name="results_plan"),
    path("inspections/my-tasks/", views_results.my_tasks, name="results_my_tasks"),
    path("inspections/tasks/", views_results.department_tasks, name="results_tasks"),
    path("inspections/tasks/<int:pk>/result/", views_results.record, name="results_record"),
    path("inspections/tasks/<int:pk>/publish/", views_results.publish, name="results_publish"),
    path("inspections/tasks/<int:pk>/files/<int:aid>/", views_results.attachment, name="results_attachment"),
    path("inspections/figures/", views_results_figures.figures, name="results_figures"),
    path("inspections/figures/export/", views_results_figures.figures_export, name="results_figures_export"),
]
