from django.urls import path

from carecircle.enrolment.views import applications, classes, config

app_name = "enrolment"
urlpatterns = [
    # Classes, rosters and age-outs.
    path("classes/", classes.ClassListView.as_view(), name="class-list"),
    path("classes/new/", classes.ClassCreateView.as_view(), name="class-create"),
    path("classes/<uuid:uuid>/", classes.ClassDetailView.as_view(), name="class-detail"),
    path("classes/<uuid:uuid>/edit/", classes.ClassUpdateView.as_view(), name="class-update"),
    path("classes/<uuid:uuid>/duty/", classes.DutyCreateView.as_view(), name="duty-create"),
    path("age-outs/", classes.AgeOutListView.as_view(), name="age-out-list"),
    # Applications, offers and enrolments.
    path("applications/", applications.ApplicationListView.as_view(), name="application-list"),
    path(
        "applications/new/",
        applications.ApplicationCreateView.as_view(),
        name="application-create",
    ),
    path(
        "applications/<uuid:uuid>/",
        applications.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<uuid:uuid>/contact/",
        applications.ApplicationContactView.as_view(),
        name="application-contact",
    ),
    path(
        "applications/<uuid:uuid>/offer/",
        applications.OfferCreateView.as_view(),
        name="offer-create",
    ),
    path(
        "applications/<uuid:uuid>/<slug:action>/",
        applications.ApplicationActionView.as_view(),
        name="application-action",
    ),
    path("offers/", applications.OfferListView.as_view(), name="offer-list"),
    path(
        "offers/<uuid:uuid>/<slug:action>/",
        applications.OfferAnswerView.as_view(),
        name="offer-answer",
    ),
    path("enrolments/", applications.EnrolmentListView.as_view(), name="enrolment-list"),
    path(
        "enrolments/<uuid:uuid>/end/",
        applications.EnrolmentEndView.as_view(),
        name="enrolment-end",
    ),
    # Configuration (health commission).
    path("rules/", config.RuleListView.as_view(), name="rule-list"),
    path("rules/<int:pk>/edit/", config.RuleUpdateView.as_view(), name="rule-update"),
    path(
        "priority-groups/new/",
        config.PriorityGroupCreateView.as_view(),
        name="prioritygroup-create",
    ),
    path(
        "priority-groups/<int:pk>/edit/",
        config.PriorityGroupUpdateView.as_view(),
        name="prioritygroup-update",
    ),
]
