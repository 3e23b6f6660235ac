"""Pages of the plans part of 监管 (see urls.py)."""

urlpatterns: list = []
