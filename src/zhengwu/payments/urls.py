"""Workbench URLs of 收费与缴款 (namespace "payments")."""

from django.urls import path

from . import views as v

app_name = "payments"
P = "workbench/payments/"

urlpatterns = [
    path(f"{P}", v.order_list, name="orders"),
    path(f"{P}<int:pk>/", v.order_detail, name="order"),
    path(f"{P}<int:pk>/<str:action>/", v.order_action, name="order_action"),
    path(f"{P}case/<int:case_pk>/new/", v.order_new, name="order_new"),
    path(f"{P}receipts/<int:pk>/", v.receipt, name="receipt"),
    path(f"{P}reconciliation/", v.reconciliation, name="reconciliation"),
    path(f"{P}reconciliation/xlsx/", v.reconciliation_xlsx, name="reconciliation_xlsx"),
]
