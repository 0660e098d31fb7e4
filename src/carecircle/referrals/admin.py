"""System administrators' view of the hospital reference data. Referrals hold personal health
data and are deliberately not registered here (R3, R24)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecircle.referrals.models import Hospital


@admin.register(Hospital)
class HospitalAdmin(SimpleHistoryAdmin):
    list_display = ["name", "level", "grade", "is_primary_care", "area", "credit_code"]
    list_filter = ["level", "grade", "is_primary_care"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["area"]
