"""Pages of the registers part of 监管 (see urls.py)."""

urlpatterns: list = []
