"""Downloads: the leading-group report (xlsx, PDF)."""

from django.urls import path

from carecircle.indicators.views import reports

urlpatterns = [
    path("report/", reports.report_download, name="report"),
]
