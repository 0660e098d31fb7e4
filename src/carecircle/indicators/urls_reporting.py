"""Reporting pages: entry, approval, import, deadlines, notes, periods."""

from django.urls import path

from carecircle.indicators.views import reporting as views

urlpatterns: list = [
    path("reporting/", views.reporting_home, name="reporting"),
    path("reporting/entry/", views.report_entry, name="report-entry"),
    path("reporting/approvals/", views.approvals, name="report-approvals"),
    path("reporting/values/<int:pk>/", views.report_detail, name="report-detail"),
    path("reporting/values/<int:pk>/<str:action>/", views.report_action, name="report-action"),
    path("reporting/periods/", views.periods, name="periods"),
    path("reporting/periods/<str:period>/<str:action>/", views.period_action, name="period-action"),
    path("notes/", views.notes, name="notes"),
]
