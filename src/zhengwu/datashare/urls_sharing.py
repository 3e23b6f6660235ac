"""共享申请 and 交换监控 pages (workbench)."""

from django.urls import path

from . import views_monitoring, views_sharing

urlpatterns = [
    path("workbench/data/share-requests/", views_sharing.request_list, name="share_requests"),
    path("workbench/data/share-requests/new/", views_sharing.request_new, name="share_request_new"),
    path("workbench/data/share-requests/<int:pk>/", views_sharing.request_detail, name="share_request"),
    path("workbench/data/share-requests/<int:pk>/key/", views_sharing.collect_key, name="share_request_key"),
    path("workbench/data/share-requests/<int:pk>/<slug:action>/", views_sharing.request_act,
         name="share_request_act"),
    path("workbench/data/monitoring/", views_monitoring.dashboard, name="monitoring"),
    path("workbench/data/monitoring/rollup/", views_monitoring.rollup_now, name="monitoring_rollup"),
]
