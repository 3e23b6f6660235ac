"""All case URLs, namespace ``cases``: applicant pages, staff workbench pages, figures."""

from . import urls_applicant, urls_figures, urls_staff

app_name = "cases"
urlpatterns = urls_applicant.urlpatterns + urls_staff.urlpatterns + urls_figures.urlpatterns
