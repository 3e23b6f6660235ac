"""取号叫号 pages, one URL module per concern under one namespace: hall management and 预约
(urls_hall), tickets, 叫号 and the kiosk (urls_queue), 效能监察 (urls_supervision), the call boards
and window screens (urls_board)."""

from . import urls_board, urls_hall, urls_queue, urls_supervision

app_name = "queueing"

urlpatterns = urls_hall.urlpatterns + urls_queue.urlpatterns + urls_supervision.urlpatterns + urls_board.urlpatterns
