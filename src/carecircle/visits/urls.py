"""Public identifiers (UUIDs) only in paths."""

from django.urls import path

from carecircle.visits.views import pairing, visits, wishes

app_name = "visits"
urlpatterns = [
    path("", visits.VisitListView.as_view(), name="visit-list"),
    path("due/", visits.DueListView.as_view(), name="due"),
    path("follow-ups/", visits.FollowUpListView.as_view(), name="follow-up-list"),
    path("<uuid:uuid>/", visits.VisitDetailView.as_view(), name="visit-detail"),
    path("<uuid:uuid>/edit/", visits.VisitUpdateView.as_view(), name="visit-update"),
    path("<uuid:uuid>/follow-up/", visits.FollowUpDoneView.as_view(), name="follow-up-done"),
    path("elders/<uuid:uuid>/", visits.ElderCareView.as_view(), name="elder"),
    path("elders/<uuid:uuid>/visit/", visits.VisitCreateView.as_view(), name="visit-create"),
    path("elders/<uuid:uuid>/pair/", pairing.SuggestionView.as_view(), name="suggest"),
    path("elders/<uuid:uuid>/wish/", wishes.CareWishCreateView.as_view(), name="wish-create"),
    path("helpers/", pairing.HelperListView.as_view(), name="helper-list"),
    path("helpers/new/", pairing.HelperCreateView.as_view(), name="helper-create"),
    path("helpers/<uuid:uuid>/", pairing.HelperDetailView.as_view(), name="helper-detail"),
    path("helpers/<uuid:uuid>/edit/", pairing.HelperUpdateView.as_view(), name="helper-update"),
    path("unpaired/", pairing.UnpairedListView.as_view(), name="unpaired"),
    path("pairings/", pairing.PairingListView.as_view(), name="pairing-list"),
    path("pairings/<uuid:uuid>/", pairing.PairingDetailView.as_view(), name="pairing-detail"),
    path("pairings/<uuid:uuid>/end/", pairing.EndPairingView.as_view(), name="pairing-end"),
    path("pairings/<uuid:uuid>/help/", pairing.HelpLogCreateView.as_view(), name="helplog-create"),
    path("wishes/", wishes.CareWishListView.as_view(), name="wish-list"),
    path(
        "wishes/candidates/",
        wishes.CareWishCandidateListView.as_view(),
        name="wish-candidates",
    ),
    path("wishes/<uuid:uuid>/edit/", wishes.CareWishUpdateView.as_view(), name="wish-update"),
]
