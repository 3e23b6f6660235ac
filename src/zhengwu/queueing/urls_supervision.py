"""Pages of the supervision part of 取号叫号 (see urls.py)."""

urlpatterns: list = []
