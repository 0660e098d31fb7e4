from django.urls import path

from carecircle.childcare import views

app_name = "childcare"
urlpatterns = [
    # Filing (备案) and its review by the county health commission.
    path("filings/", views.FilingListView.as_view(), name="filing-list"),
    path("filings/review/", views.FilingQueueView.as_view(), name="filing-queue"),
    path("filings/new/", views.FilingCreateView.as_view(), name="filing-create"),
    path("filings/<uuid:uuid>/", views.FilingDetailView.as_view(), name="filing-detail"),
    path("filings/<uuid:uuid>/edit/", views.FilingUpdateView.as_view(), name="filing-update"),
    path("filings/<uuid:uuid>/submit/", views.FilingSubmitView.as_view(), name="filing-submit"),
    path("filings/<uuid:uuid>/approve/", views.FilingApproveView.as_view(), name="filing-approve"),
    path("filings/<uuid:uuid>/notice/", views.FilingNoticeView.as_view(), name="filing-notice"),
    path(
        "filings/<uuid:uuid>/follow-up/<str:purpose>/",
        views.FilingFollowUpView.as_view(),
        name="filing-follow-up",
    ),
    path(
        "filings/<uuid:uuid>/documents/new/",
        views.DocumentCreateView.as_view(),
        name="document-create",
    ),
    path("documents/<uuid:uuid>/", views.DocumentDownloadView.as_view(), name="document-download"),
    path(
        "documents/<uuid:uuid>/delete/", views.DocumentDeleteView.as_view(), name="document-delete"
    ),
    # The public list of filed institutions (no sign-in).
    path("filed/", views.PublicFiledListView.as_view(), name="public-filed"),
    # 1+N networks, brand chains, employer-run childcare.
    path("networks/", views.CareNetworkListView.as_view(), name="network-list"),
    path("networks/new/", views.CareNetworkCreateView.as_view(), name="network-create"),
    path("networks/<uuid:uuid>/", views.CareNetworkDetailView.as_view(), name="network-detail"),
    path(
        "networks/<uuid:uuid>/edit/", views.CareNetworkUpdateView.as_view(), name="network-update"
    ),
    path("chains/", views.BrandChainListView.as_view(), name="chain-list"),
    path("chains/new/", views.BrandChainCreateView.as_view(), name="chain-create"),
    path("chains/<uuid:uuid>/", views.BrandChainDetailView.as_view(), name="chain-detail"),
    path("chains/<uuid:uuid>/edit/", views.BrandChainUpdateView.as_view(), name="chain-update"),
    path("employer-run/", views.EmployerRunListView.as_view(), name="employer-run-list"),
    # Supply and demand per town and village.
    path("supply/", views.SupplyDemandView.as_view(), name="supply"),
]
