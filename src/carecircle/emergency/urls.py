"""Public identifiers (UUIDs) only in paths; ID numbers travel in POST bodies (R25)."""

from django.urls import path

from carecircle.emergency import views

app_name = "emergency"
urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="device-list"),
    path("devices/new/", views.DeviceCreateView.as_view(), name="device-create"),
    path("devices/<uuid:uuid>/end/", views.DeviceEndView.as_view(), name="device-end"),
    path("elders/<uuid:uuid>/", views.ElderCoverageView.as_view(), name="elder-coverage"),
    path("calls/", views.CallListView.as_view(), name="call-list"),
    path("calls/new/", views.CallCreateView.as_view(), name="call-create"),
    path("calls/<uuid:uuid>/", views.CallDetailView.as_view(), name="call-detail"),
    path("calls/<uuid:uuid>/respond/", views.RespondView.as_view(), name="call-respond"),
    path("calls/<uuid:uuid>/close/", views.CloseView.as_view(), name="call-close"),
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("stats/", views.StatsView.as_view(), name="stats"),
]
