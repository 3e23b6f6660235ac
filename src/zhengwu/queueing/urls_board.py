"""Pages of the board part of 取号叫号 (see urls.py): the hall's call board and the window screens."""

from django.urls import path

from . import views_board

urlpatterns: list = [
    path("hall/<int:hall_id>/board/", views_board.board, name="board"),
    path("hall/windows/<int:window_id>/screen/", views_board.window_screen, name="window_screen"),
]
