"""Public identifiers (UUIDs) only in paths; ID numbers never appear in a URL (R25)."""

from django.urls import path

from carecircle.referrals import views
from carecircle.referrals.choices import ReferralStatus as S

app_name = "referrals"
urlpatterns = [
    path("", views.ReferralListView.as_view(), name="referral-list"),
    path("new/", views.ReferralCreateView.as_view(), name="referral-create"),
    path("fhir/", views.FhirExchangeView.as_view(), name="fhir"),
    path("fhir/export/", views.FhirExportView.as_view(), name="fhir-export"),
    path("hospitals/", views.HospitalListView.as_view(), name="hospital-list"),
    path("hospitals/new/", views.HospitalCreateView.as_view(), name="hospital-create"),
    path("hospitals/<uuid:uuid>/", views.HospitalDetailView.as_view(), name="hospital-detail"),
    path("hospitals/<uuid:uuid>/edit/", views.HospitalUpdateView.as_view(), name="hospital-update"),
    path("<uuid:uuid>/", views.ReferralDetailView.as_view(), name="referral-detail"),
    path(
        "<uuid:uuid>/accept/",
        views.ReferralActionView.as_view(),
        {"action": S.ACCEPTED},
        name="referral-accept",
    ),
    path(
        "<uuid:uuid>/complete/",
        views.ReferralActionView.as_view(),
        {"action": S.COMPLETED},
        name="referral-complete",
    ),
    path(
        "<uuid:uuid>/reject/",
        views.ReferralActionView.as_view(),
        {"action": S.REJECTED},
        name="referral-reject",
    ),
    path(
        "<uuid:uuid>/cancel/",
        views.ReferralActionView.as_view(),
        {"action": S.CANCELLED},
        name="referral-cancel",
    ),
]
