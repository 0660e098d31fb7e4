"""老年人能力评估. Public identifiers (UUIDs) only in paths; names and ID numbers travel by POST."""

from django.urls import path

from carecircle.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.AssessmentListView.as_view(), name="assessment-list"),
    path("new/", views.AssessmentCreateView.as_view(), name="assessment-create"),
    path("preview/", views.PreviewView.as_view(), name="assessment-preview"),
    path("person-search/", views.PersonSearchView.as_view(), name="person-search"),
    path("due/", views.DueListView.as_view(), name="due-list"),
    path("person/<uuid:uuid>/", views.PersonHistoryView.as_view(), name="person-history"),
    path("<uuid:uuid>/", views.AssessmentDetailView.as_view(), name="assessment-detail"),
    path("<uuid:uuid>/edit/", views.AssessmentUpdateView.as_view(), name="assessment-update"),
]
