"""System administrators' view of the non-personal enrolment tables: the class rules, priority
groups and classes. Applications, offers, enrolments and rosters hold personal data and are
deliberately not registered here (R3, R24); the health commission edits rules on its pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecircle.enrolment.models import ChildcareClass, ClassRule, PriorityGroup


@admin.register(ClassRule)
class ClassRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "min_months",
        "max_months",
        "max_children",
        "children_per_carer",
        "is_local_rule",
        "active",
    ]


@admin.register(PriorityGroup)
class PriorityGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "rank", "active"]


@admin.register(ChildcareClass)
class ChildcareClassAdmin(SimpleHistoryAdmin):
    list_display = ["name", "provider", "rule", "mode", "capacity", "opened_on", "closed_on"]
    list_filter = ["rule", "mode"]
    search_fields = ["name", "provider__name"]
    list_select_related = ["provider", "rule"]
