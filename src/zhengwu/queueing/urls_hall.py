"""Pages of the hall part of 取号叫号 (see urls.py)."""

urlpatterns: list = []
