"""Provider, staff and credit-list pages. Every view starts from ``objects.for_user``."""

from __future__ import annotations

import uuid

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from carecircle.audit.choices import AuditAction
from carecircle.audit.services import record
from carecircle.core.history import change_history
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
)
from carecircle.core.xlsx import Column, yes_no
from carecircle.institutions import forms, services
from carecircle.institutions.choices import ServiceMode
from carecircle.institutions.filters import CreditListingFilter, ProviderFilter, StaffFilter
from carecircle.institutions.models import (
    CapacityRecord,
    CreditListing,
    Designation,
    Grade,
    InstitutionPair,
    Provider,
    Residency,
    Staff,
    StaffCertificate,
    Training,
)

MODES = set(ServiceMode.values)


# Providers ------------------------------------------------------------------------------------


def _capacity(name: str):
    return lambda p: getattr(p, f"cap_{name}", None)


PROVIDER_COLUMNS = [
    Column(_("机构名称"), lambda p: p.name, 30),
    Column(_("机构类型"), lambda p: p.get_kind_display(), 22),
    Column(_("性质"), lambda p: p.get_ownership_display(), 10),
    Column(_("所在区划"), lambda p: p.area.name, 16),
    Column(_("状态"), lambda p: p.get_status_display(), 10),
    Column(_("床位总数"), _capacity("beds_total"), 10),
    Column(_("托位总数"), _capacity("places_total"), 10),
]

PROVIDER_EXPORT_COLUMNS = [
    Column(_("机构名称"), lambda p: p.name, 30),
    Column(_("统一社会信用代码"), lambda p: p.credit_code, 22),
    Column(_("领域"), lambda p: p.get_domain_display(), 8),
    Column(_("机构类型"), lambda p: p.get_kind_display(), 22),
    Column(_("性质"), lambda p: p.get_ownership_display(), 10),
    Column(_("区划代码"), lambda p: p.area.code, 14),
    Column(_("所在区划"), lambda p: p.area.name, 16),
    Column(_("地址"), lambda p: p.address, 30),
    Column(_("联系电话"), lambda p: p.phone, 14),
    Column(_("法定代表人"), lambda p: p.legal_representative, 12),
    Column(_("状态"), lambda p: p.get_status_display(), 10),
    Column(_("开业日期"), lambda p: p.opened_on, 12),
    Column(_("关闭日期"), lambda p: p.closed_on, 12),
    Column(_("床位总数"), _capacity("beds_total"), 10),
    Column(_("护理型床位"), _capacity("beds_nursing"), 10),
    Column(_("认知症照护床位"), _capacity("beds_dementia"), 10),
    Column(_("托位总数"), _capacity("places_total"), 10),
    Column(_("普惠托位"), _capacity("places_affordable"), 10),
    Column(_("收住失能失智特困人员"), lambda p: yes_no(p.houses_disabled_extreme_poor), 10),
    Column(_("签约医疗机构"), lambda p: p.signed_hospital, 20),
    Column(_("自动喷淋"), lambda p: yes_no(p.has_sprinklers), 8),
    Column(_("烟感报警"), lambda p: yes_no(p.has_smoke_detectors), 8),
    Column(_("安全管理制度"), lambda p: yes_no(p.has_safety_system), 8),
    Column(_("备案状态"), lambda p: p.get_filing_status_display(), 10),
    Column(_("备案日期"), lambda p: p.filed_on, 12),
    Column(_("月收费（元）"), lambda p: p.monthly_fee, 10),
]


class ProviderListView(RegistryListView):
    model = Provider
    filterset_class = ProviderFilter
    columns = PROVIDER_COLUMNS
    export_columns = PROVIDER_EXPORT_COLUMNS
    title = _("服务机构")
    export_name = "providers"
    detail_url_name = "institutions:provider-detail"
    create_url_name = "institutions:provider-create"
    import_slug = "providers"
    select_related = ("area",)

    def get_queryset(self):
        return super().get_queryset().with_capacity(timezone.localdate())


class ProviderDetailView(RegistryDetailView):
    model = Provider
    template_name = "institutions/provider_detail.html"
    select_related = ("area",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider: Provider = self.object
        user = self.request.user
        today = timezone.localdate()
        residents = (
            Residency.objects.for_user(user)
            .filter(provider=provider)
            .filter(services.open_residencies_q(today))
            .select_related("person")
        )
        context.update(
            today=today,
            area_path=list(provider.area.ancestors()) + [provider.area],
            capacity=provider.capacity_on(today),
            capacity_history=CapacityRecord.objects.for_user(user).filter(provider=provider),
            occupancy=services.occupancy(provider, today),
            designations=Designation.objects.for_user(user).filter(provider=provider),
            grades=Grade.objects.for_user(user).filter(provider=provider),
            pairs=InstitutionPair.objects.for_user(user)
            .filter(Q(elderly_provider=provider) | Q(childcare_provider=provider))
            .select_related("elderly_provider", "childcare_provider"),
            staff=Staff.objects.for_user(user).filter(provider=provider),
            residents=residents,
            service_areas=provider.service_areas.all(),
            service_mode_labels=[
                ServiceMode(mode).label for mode in provider.service_modes if mode in MODES
            ],
            history=change_history(provider),
            can_edit=user.has_perm("institutions.change_provider"),
        )
        return context


class CancelToSuccessMixin:
    """On an edit form, "cancel" goes back to the page a successful save would go to."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.get_success_url()
        return context


class ProviderFormMixin:
    model = Provider
    form_class = forms.ProviderForm

    def get_success_url(self):
        return reverse("institutions:provider-detail", args=[self.object.uuid])


class ProviderCreateView(ProviderFormMixin, RegistryCreateView):
    cancel_url_name = "institutions:provider-list"
    title = _("新增服务机构")


class ProviderUpdateView(CancelToSuccessMixin, ProviderFormMixin, RegistryUpdateView):
    title = _("修改机构信息")


# Records added from a provider's or a staff member's page -------------------------------------


class ParentScopedCreateView(RegistryCreateView):
    """A record of a provider (or staff member) found in the user's scope by the URL's UUID."""

    parent_model = Provider
    parent_kwarg = "provider"
    title_prefix = ""

    @cached_property
    def parent(self):
        queryset = self.parent_model.objects.for_user(self.request.user)
        return get_object_or_404(queryset, uuid=self.kwargs["uuid"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs[self.parent_kwarg] = self.parent
        return kwargs

    def parent_url(self) -> str:
        name = "provider-detail" if self.parent_model is Provider else "staff-detail"
        return reverse(f"institutions:{name}", args=[self.parent.uuid])

    def get_success_url(self):
        return self.parent_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title}：{self.parent}"
        context["cancel_url"] = self.parent_url()
        return context


class CapacityCreateView(ParentScopedCreateView):
    model = CapacityRecord
    form_class = forms.CapacityRecordForm
    title = _("登记床位/托位变化")

    def get_initial(self):
        current = self.parent.capacity_on(timezone.localdate())
        initial = {"valid_from": timezone.localdate()}
        if current is not None:
            initial.update({name: getattr(current, name) for name in CapacityRecord.COUNT_FIELDS})
        return initial


class DesignationCreateView(ParentScopedCreateView):
    model = Designation
    form_class = forms.DesignationForm
    title = _("登记称号认定")


class GradeCreateView(ParentScopedCreateView):
    model = Grade
    form_class = forms.GradeForm
    title = _("登记等级评定")


class PairCreateView(ParentScopedCreateView):
    model = InstitutionPair
    form_class = forms.InstitutionPairForm
    title = _("登记养老托育结对")


class ResidencyCreateView(ParentScopedCreateView):
    model = Residency
    form_class = forms.ResidencyForm
    title = _("办理入住")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Finding a person by full ID number is a person search (R18).
        record(self.request, AuditAction.SEARCH_PERSON, obj=self.object.person, purpose="admission")
        return response


class StaffCertificateCreateView(ParentScopedCreateView):
    model = StaffCertificate
    form_class = forms.StaffCertificateForm
    parent_model = Staff
    parent_kwarg = "staff"
    title = _("登记资格证书")


class TrainingCreateView(ParentScopedCreateView):
    model = Training
    form_class = forms.TrainingForm
    parent_model = Staff
    parent_kwarg = "staff"
    title = _("登记培训记录")


class ProviderRecordUpdateView(CancelToSuccessMixin, RegistryUpdateView):
    """Edit a dated record (revoke a designation, end a grade or pair, discharge a resident)."""

    def get_success_url(self):
        if isinstance(self.object, InstitutionPair):
            # Back to whichever side of the pair the user may see.
            sides = [self.object.elderly_provider_id, self.object.childcare_provider_id]
            provider = (
                Provider.objects.for_user(self.request.user).filter(pk__in=sides).order_by().first()
                or self.object.elderly_provider
            )
        else:
            provider = self.object.provider
        return reverse("institutions:provider-detail", args=[provider.uuid])


class DesignationUpdateView(ProviderRecordUpdateView):
    model = Designation
    form_class = forms.DesignationForm
    title = _("修改称号认定")


class GradeUpdateView(ProviderRecordUpdateView):
    model = Grade
    form_class = forms.GradeForm
    title = _("修改等级评定")


class PairUpdateView(ProviderRecordUpdateView):
    model = InstitutionPair
    form_class = forms.InstitutionPairForm
    title = _("修改养老托育结对")


class ResidencyUpdateView(ProviderRecordUpdateView):
    model = Residency
    form_class = forms.DischargeForm
    title = _("入住记录 / 办理离院")


# Staff ----------------------------------------------------------------------------------------

STAFF_COLUMNS = [
    Column(_("姓名"), lambda s: s.name, 12),
    Column(_("身份证号"), lambda s: s.id_number_masked, 20),
    Column(_("所在机构"), lambda s: s.provider.name, 30),
    Column(_("岗位"), lambda s: s.get_role_display(), 14),
    Column(_("技能等级"), lambda s: s.get_skill_level_display() if s.skill_level else "", 14),
    Column(_("入职日期"), lambda s: s.hired_on, 12),
    Column(_("离职日期"), lambda s: s.left_on, 12),
    Column(_("信用状态"), lambda s: s.get_credit_status_display(), 12),
]

STAFF_EXPORT_COLUMNS = [
    *STAFF_COLUMNS[:2],
    Column(_("性别"), lambda s: s.get_sex_display(), 6),
    Column(_("出生日期"), lambda s: s.birth_date, 12),
    *STAFF_COLUMNS[2:],
]


class StaffListView(RegistryListView):
    model = Staff
    filterset_class = StaffFilter
    columns = STAFF_COLUMNS
    export_columns = STAFF_EXPORT_COLUMNS
    title = _("从业人员")
    export_name = "staff"
    detail_url_name = "institutions:staff-detail"
    create_url_name = "institutions:staff-create"
    import_slug = "staff"
    select_related = ("provider",)
    private_filters = ("q",)  # staff names


class StaffDetailView(RegistryDetailView):
    model = Staff
    template_name = "institutions/staff_detail.html"
    select_related = ("provider",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        staff: Staff = self.object
        user = self.request.user
        context.update(
            certificates=StaffCertificate.objects.for_user(user).filter(staff=staff),
            trainings=Training.objects.for_user(user).filter(staff=staff),
            history=change_history(staff),
            today=timezone.localdate(),
        )
        return context


class StaffFormMixin:
    model = Staff
    form_class = forms.StaffForm

    def get_success_url(self):
        return reverse("institutions:staff-detail", args=[self.object.uuid])


class StaffCreateView(StaffFormMixin, RegistryCreateView):
    cancel_url_name = "institutions:staff-list"
    title = _("登记从业人员")

    def get_initial(self):
        initial = super().get_initial()
        wanted = self.request.GET.get("provider")
        if wanted:
            provider = (
                Provider.objects.for_user(self.request.user).filter(uuid=wanted).first()
                if _is_uuid(wanted)
                else None
            )
            if provider is not None:
                initial["provider"] = provider.pk
        return initial


class StaffUpdateView(CancelToSuccessMixin, StaffFormMixin, RegistryUpdateView):
    title = _("修改从业人员信息")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# Credit lists ---------------------------------------------------------------------------------

CREDIT_COLUMNS = [
    Column(_("名称或姓名"), lambda c: c.subject_name, 24),
    Column(_("对象类型"), lambda c: c.get_subject_kind_display(), 8),
    Column(_("身份证号/信用代码"), lambda c: c.id_number_masked or c.credit_code, 22),
    Column(_("名单类型"), lambda c: c.get_list_kind_display(), 20),
    Column(_("列入日期"), lambda c: c.listed_on, 12),
    Column(_("移出日期"), lambda c: c.removed_on, 12),
    Column(_("认定机关"), lambda c: c.authority, 20),
    Column(_("文号"), lambda c: c.document_no, 20),
]


class CreditListView(RegistryListView):
    model = CreditListing
    filterset_class = CreditListingFilter
    columns = CREDIT_COLUMNS
    title = _("信用名单")
    export_name = "credit-listings"
    detail_url_name = "institutions:credit-detail"
    create_url_name = "institutions:credit-create"
    private_filters = ("q",)  # names of listed persons


class CreditDetailView(RegistryDetailView):
    model = CreditListing
    template_name = "institutions/credit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = change_history(self.object)
        return context


class CreditFormMixin:
    model = CreditListing
    form_class = forms.CreditListingForm

    def get_success_url(self):
        return reverse("institutions:credit-detail", args=[self.object.uuid])


class CreditCreateView(CreditFormMixin, RegistryCreateView):
    cancel_url_name = "institutions:credit-list"
    title = _("列入信用名单")


class CreditUpdateView(CancelToSuccessMixin, CreditFormMixin, RegistryUpdateView):
    title = _("修改信用名单记录")
