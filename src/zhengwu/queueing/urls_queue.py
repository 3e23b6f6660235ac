"""Pages of the queue part of 取号叫号 (see urls.py): the clerk's 叫号 panel and the hall's kiosk."""

from django.urls import path

from . import views_kiosk as kiosk
from . import views_queue as queue
from . import views_queue_remote as remote

urlpatterns: list = [
    path("workbench/queue/", queue.panel, name="queue_panel"),
    path("hall/<int:hall_id>/take/", remote.remote_take, name="remote_take"),
    path("hall/<int:hall_id>/kiosk/", kiosk.home, name="kiosk"),
    path("hall/<int:hall_id>/kiosk/take/", kiosk.take, name="kiosk_take"),
    path("hall/<int:hall_id>/kiosk/ticket/<int:ticket_id>/", kiosk.ticket, name="kiosk_ticket"),
    path("hall/<int:hall_id>/kiosk/checkin/", kiosk.checkin, name="kiosk_checkin"),
    path("hall/<int:hall_id>/kiosk/progress/", kiosk.progress, name="kiosk_progress"),
    path("hall/<int:hall_id>/kiosk/rate/", kiosk.rate, name="kiosk_rate"),
]
