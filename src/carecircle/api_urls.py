"""One router per app, mounted under /api/."""

from django.urls import include, path

urlpatterns = [
    path("", include("carecircle.accounts.api.urls")),
    path("", include("carecircle.areas.api.urls")),
    path("", include("carecircle.institutions.api.urls")),
    path("", include("carecircle.persons.api.urls")),
    path("", include("carecircle.indicators.api.urls")),
    path("", include("carecircle.assessments.api.urls")),
    path("", include("carecircle.homecare.api.urls")),
    path("", include("carecircle.visits.api.urls")),
    path("", include("carecircle.adaptations.api.urls")),
    path("", include("carecircle.emergency.api.urls")),
    path("", include("carecircle.referrals.api.urls")),
    path("", include("carecircle.health.api.urls")),
    path("", include("carecircle.funds.api.urls")),
    path("", include("carecircle.childcare.api.urls")),
    path("", include("carecircle.enrolment.api.urls")),
    path("", include("carecircle.childhealth.api.urls")),
    path("", include("carecircle.portal.api.urls")),
]
