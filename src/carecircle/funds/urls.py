from django.urls import path

from carecircle.funds import views

app_name = "funds"
urlpatterns = [
    path("allocations/", views.LotteryAllocationListView.as_view(), name="allocation-list"),
    path("allocations/new/", views.LotteryAllocationCreateView.as_view(), name="allocation-create"),
    path(
        "allocations/<uuid:uuid>/",
        views.LotteryAllocationDetailView.as_view(),
        name="allocation-detail",
    ),
    path(
        "allocations/<uuid:uuid>/edit/",
        views.LotteryAllocationUpdateView.as_view(),
        name="allocation-update",
    ),
]
