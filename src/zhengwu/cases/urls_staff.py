"""URL patterns of the cases app (staff workbench side); included by cases/urls.py."""

from django.urls import path

from . import views_staff as v
from . import views_staff_deadlines as deadlines
from . import views_staff_bundles as staff_bundles
from . import views_staff_documents as documents
from . import views_staff_filing as filing
from . import views_staff_processes as processes
from . import views_staff_tongban as tongban
from . import views_staff_instant as instant
from . import views_staff_readonly as readonly

P = "workbench/cases/"

urlpatterns: list = [
    path(f"{P}intake/", v.intake_queue, name="staff_intake"),
    path(f"{P}inbox/", v.inbox, name="staff_inbox"),
    # The handlers' page, or the read-only page for whoever may see the 办件指标.
    path(f"{P}<int:pk>/", readonly.case_page, name="staff_case"),
    path(f"{P}<int:pk>/reveal/", v.case_reveal, name="staff_case_reveal"),
    path(f"{P}<int:pk>/intake/<str:action>/", v.intake_action, name="staff_intake_action"),
    path(f"{P}<int:pk>/steps/<str:step_id>/", v.step_detail, name="staff_step"),
    path(f"{P}<int:pk>/steps/<str:step_id>/act/", v.step_action, name="staff_step_act"),
    path(f"{P}<int:pk>/suspend/", v.suspend, name="staff_suspend"),
    path(f"{P}<int:pk>/resume/", v.resume, name="staff_resume"),
    path(f"{P}<int:pk>/extension/", deadlines.extension_request, name="staff_extension_request"),
    path(f"{P}extensions/", deadlines.extension_list, name="staff_extensions"),
    path(f"{P}extensions/<int:pk>/decide/", deadlines.extension_decide, name="staff_extension_decide"),
    path(f"{P}<int:pk>/deliver/", v.deliver, name="staff_deliver"),
    path(f"{P}<int:pk>/decision/", v.decision_file, name="staff_decision"),
    path(f"{P}<int:pk>/documents/<str:kind>.pdf", documents.intake_document, name="staff_document"),
    path(f"{P}file/", filing.file_start, name="staff_file"),
    path(f"{P}file/register/", filing.file_register, name="staff_file_register"),
    path(f"{P}file/<int:pk>/", filing.file_draft, name="staff_file_draft"),
    path(f"{P}file/bundle/", staff_bundles.choose_bundle, name="staff_choose_bundle"),
    path(f"{P}file/bundle/<int:bundle_id>/", staff_bundles.file_bundle, name="staff_file_bundle"),
    path(f"{P}tongban/", tongban.receive, name="staff_tongban"),
    path(f"{P}instant/", instant.instant_home, name="staff_instant"),
    path(f"{P}instant/<int:pk>/review/", instant.instant_review, name="staff_instant_review"),
    path(f"{P}tongban/figures/", tongban.figures, name="staff_tongban_figures"),
    path(f"{P}processes/", processes.process_list, name="staff_processes"),
    path(f"{P}processes/<int:pk>/", processes.process_edit, name="staff_process_edit"),
    path(f"{P}processes/<int:pk>/form/", processes.form_schema, name="staff_form_schema"),
]
