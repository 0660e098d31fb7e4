from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecircle.indicators.models import Indicator, PeriodState, ReportingDeadline


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_zh", "unit", "target_op", "target_value", "attribute", "source"]
    list_filter = ["domain", "attribute", "source", "period_scope"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "period", "due_on"]


@admin.register(PeriodState)
class PeriodStateAdmin(SimpleHistoryAdmin):
    list_display = ["period", "closed_at", "published_at", "republished_count"]
