"""URL patterns of the catalogue (workbench side); included by catalog/urls.py."""

from django.urls import path

from . import views_workbench as v
from . import views_workbench_questions as vq
from . import views_workbench_search as vs

P = "workbench/catalog/"

urlpatterns: list = [
    path(f"{P}items/", v.item_list, name="wb_items"),
    path(f"{P}items/new/", v.item_new, name="wb_item_new"),
    path(f"{P}items/lookup/", v.item_lookup, name="wb_item_lookup"),
    path(f"{P}items/<int:pk>/", v.item_detail, name="wb_item_detail"),
    path(f"{P}items/<int:pk>/edit/", v.item_edit, name="wb_item_edit"),
    path(f"{P}items/<int:pk>/materials/", v.item_materials, name="wb_item_materials"),
    path(f"{P}items/<int:pk>/materials/<int:mid>/file/", v.item_material_file, name="wb_item_material_file"),
    path(f"{P}items/<int:pk>/submit/", v.item_submit, name="wb_item_submit"),
    path(f"{P}items/<int:pk>/withdraw/", v.item_withdraw, name="wb_item_withdraw"),
    path(f"{P}items/<int:pk>/new-draft/", v.item_new_draft, name="wb_item_new_draft"),
    path(f"{P}items/<int:pk>/discard/", v.item_discard, name="wb_item_discard"),
    path(f"{P}items/<int:pk>/status/", v.item_status, name="wb_item_status"),
    path(f"{P}items/<int:pk>/review/", v.item_review, name="wb_item_review"),
    path(f"{P}items/<int:pk>/history/", v.item_history, name="wb_item_history"),
    path(f"{P}items/<int:pk>/versions/<int:number>/", v.item_version, name="wb_item_version"),
    path(f"{P}bundles/", v.bundle_list, name="wb_bundles"),
    path(f"{P}bundles/new/", v.bundle_new, name="wb_bundle_new"),
    path(f"{P}bundles/<int:pk>/", v.bundle_detail, name="wb_bundle_detail"),
    path(f"{P}bundles/<int:pk>/edit/", v.bundle_edit, name="wb_bundle_edit"),
    path(f"{P}bundles/<int:pk>/status/", v.bundle_status, name="wb_bundle_status"),
    path(f"{P}bundles/<int:pk>/questions/new/", vq.question_edit, name="wb_bundle_question_new"),
    path(f"{P}bundles/<int:pk>/questions/<int:qid>/", vq.question_edit, name="wb_bundle_question_edit"),
    path(f"{P}bundles/<int:pk>/questions/<int:qid>/delete/", vq.question_delete, name="wb_bundle_question_delete"),
    path(f"{P}reports/", v.report_view, name="wb_reports"),
    path(f"{P}lexicon/", vs.lexicon_list, name="wb_lexicon"),
    path(f"{P}lexicon/new/", vs.lexicon_new, name="wb_lexicon_new"),
    path(f"{P}lexicon/<int:pk>/", vs.lexicon_edit, name="wb_lexicon_edit"),
    path(f"{P}lexicon/<int:pk>/toggle/", vs.lexicon_toggle, name="wb_lexicon_toggle"),
    path(f"{P}search-log/", vs.search_log_view, name="wb_search_log"),
]
