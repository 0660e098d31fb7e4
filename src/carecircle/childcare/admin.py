"""The working-day calendar is kept here by the system administrator (a new year's holidays are
added when the State Council publishes them). Filings and their documents are not registered:
they are reached only through the scoped pages."""

from django.contrib import admin

from carecircle.childcare.models import WorkingCalendarDay


@admin.register(WorkingCalendarDay)
class WorkingCalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    search_fields = ["name"]
