"""电子证照 pages, one URL module per concern, under one namespace: the staff registry, public
verification and the holder's 我的证照, 免提交/用证."""

from . import urls_public, urls_staff, urls_use

app_name = "licenses"

urlpatterns = urls_staff.urlpatterns + urls_public.urlpatterns + urls_use.urlpatterns
