"""Public identifiers (UUIDs) only in paths; ID numbers never appear in a URL (R25)."""

from django.urls import path

from carecircle.persons import views

app_name = "persons"
urlpatterns = [
    path("elders/", views.ElderListView.as_view(), name="elder-list"),
    path("elders/new/", views.ElderCreateView.as_view(), name="elder-create"),
    path("children/", views.ChildListView.as_view(), name="child-list"),
    path("children/new/", views.ChildCreateView.as_view(), name="child-create"),
    path("search/", views.PersonSearchView.as_view(), name="person-search"),
    path("duplicates/", views.DuplicateListView.as_view(), name="duplicate-list"),
    path("merge/", views.PersonMergeView.as_view(), name="person-merge"),
    path("<uuid:uuid>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("<uuid:uuid>/edit/", views.PersonUpdateView.as_view(), name="person-update"),
    path("<uuid:uuid>/move/", views.PersonMoveView.as_view(), name="person-move"),
    path("<uuid:uuid>/status/", views.PersonStatusView.as_view(), name="person-status"),
    path("<uuid:uuid>/flags/new/", views.HardshipFlagCreateView.as_view(), name="flag-create"),
    path("<uuid:uuid>/contacts/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path("<uuid:uuid>/reveal-id/", views.RevealIdView.as_view(), name="person-reveal-id"),
    path(
        "<uuid:uuid>/reveal-contacts/",
        views.RevealContactsView.as_view(),
        name="person-reveal-contacts",
    ),
]
