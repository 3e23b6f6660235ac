"""Pages of the verification part of 监管 (see urls.py)."""

urlpatterns: list = []
