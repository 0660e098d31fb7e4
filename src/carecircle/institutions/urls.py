from django.urls import path

from carecircle.institutions import views

app_name = "institutions"
urlpatterns = [
    # Providers and their dated records.
    path("providers/", views.ProviderListView.as_view(), name="provider-list"),
    path("providers/new/", views.ProviderCreateView.as_view(), name="provider-create"),
    path("providers/<uuid:uuid>/", views.ProviderDetailView.as_view(), name="provider-detail"),
    path("providers/<uuid:uuid>/edit/", views.ProviderUpdateView.as_view(), name="provider-update"),
    path(
        "providers/<uuid:uuid>/capacity/new/",
        views.CapacityCreateView.as_view(),
        name="capacity-create",
    ),
    path(
        "providers/<uuid:uuid>/designations/new/",
        views.DesignationCreateView.as_view(),
        name="designation-create",
    ),
    path("providers/<uuid:uuid>/grades/new/", views.GradeCreateView.as_view(), name="grade-create"),
    path("providers/<uuid:uuid>/pairs/new/", views.PairCreateView.as_view(), name="pair-create"),
    path(
        "providers/<uuid:uuid>/residencies/new/",
        views.ResidencyCreateView.as_view(),
        name="residency-create",
    ),
    path(
        "designations/<uuid:uuid>/edit/",
        views.DesignationUpdateView.as_view(),
        name="designation-update",
    ),
    path("grades/<uuid:uuid>/edit/", views.GradeUpdateView.as_view(), name="grade-update"),
    path("pairs/<uuid:uuid>/edit/", views.PairUpdateView.as_view(), name="pair-update"),
    path(
        "residencies/<uuid:uuid>/edit/",
        views.ResidencyUpdateView.as_view(),
        name="residency-update",
    ),
    # Staff.
    path("staff/", views.StaffListView.as_view(), name="staff-list"),
    path("staff/new/", views.StaffCreateView.as_view(), name="staff-create"),
    path("staff/<uuid:uuid>/", views.StaffDetailView.as_view(), name="staff-detail"),
    path("staff/<uuid:uuid>/edit/", views.StaffUpdateView.as_view(), name="staff-update"),
    path(
        "staff/<uuid:uuid>/certificates/new/",
        views.StaffCertificateCreateView.as_view(),
        name="certificate-create",
    ),
    path(
        "staff/<uuid:uuid>/trainings/new/",
        views.TrainingCreateView.as_view(),
        name="training-create",
    ),
    # Credit lists (红黑名单).
    path("credit/", views.CreditListView.as_view(), name="credit-list"),
    path("credit/new/", views.CreditCreateView.as_view(), name="credit-create"),
    path("credit/<uuid:uuid>/", views.CreditDetailView.as_view(), name="credit-detail"),
    path("credit/<uuid:uuid>/edit/", views.CreditUpdateView.as_view(), name="credit-update"),
]
