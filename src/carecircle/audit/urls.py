from django.urls import path

from carecircle.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.EventListView.as_view(), name="event-list"),
    path("access/", views.AccessReportView.as_view(), name="access-report"),
]
