"""Forms of the filing workflow, the 1+N networks and the brand chains. Every form takes
``user=`` and offers only providers in the user's scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from carecircle.childcare import services
from carecircle.childcare.choices import (
    AUTHORITY_BY_TYPE,
    SATELLITE_KINDS,
    DocumentKind,
    FilingPurpose,
    PremisesTenure,
    filing_kind_for,
)
from carecircle.childcare.documents import check_upload, max_bytes
from carecircle.childcare.models import BrandChain, CareNetwork, Filing
from carecircle.core.idnumbers import normalise_credit_code
from carecircle.dashboard.stats import CHILDCARE_INSTITUTION_KINDS
from carecircle.institutions.choices import CHILDCARE_KINDS
from carecircle.institutions.forms import ScopedFormMixin, date_widgets
from carecircle.institutions.models import Provider


def childcare_providers(user, kinds=CHILDCARE_KINDS):
    return Provider.objects.for_user(user).filter(kind__in=kinds).order_by("area__code", "name")


class ProviderLabelMixin:
    @staticmethod
    def provider_label(provider: Provider) -> str:
        return f"{provider.name}（{provider.area.name}）"


class FilingForm(ScopedFormMixin, forms.ModelForm):
    """The 备案书 and 承诺书 of a first filing, a change or a closure."""

    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, help_text=_("18位，按GB 32100-2015校验")
    )

    class Meta:
        model = Filing
        fields = [
            "provider",
            "registration_type",
            "registration_authority",
            "credit_code",
            "business_scope",
            "premises_address",
            "premises_tenure",
            "lease_starts_on",
            "lease_ends_on",
            "floor_area_m2",
            "places",
            "classes_planned",
            "carers",
            "change_summary",
            "commitment_signed",
        ]
        widgets = {
            **date_widgets("lease_starts_on", "lease_ends_on"),
            "business_scope": forms.Textarea(attrs={"rows": 3}),
            "change_summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provider_field = self.fields["provider"]
        provider_field.label_from_instance = ProviderLabelMixin.provider_label
        if self.instance.pk:
            # The provider of an existing filing never changes.
            provider_field.queryset = Provider.objects.filter(pk=self.instance.provider_id)
            provider_field.disabled = True
        else:
            provider_field.queryset = childcare_providers(self.user).select_related("area")
            if self.user is not None and self.user.institution_id:
                provider_field.initial = self.user.institution_id
        if self.instance.purpose == FilingPurpose.INITIAL:
            del self.fields["change_summary"]
        else:
            self.fields["change_summary"].required = True
        self.fields["registration_authority"].required = False  # follows the type when empty
        self.fields["registration_authority"].help_text = _(
            "事业单位：机构编制部门；社会服务机构：民政部门；营利性机构：市场监督管理部门"
        )

    def clean_credit_code(self):
        return normalise_credit_code(self.cleaned_data.get("credit_code", ""))

    def clean(self):
        cleaned = super().clean()
        provider = cleaned.get("provider") or getattr(self.instance, "provider", None)
        if provider is None:
            return cleaned
        instance = self.instance
        instance.provider = provider
        instance.kind = filing_kind_for(provider.kind)
        if not instance.pk:
            open_filing = services.open_filing(provider)
            if open_filing is not None:
                self.add_error("provider", _("该机构已有未办结的备案申请，请在原申请上继续"))
            elif services.filing_in_force(provider) is not None:
                self.add_error("provider", _("该机构已备案；登记事项变化请办理变更备案"))
        if cleaned.get("premises_tenure") == PremisesTenure.OWNED:
            cleaned["lease_starts_on"] = cleaned["lease_ends_on"] = None
        for name, value in cleaned.items():
            if name in {f.name for f in Filing._meta.fields}:
                setattr(instance, name, value)
        authority = AUTHORITY_BY_TYPE.get(cleaned.get("registration_type"))
        if authority and not cleaned.get("registration_authority"):
            instance.registration_authority = cleaned["registration_authority"] = authority
        for field, messages in services.fact_errors(instance).items():
            target = field if field in self.fields else None
            for message in messages:
                if target is None or target not in self._errors:
                    self.add_error(target, message)
        return cleaned


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、JPEG或PNG格式"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = _("PDF、JPEG或PNG格式，不超过%(n)sMB") % {"n": limit}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        check_upload(upload)
        return upload


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=_("问题及补正要求"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("逐条写明发现的问题和需要补正的材料"),
    )
    published = forms.BooleanField(
        label=_("向社会公布"),
        required=False,
        help_text=_("在公开的备案信息页公布本告知（请勿写入个人信息）"),
    )


class CareNetworkForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = CareNetwork
        fields = ["name", "hub", "satellites", "established_on"]
        widgets = {
            **date_widgets("established_on"),
            "satellites": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = childcare_providers(
            self.user, CHILDCARE_INSTITUTION_KINDS
        ).select_related("area")
        self.fields["hub"].label_from_instance = ProviderLabelMixin.provider_label
        self.fields["satellites"].queryset = childcare_providers(
            self.user, SATELLITE_KINDS
        ).select_related("area")
        self.fields["satellites"].label_from_instance = ProviderLabelMixin.provider_label
        self.fields["satellites"].help_text = _("社区托育点和家庭托育点")
        self.hidden_satellites = _out_of_scope(self.instance, "satellites", self.user)

    def save(self, commit=True):
        network = super().save(commit)
        if commit and self.hidden_satellites:
            network.satellites.add(*self.hidden_satellites)
        return network


class BrandChainForm(ScopedFormMixin, forms.ModelForm):
    operator_credit_code = forms.CharField(
        label=_("运营主体统一社会信用代码"),
        max_length=30,
        help_text=_("18位，按GB 32100-2015校验"),
    )

    class Meta:
        model = BrandChain
        fields = ["name", "operator_name", "operator_credit_code", "members", "established_on"]
        widgets = {
            **date_widgets("established_on"),
            "members": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = childcare_providers(self.user).select_related("area")
        self.fields["members"].label_from_instance = ProviderLabelMixin.provider_label
        self.fields["members"].required = True
        self.hidden_members = _out_of_scope(self.instance, "members", self.user)

    def clean_operator_credit_code(self):
        return normalise_credit_code(self.cleaned_data.get("operator_credit_code", ""))

    def save(self, commit=True):
        chain = super().save(commit)
        if commit and self.hidden_members:
            chain.members.add(*self.hidden_members)
        return chain


def _out_of_scope(instance, field: str, user) -> list[Provider]:
    """Linked providers the editor cannot see: kept as they are when the editor saves."""
    if not instance.pk or user is None:
        return []
    visible = Provider.objects.for_user(user).values("pk")
    return list(getattr(instance, field).exclude(pk__in=visible))
