from django.urls import path

from carecircle.core import views

app_name = "core"
urlpatterns = [
    path("<slug:slug>/", views.ImportView.as_view(), name="import"),
    path("jobs/<uuid:uuid>/", views.ImportJobView.as_view(), name="import-job"),
]
