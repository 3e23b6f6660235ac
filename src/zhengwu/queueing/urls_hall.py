"""Pages of the hall part of 取号叫号 (see urls.py): hall management in the workbench and 预约 on
the portal."""

from django.urls import path

from . import views_hall as v
from . import views_hall_booking as b

W = "workbench/halls/"
P = "yuyue/"

urlpatterns: list = [
    path(W, v.hall_list, name="hall_list"),
    path(f"{W}<int:hall_id>/", v.hall_detail, name="hall_detail"),
    path(f"{W}<int:hall_id>/roster/", v.roster, name="hall_roster"),
    path(f"{W}<int:hall_id>/rules/", v.hall_rules_edit, name="hall_rules"),
    path(f"{W}<int:hall_id>/slots/", v.generate_slots, name="hall_slots"),
    path(f"{W}<int:hall_id>/blocks/<int:pk>/lift/", v.lift_block, name="hall_lift_block"),
    path(f"{W}<int:hall_id>/<str:kind>/new/", v.edit, name="hall_new"),
    path(f"{W}<int:hall_id>/<str:kind>/<int:pk>/", v.edit, name="hall_edit"),
    path(f"{W}<int:hall_id>/<str:kind>/<int:pk>/delete/", v.delete, name="hall_delete"),
    path(P, b.start, name="book_start"),
    path(f"{P}types/<int:bt_id>/", b.choose, name="book_type"),
    path(f"{P}slots/<int:slot_id>/book/", b.book, name="book_slot"),
    path(f"{P}mine/", b.mine, name="book_mine"),
    path(f"{P}mine/<str:code>/", b.done, name="book_done"),
    path(f"{P}mine/<str:code>/cancel/", b.cancel, name="book_cancel"),
    path(f"{P}mine/<str:code>/rebook/", b.rebook, name="book_rebook"),
]
