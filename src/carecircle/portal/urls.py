from django.urls import path

from carecircle.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("providers/<uuid:uuid>/", views.ProviderView.as_view(), name="provider"),
    path("providers/<uuid:uuid>/apply/", views.ApplyView.as_view(), name="apply"),
    path("status/", views.StatusView.as_view(), name="status"),
]
