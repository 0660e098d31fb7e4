"""Public identifiers (UUIDs) only in paths; ID numbers travel in POST bodies (R25)."""

from django.urls import path

from carecircle.adaptations import views

app_name = "adaptations"
urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project-create"),
    path("projects/<uuid:uuid>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<uuid:uuid>/edit/", views.ProjectUpdateView.as_view(), name="project-update"),
    path("projects/<uuid:uuid>/assess/", views.AssessView.as_view(), name="project-assess"),
    path("projects/<uuid:uuid>/start/", views.StartView.as_view(), name="project-start"),
    path("projects/<uuid:uuid>/complete/", views.CompleteView.as_view(), name="project-complete"),
    path("projects/<uuid:uuid>/cancel/", views.CancelView.as_view(), name="project-cancel"),
    path("projects/<uuid:uuid>/items/new/", views.ItemCreateView.as_view(), name="item-create"),
    path("items/<uuid:uuid>/delete/", views.ItemDeleteView.as_view(), name="item-delete"),
    path("beds/", views.BedListView.as_view(), name="bed-list"),
    path("beds/new/", views.BedCreateView.as_view(), name="bed-create"),
    path("beds/<uuid:uuid>/", views.BedDetailView.as_view(), name="bed-detail"),
    path("beds/<uuid:uuid>/edit/", views.BedUpdateView.as_view(), name="bed-update"),
    path("beds/<uuid:uuid>/end/", views.BedEndView.as_view(), name="bed-end"),
]
