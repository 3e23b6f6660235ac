"""URLs of the hotline app (namespace `hotline`): workbench pages, portal pages, Open311."""

from django.urls import path

from . import open311, views_citizen, views_figure_tickets, views_ledger, views_staff

app_name = "hotline"
W = "workbench/hotline/"

urlpatterns: list = [
    # 工作台
    path(f"{W}console/", views_staff.console, name="console"),
    path(f"{W}centre/", views_staff.centre, name="centre"),
    path(f"{W}department/", views_staff.department, name="dept"),
    path(f"{W}tickets/<int:pk>/", views_staff.ticket, name="ticket"),
    path(f"{W}tickets/<int:pk>/reveal/", views_staff.reveal, name="reveal"),
    path(f"{W}tickets/<int:pk>/photos/<int:photo>/", views_staff.photo, name="photo"),
    path(f"{W}tickets/<int:pk>/<str:action>/", views_staff.act, name="act"),
    path(f"{W}figures/", views_staff.figures_page, name="figures"),
    path(f"{W}figures/tickets/", views_figure_tickets.figure_tickets, name="figure_tickets"),
    path(f"{W}ledgers/efficiency/", views_ledger.ledger_page, {"kind": "efficiency"}, name="ledger_efficiency"),
    path(f"{W}ledgers/cannot-do/", views_ledger.ledger_page, {"kind": "cannot-do"}, name="ledger_cannot_do"),
    path(f"{W}ledgers/<str:kind>/<int:pk>/", views_ledger.ledger_record, name="ledger_record"),
    path(f"{W}taxonomy/", views_staff.taxonomy, name="taxonomy"),
    path(f"{W}knowledge/", views_staff.knowledge_list, name="knowledge"),
    path(f"{W}knowledge/new/", views_staff.knowledge_edit, name="knowledge_new"),
    path(f"{W}knowledge/<int:pk>/", views_staff.knowledge_edit, name="knowledge_edit"),
    path(f"{W}model/", views_staff.model_page, name="model"),
    # 网上办事大厅
    path("hotline/", views_citizen.submit, name="submit"),
    path("hotline/mine/", views_citizen.my_tickets, name="my_tickets"),
    path("hotline/mine/<int:pk>/", views_citizen.my_ticket, name="my_ticket"),
    path("hotline/mine/<int:pk>/rate/", views_citizen.rate, name="rate"),
    # Open311 GeoReport v2
    path("open311/v2/discovery.json", open311.discovery, name="open311_discovery"),
    path("open311/v2/services.json", open311.services_list, name="open311_services"),
    path("open311/v2/requests.json", open311.requests_view, name="open311_requests"),
    path("open311/v2/requests/<str:number>.json", open311.request_detail, name="open311_request"),
]
