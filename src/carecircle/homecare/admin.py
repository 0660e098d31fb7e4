"""The non-personal home-care tables (menu, rules, contracts). Entitlements, orders and
settlements name elders and are deliberately not registered here (R3, R24)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecircle.homecare.models import EntitlementRule, ProviderContract, ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "category", "unit", "price", "active"]
    list_filter = ["category", "unit", "active"]
    search_fields = ["code", "name"]
    readonly_fields = ["uuid", "created_at", "updated_at"]


@admin.register(EntitlementRule)
class EntitlementRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "monthly_hours", "monthly_amount", "valid_from", "valid_to"]
    list_filter = ["category", "is_demo_assumption"]
    readonly_fields = ["uuid", "created_at", "updated_at"]


@admin.register(ProviderContract)
class ProviderContractAdmin(SimpleHistoryAdmin):
    list_display = ["number", "provider", "valid_from", "valid_to"]
    search_fields = ["number", "provider__name"]
    raw_id_fields = ["provider"]
    filter_horizontal = ["areas", "items"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
