"""URL patterns of the public catalogue pages. Their names are in the ``catalog`` namespace (as
``{% url 'catalog:item_search' %}``): the root URLconf includes them with catalog/urls.py."""

from django.urls import path

from . import views_catalog as views

urlpatterns: list = [
    path("items/search/", views.item_search, name="item_search"),
    path("items/<int:pk>/", views.item_guide, name="item_guide"),
    path("items/materials/<int:pk>/<str:kind>/", views.material_file, name="material_file"),
    path("items/departments/", views.browse_departments, name="browse_departments"),
    path("items/departments/<int:pk>/", views.department_items, name="department_items"),
    path("items/themes/", views.browse_themes, name="browse_themes"),
    path("items/themes/<str:audience>/<str:theme>/", views.theme_items, name="theme_items"),
    path("items/bundles/", views.bundles, name="bundles"),
    path("items/bundles/<int:pk>/", views.bundle_detail, name="bundle_detail"),
]
