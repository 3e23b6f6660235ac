"""URLs of the hotline app (namespace `hotline`)."""

app_name = "hotline"
urlpatterns: list = []
