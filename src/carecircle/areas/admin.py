"""Admin for the system administrator: division codes are read-mostly (the loaders own code,
name and place in the tree, with history); facts and estates are editable with their history."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecircle.areas.models import Area, AreaVersion, PopulationFact, ResidentialArea


class AreaVersionInline(admin.TabularInline):
    model = AreaVersion
    fk_name = "area"
    fields = ("valid_from", "valid_to", "name", "parent", "path", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("areas.view_area")  # history is part of the area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "is_urban", "parent", "valid_to")
    list_filter = ("level", "kind", "is_urban", "is_demo_assumption")
    search_fields = ("=code", "name")
    list_select_related = ("parent",)
    show_full_result_count = False  # the national list has 665k rows
    ordering = ("code",)
    readonly_fields = ("code", "name", "level", "parent", "path", "depth", "is_demo_assumption")
    fields = (
        "code",
        "name",
        "level",
        "kind",
        "is_urban",
        "parent",
        "path",
        "depth",
        "valid_from",
        "valid_to",
        "latitude",
        "longitude",
        "boundary",
        "is_demo_assumption",
    )
    inlines = [AreaVersionInline]

    def has_add_permission(self, request) -> bool:
        return False  # new units come from the division loaders

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # other records point at areas; abolished units get a stop date instead


@admin.register(AreaVersion)
class AreaVersionAdmin(admin.ModelAdmin):
    list_display = ("area", "name", "parent", "valid_from", "valid_to", "reason")
    search_fields = ("=area__code", "name")
    list_select_related = ("area", "parent")
    raw_id_fields = ("area", "parent")
    date_hierarchy = "valid_from"

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("areas.view_area")

    def has_module_permission(self, request) -> bool:
        return request.user.has_perm("areas.view_area")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PopulationFact)
class PopulationFactAdmin(SimpleHistoryAdmin):
    list_display = ("area", "year", "total", "aged_60_plus", "aged_80_plus", "under_3", "source")
    list_filter = ("year",)
    search_fields = ("=area__code", "area__name")
    list_select_related = ("area",)
    raw_id_fields = ("area",)


@admin.register(ResidentialArea)
class ResidentialAreaAdmin(SimpleHistoryAdmin):
    list_display = ("name", "area", "kind", "households", "elderly_room_m2", "childcare_room_m2")
    list_filter = ("kind",)
    search_fields = ("name", "=area__code", "area__name")
    list_select_related = ("area",)
    raw_id_fields = ("area",)
    readonly_fields = ("uuid", "created_at", "updated_at")
