"""One router per app, mounted under /api/."""

from django.urls import include, path

urlpatterns = [
    path("", include("carecircle.accounts.api.urls")),
    path("", include("carecircle.areas.api.urls")),
    path("", include("carecircle.institutions.api.urls")),
    path("", include("carecircle.persons.api.urls")),
    path("", include("carecircle.indicators.api.urls")),
]
