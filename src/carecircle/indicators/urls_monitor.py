"""Monitoring pages: scorecard, indicator pages, drill-down, gap lists, data quality."""

from django.urls import path, register_converter

from carecircle.indicators.views import definition, lists, monitor, quality


class IndicatorCode:
    """An indicator code such as ``E14`` or ``C07`` (letters then digits), so that these paths
    never shadow the reporting pages' words."""

    regex = r"[A-Za-z]{1,3}[0-9]{1,4}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(IndicatorCode, "monitor_code")

urlpatterns = [
    path("", monitor.scorecard, name="scorecard"),
    path("quality/", quality.quality_view, name="quality"),
    path("<monitor_code:code>/", monitor.indicator_page, name="indicator"),
    path("<monitor_code:code>/records/", lists.drilldown, name="drilldown"),
    path("<monitor_code:code>/gap/", lists.gap, name="gap"),
    path("<monitor_code:code>/definition/", definition.definition, name="definition"),
]
