from django.urls import path

from carecircle.health import views

app_name = "health"
urlpatterns = [
    path("checks/", views.ElderHealthCheckListView.as_view(), name="check-list"),
    path("checks/new/", views.ElderHealthCheckCreateView.as_view(), name="check-create"),
    path("checks/<uuid:uuid>/", views.ElderHealthCheckDetailView.as_view(), name="check-detail"),
    path(
        "checks/<uuid:uuid>/edit/",
        views.ElderHealthCheckUpdateView.as_view(),
        name="check-update",
    ),
]
