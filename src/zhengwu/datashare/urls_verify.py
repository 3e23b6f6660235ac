"""查询核验 pages: 我的数据使用记录 (the API is in api.py)."""

from django.urls import path

from . import views_verify

urlpatterns = [
    path("my/data-uses/", views_verify.my_data_uses, name="my_data_uses"),
]
