from django.urls import path

from carecircle.areas import views

app_name = "areas"
urlpatterns = [
    # Areas (org units), by statistical code.
    path("", views.AreaListView.as_view(), name="area-list"),
    # Population facts, entered for the lowest-level units and rolled up.
    path("population/", views.PopulationListView.as_view(), name="population-list"),
    path("population/new/", views.PopulationCreateView.as_view(), name="population-create"),
    path("population/<int:pk>/edit/", views.PopulationUpdateView.as_view(), name="population-edit"),
    # Residential estates (小区).
    path("estates/", views.EstateListView.as_view(), name="estate-list"),
    path("estates/new/", views.EstateCreateView.as_view(), name="estate-create"),
    path("estates/<uuid:uuid>/", views.EstateDetailView.as_view(), name="estate-detail"),
    path("estates/<uuid:uuid>/edit/", views.EstateUpdateView.as_view(), name="estate-update"),
    path("<str:code>/", views.AreaDetailView.as_view(), name="area-detail"),
]
