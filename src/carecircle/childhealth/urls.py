from django.urls import path

from carecircle.childhealth import views

app_name = "childhealth"
urlpatterns = [
    path("", views.OverdueListView.as_view(), name="overdue"),
    path("schedule/", views.ScheduleView.as_view(), name="schedule"),
    path("children/<uuid:uuid>/", views.ChildRecordView.as_view(), name="child"),
    *views.kind_urls(),
]
