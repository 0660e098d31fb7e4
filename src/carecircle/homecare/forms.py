"""Create and edit forms. Every form takes ``user=`` and offers only choices in the user's scope."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.services import current_units_for
from carecircle.core.fields import id_number_index
from carecircle.core.forms import IdNumberField
from carecircle.core.idnumbers import parse_resident_id
from carecircle.homecare import services
from carecircle.homecare.choices import Funding
from carecircle.homecare.filters import MonthField
from carecircle.homecare.models import (
    Entitlement,
    EntitlementRule,
    ProviderContract,
    ServiceItem,
    ServiceOrder,
)
from carecircle.institutions.choices import COMMUNITY_FACILITY_KINDS, ProviderKind
from carecircle.institutions.forms import ScopedFormMixin, date_widgets
from carecircle.institutions.models import Provider, Staff
from carecircle.persons.models import Person

ELDERLY_KINDS = [
    (kind.value, kind.label) for kind in ProviderKind if Provider.domain_of(kind) == "elderly"
]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=help_text,
        error_messages={"invalid": _("时间格式应为 YYYY-MM-DD HH:MM")},
    )


def providers_for(user):
    """Elderly community facilities in the user's scope that may hold home-care contracts."""
    return (
        Provider.objects.for_user(user)
        .filter(kind__in=COMMUNITY_FACILITY_KINDS)
        .order_by("area__code", "name")
    )


class ServiceItemForm(ScopedFormMixin, forms.ModelForm):
    provider_kinds = forms.MultipleChoiceField(
        label=_("可承接的机构类型"),
        choices=ELDERLY_KINDS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可签约提供本项目的服务机构类型"),
    )

    class Meta:
        model = ServiceItem
        fields = [
            "code", "name", "category", "unit", "price", "provider_kinds",
            "min_duration_percent", "description", "active",
        ]  # fmt: skip

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class ProviderContractForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ProviderContract
        fields = ["provider", "number", "signed_on", "valid_from", "valid_to", "areas", "items"]
        fields += ["note"]
        widgets = {
            **date_widgets("signed_on", "valid_from", "valid_to"),
            "areas": forms.SelectMultiple(attrs={"size": 12}),
            "items": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_for(self.user)
        villages = current_units_for(self.user)
        if self.instance.pk:
            villages = villages | self.instance.areas.all()
        self.fields["areas"].queryset = villages.distinct().order_by("code")
        self.fields["items"].queryset = ServiceItem.objects.filter(active=True)

    def clean(self):
        cleaned = super().clean()
        provider, items = cleaned.get("provider"), cleaned.get("items")
        if provider is not None and items is not None:
            try:
                services.check_contract(provider, items)
            except ValidationError as exc:
                self.add_error("items", exc.message_dict["items"])
        return cleaned


class EntitlementRuleForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = EntitlementRule
        fields = [
            "name", "hardship_kind", "min_age", "min_ability_level", "living_alone", "category",
            "monthly_hours", "monthly_amount", "valid_from", "valid_to", "doc_no",
            "is_demo_assumption", "note",
        ]  # fmt: skip
        widgets = date_widgets("valid_from", "valid_to")

    def clean(self):
        cleaned = super().clean()
        hours, amount = cleaned.get("monthly_hours"), cleaned.get("monthly_amount")
        if (hours is None) == (amount is None):
            raise ValidationError(_("每月服务时长和每月服务金额须且只能填写一项"))
        if cleaned.get("category") and cleaned.get("valid_from"):
            rule = EntitlementRule(pk=self.instance.pk, **{
                k: cleaned.get(k) for k in ("category", "valid_from", "valid_to")
            }, monthly_hours=hours, monthly_amount=amount)  # fmt: skip
            try:
                services.check_rule(rule)
            except ValidationError as exc:
                self.add_error(None, exc.messages)
        return cleaned


class PersonByIdMixin:
    """The elder is found by full ID number among those the form's ``candidates`` allows."""

    def find_person(self, raw: str, candidates) -> Person:
        number = parse_resident_id(raw).number
        person = (
            candidates.filter(id_number_index=id_number_index(number), merged_into__isnull=True)
            .order_by("-pk")
            .first()
        )
        if person is None:
            raise ValidationError(
                _("未找到该身份证号的服务对象（须为本机构服务区域内登记的老年人）")
            )
        return person


def persons_served_by(provider: Provider) -> Q:
    """Elders a provider may serve: entitled with it, or living in a village it is contracted
    for."""
    entitled = Entitlement.objects.filter(person=OuterRef("pk"), provider=provider)
    covered = ProviderContract.areas.through.objects.filter(
        providercontract__provider=provider, area=OuterRef("area")
    )
    return Q(domain="elderly") & (Q(Exists(entitled)) | Q(Exists(covered)))


class EntitlementForm(PersonByIdMixin, ScopedFormMixin, forms.ModelForm):
    """An entitlement entered or corrected by hand (rule-based ones come from the rules)."""

    id_number = IdNumberField(help_text=_("服务对象的身份证号，须已在老年人信息中登记"))

    class Meta:
        model = Entitlement
        fields = [
            "id_number", "provider", "category", "monthly_hours", "monthly_amount",
            "valid_from", "valid_to",
        ]  # fmt: skip
        widgets = date_widgets("valid_from", "valid_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_for(self.user)
        if self.instance.pk:
            del self.fields["id_number"]
            self.fields["provider"].disabled = True
            self.fields["category"].disabled = True

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number", "")
        candidates = Person.objects.for_user(self.user).filter(domain="elderly")
        self.instance.person = self.find_person(raw, candidates)
        return ""

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("monthly_hours") is None) == (cleaned.get("monthly_amount") is None):
            raise ValidationError(_("每月服务时长和每月服务金额须且只能填写一项"))
        return cleaned


class ServiceOrderForm(PersonByIdMixin, ScopedFormMixin, forms.ModelForm):
    """Dispatch an order. A provider's staff dispatch for their own provider."""

    id_number = IdNumberField(help_text=_("服务对象的身份证号"))
    scheduled_start = _datetime_field(_("预约开始时间"))
    scheduled_end = _datetime_field(_("预约结束时间"), required=False)

    class Meta:
        model = ServiceOrder
        fields = [
            "provider", "id_number", "item", "worker", "external_ref", "scheduled_start",
            "scheduled_end", "quantity", "funding",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        self.fields["external_ref"].required = False
        self.fields["external_ref"].help_text = _("机构自己的工单号；留空则由平台编号")
        self.fields["item"].queryset = ServiceItem.objects.filter(active=True)
        if user is not None and user.institution_id:
            del self.fields["provider"]
            self.instance.provider = user.institution
        else:
            self.fields["provider"].queryset = providers_for(user)
        today = timezone.localdate()
        self.fields["worker"].queryset = (
            Staff.objects.for_user(user)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
            .order_by("provider", "name")
        )

    def provider(self) -> Provider | None:
        if "provider" in self.fields:
            return self.cleaned_data.get("provider")
        return self.instance.provider

    def clean(self):
        cleaned = super().clean()
        provider = self.provider()
        raw = cleaned.get("id_number")
        if provider is not None and raw:
            candidates = Person.objects.filter(persons_served_by(provider))
            if not self.user.institution_id:
                candidates = candidates.filter(Person.scope_q(self.user) or Q(pk__in=[]))
            try:
                self.instance.person = self.find_person(raw, candidates)
            except ValidationError as exc:
                self.add_error("id_number", exc.messages)
        start, end = cleaned.get("scheduled_start"), cleaned.get("scheduled_end")
        if start and end and end <= start:
            self.add_error("scheduled_end", _("预约结束时间须晚于开始时间"))
        worker, item = cleaned.get("worker"), cleaned.get("item")
        if provider is not None and worker is not None and worker.provider_id != provider.pk:
            self.add_error("worker", _("服务人员不属于该服务机构"))
        if (
            provider is not None
            and item is not None
            and start
            and cleaned.get("funding") == Funding.GOVERNMENT
            and not services.contracted_on(provider.pk, item, timezone.localdate(start))
        ):
            self.add_error("item", _("该机构在预约日期没有包含此项目的有效服务合同"))
        if provider is not None:
            self.instance.provider = provider
        return cleaned

    def clean_external_ref(self):
        return self.cleaned_data.get("external_ref", "").strip()

    def _post_clean(self):
        # The order number and price are set when it is scheduled (services.schedule).
        if not self.instance.external_ref and not self.cleaned_data.get("external_ref"):
            self.instance.external_ref = services.new_external_ref()
        item, quantity = self.cleaned_data.get("item"), self.cleaned_data.get("quantity")
        if item is not None and quantity is not None:
            self.instance.unit_price = item.price
            self.instance.cost = services.money(quantity * item.price)
        super()._post_clean()


class TimeForm(forms.Form):
    at = _datetime_field(_("时间"))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["at"].label = label
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class RatingForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceOrder
        fields = ["rating", "complaint"]
        widgets = {
            "rating": forms.Select(choices=[("", "—")] + [(n, n) for n in range(1, 6)]),
            "complaint": forms.Textarea(attrs={"rows": 3}),
        }


class SettlementRunForm(forms.Form):
    month = MonthField(label=_("结算月份"))
    provider = forms.ModelChoiceField(
        label=_("服务机构"),
        queryset=Provider.objects.none(),
        required=False,
        empty_label=_("全部有工单的机构"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_for(user)
        this_month = timezone.localdate().replace(day=1)
        self.fields["month"].initial = (this_month - dt.timedelta(days=1)).replace(day=1)
