"""Pages of the results part of 监管 (see urls.py)."""

urlpatterns: list = []
