"""The immunisation schedule is kept here by the system administrator (a new national edition is
entered as data). The children's records are personal health data and are deliberately not in
the admin site (R3, R24): they are reached only through the scoped pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecircle.childhealth.models import VaccineDose


@admin.register(VaccineDose)
class VaccineDoseAdmin(SimpleHistoryAdmin):
    list_display = ["sequence", "vaccine_name", "code", "dose_number", "due_months", "due_days"]
    list_display_links = ["vaccine_name"]
    ordering = ["sequence"]
    readonly_fields = ["uuid"]
