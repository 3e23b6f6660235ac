"""URLs of the ratings app (namespace `ratings`)."""

app_name = "ratings"
urlpatterns: list = []
