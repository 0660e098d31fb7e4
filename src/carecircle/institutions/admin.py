"""System administrators' view of the non-personal registry tables.

Staff and residencies hold personal data and are deliberately not registered here (R3, R24).
"""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecircle.core.idnumbers import normalise_credit_code
from carecircle.institutions.forms import ProviderForm
from carecircle.institutions.models import CapacityRecord, Designation, Grade, Provider


class ProviderRecordInline(admin.TabularInline):
    extra = 0
    show_change_link = True


class CapacityRecordInline(ProviderRecordInline):
    model = CapacityRecord


class ProviderAdminForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ProviderForm.Meta.fields

    def clean_credit_code(self):
        code = self.cleaned_data.get("credit_code", "")
        return normalise_credit_code(code) if code else ""


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    form = ProviderAdminForm
    list_display = ["name", "kind", "ownership", "area", "status", "credit_code"]
    list_filter = ["domain", "kind", "ownership", "status"]
    search_fields = ["name", "credit_code", "area__code"]
    list_select_related = ["area"]
    readonly_fields = ["uuid", "domain", "created_at", "updated_at"]
    raw_id_fields = ["area"]
    filter_horizontal = ["service_areas"]
    inlines = [CapacityRecordInline]

    def save_model(self, request, obj, form, change):
        obj.domain = Provider.domain_of(obj.kind)
        super().save_model(request, obj, form, change)


@admin.register(CapacityRecord)
class CapacityRecordAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "valid_from", "beds_total", "places_total"]
    search_fields = ["provider__name"]
    raw_id_fields = ["provider"]
    date_hierarchy = "valid_from"


@admin.register(Designation)
class DesignationAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "kind", "issuing_level", "granted_on", "revoked_on"]
    list_filter = ["kind", "issuing_level"]
    search_fields = ["provider__name", "document_no"]
    raw_id_fields = ["provider"]


@admin.register(Grade)
class GradeAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "grade", "valid_from", "valid_to"]
    list_filter = ["grade"]
    search_fields = ["provider__name"]
    raw_id_fields = ["provider"]
