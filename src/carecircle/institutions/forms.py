"""Create and edit forms. Every form takes ``user=`` and offers only choices in the user's scope."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from carecircle.areas.models import Area
from carecircle.areas.services import lowest_units_for
from carecircle.core.fields import id_number_index
from carecircle.core.forms import IdNumberField
from carecircle.core.idnumbers import normalise_credit_code, parse_resident_id
from carecircle.institutions import services
from carecircle.institutions.choices import (
    CHILDCARE_KINDS,
    ELDERLY_INSTITUTION_KINDS,
    ServiceMode,
    SubjectKind,
)
from carecircle.institutions.filters import AreaChoiceField
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

REQUIRED = _("此项为必填项")
INVALID_CHOICE = _("请选择有效的选项")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_widgets(*names: str) -> dict[str, forms.Widget]:
    return {name: DateInput() for name in names}


class ScopedFormMixin:
    """Takes the user; Chinese messages for the common errors; checks every model constraint.

    Some fields are set by the view or the form (the provider from the URL, the person found by ID
    number) rather than typed. Django skips the constraints involving fields outside the form, so
    once the form is otherwise valid all constraints are checked against the complete instance.
    """

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED
            if "invalid_choice" in field.error_messages:
                field.error_messages["invalid_choice"] = INVALID_CHOICE
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("日期格式应为 YYYY-MM-DD")
            elif isinstance(field, (forms.IntegerField, forms.DecimalField)):
                field.error_messages["invalid"] = _("请输入数字")

    def validate_unique(self):
        super().validate_unique()
        if self._errors:
            return
        try:
            self.instance.validate_constraints()
        except ValidationError as exc:
            self.add_error(None, exc.messages)


class ProviderChildForm(ScopedFormMixin, forms.ModelForm):
    """A record of one provider, which comes from the page it was added from."""

    def __init__(self, *args, provider: Provider | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if provider is not None:
            self.instance.provider = provider


class ProviderForm(ScopedFormMixin, forms.ModelForm):
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,  # spaces and separators are dropped when the code is normalised
        required=False,
        help_text=_("18位，按GB 32100-2015校验"),
    )
    service_modes = forms.MultipleChoiceField(
        label=_("服务方式"),
        choices=ServiceMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Provider
        fields = list(Provider.EDITABLE_FIELDS)
        field_classes = {"area": AreaChoiceField}
        widgets = {
            **date_widgets("opened_on", "closed_on", "filed_on"),
            "service_areas": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        self.previous_code = self.instance.credit_code if self.instance.pk else None
        if self.instance.area_id:
            self.initial["area"] = self.instance.area.code  # the area is chosen by its code
        self.fields["kind"].choices = [("", "---------"), *services.kinds_for(user)]
        self.fields["service_areas"].queryset = lowest_units_for(user)
        if user is not None and user.institution_id:
            # An institution edits its contact, safety and service details, not its registration.
            self.fields["area"].queryset = self.fields["area"].queryset.filter(
                pk=self.instance.area_id
            )
            self.fields["kind"].choices = [(self.instance.kind, self.instance.get_kind_display())]
            for name in services.INSTITUTION_LOCKED_FIELDS:
                self.fields[name].disabled = True
            self.fields["service_areas"].queryset = self.instance.service_areas.all()
        else:
            areas = services.scoped_areas(user)
            if self.instance.pk:
                # Keep the current area selectable even if it was since merged or renamed.
                areas = Area.objects.filter(
                    Q(pk__in=areas.values("pk")) | Q(pk=self.instance.area_id)
                )
            self.fields["area"].queryset = areas

    def clean_credit_code(self):
        code = self.cleaned_data.get("credit_code", "")
        return normalise_credit_code(code) if code else ""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind:
            self.instance.domain = Provider.domain_of(kind)
        provider = Provider(
            pk=self.instance.pk,
            kind=kind or self.instance.kind,
            area=cleaned.get("area") or getattr(self.instance, "area", None),
            credit_code=cleaned.get("credit_code", ""),
        )
        if self.user is not None:
            try:
                services.check_provider(provider, self.user, previous_code=self.previous_code)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    if field in self.fields and field not in self._errors:
                        self.add_error(field, messages)
        return cleaned


class StaffForm(ScopedFormMixin, forms.ModelForm):
    id_number = IdNumberField(
        help_text=_("18位居民身份证号，仅加密保存，页面只显示脱敏号码"),
    )

    class Meta:
        model = Staff
        fields = [
            "provider",
            "name",
            "id_number",
            "phone",
            "role",
            "skill_level",
            "hired_on",
            "left_on",
        ]
        widgets = date_widgets("hired_on", "left_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.for_user(self.user).order_by("name")
        self.previous_index = self.instance.id_number_index if self.instance.pk else None
        if self.instance.pk:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("当前：%(m)s；留空表示不修改") % {
                "m": self.instance.id_number_masked
            }
        elif self.user is not None and self.user.institution_id:
            self.fields["provider"].initial = self.user.institution_id

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number", "").strip()
        if not raw:
            return ""
        self.instance.set_id_number(raw)
        return ""  # never keep the plain number in cleaned data

    def clean(self):
        cleaned = super().clean()
        index = self.instance.id_number_index
        if index and index != self.previous_index and "id_number" not in self._errors:
            try:
                services.check_person_allowed(index)
            except ValidationError as exc:
                self.add_error("id_number", exc)
        return cleaned

    def save(self, commit=True):
        if self.instance.id_number_index != self.previous_index:
            self.instance.credit_status = services.credit_status_for(self.instance.id_number_index)
        return super().save(commit)


class CapacityRecordForm(ProviderChildForm):
    class Meta:
        model = CapacityRecord
        fields = [
            "valid_from",
            "beds_total",
            "beds_nursing",
            "beds_dementia",
            "places_total",
            "places_affordable",
            "note",
        ]
        widgets = date_widgets("valid_from")


class DesignationForm(ProviderChildForm):
    class Meta:
        model = Designation
        fields = ["kind", "issuing_level", "granted_on", "revoked_on", "document_no"]
        widgets = date_widgets("granted_on", "revoked_on")


class GradeForm(ProviderChildForm):
    class Meta:
        model = Grade
        fields = ["grade", "valid_from", "valid_to", "assessed_by"]
        widgets = date_widgets("valid_from", "valid_to")
        error_messages = {
            "grade": {
                "min_value": _("等级须为1至5级"),
                "max_value": _("等级须为1至5级"),
            }
        }


class InstitutionPairForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = InstitutionPair
        fields = ["elderly_provider", "childcare_provider", "started_on", "ended_on"]
        widgets = date_widgets("started_on", "ended_on")

    def __init__(self, *args, provider: Provider | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        scoped = Provider.objects.for_user(self.user).order_by("name")
        self.fields["elderly_provider"].queryset = scoped.filter(kind__in=ELDERLY_INSTITUTION_KINDS)
        self.fields["childcare_provider"].queryset = scoped.filter(kind__in=CHILDCARE_KINDS)
        if provider is not None and not self.instance.pk:
            side = "childcare_provider" if provider.kind in CHILDCARE_KINDS else "elderly_provider"
            self.fields[side].initial = provider.pk

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("结束日期不能早于结对日期"))
        return cleaned


class ResidencyForm(ProviderChildForm):
    """Admission: the person is found by their full ID number (sent by POST, never in a URL)."""

    id_number = IdNumberField(
        help_text=_("入住人员的身份证号，须已在人员信息中登记"),
    )

    class Meta:
        model = Residency
        fields = ["id_number", "admitted_on", "bed_kind"]
        widgets = date_widgets("admitted_on")

    def clean_id_number(self):
        from carecircle.persons.models import Person

        raw = self.cleaned_data.get("id_number", "")
        number = parse_resident_id(raw).number
        person = (
            Person.objects.filter(
                id_number_index=id_number_index(number),
                merged_into__isnull=True,
                death_date__isnull=True,
            )
            .order_by("-pk")
            .first()
        )
        if person is None:
            raise ValidationError(_("未找到该身份证号的在册人员，请先办理人员登记"))
        provider = self.instance.provider
        if person.domain != provider.domain:
            raise ValidationError(_("该人员类别与机构领域不符"))
        self.instance.person = person
        return ""


class DischargeForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Residency
        fields = ["admitted_on", "discharged_on", "bed_kind"]
        widgets = date_widgets("admitted_on", "discharged_on")


class StaffChildForm(ScopedFormMixin, forms.ModelForm):
    def __init__(self, *args, staff: Staff | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.instance.staff = staff


class StaffCertificateForm(StaffChildForm):
    class Meta:
        model = StaffCertificate
        fields = ["kind", "number", "level", "issued_on", "expires_on"]
        widgets = date_widgets("issued_on", "expires_on")


class TrainingForm(StaffChildForm):
    class Meta:
        model = Training
        fields = ["course", "attended_on", "hours", "organiser"]
        widgets = date_widgets("attended_on")


class CreditListingForm(ScopedFormMixin, forms.ModelForm):
    """A person is identified by ID number (stored as blind index and mask), an organisation by
    its unified social credit code."""

    id_number = IdNumberField(
        required=False,
        help_text=_("对象为个人时填写"),
    )

    class Meta:
        model = CreditListing
        fields = [
            "subject_kind",
            "subject_name",
            "id_number",
            "credit_code",
            "list_kind",
            "listed_on",
            "removed_on",
            "authority",
            "document_no",
            "reason",
        ]
        widgets = {
            **date_widgets("listed_on", "removed_on"),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"credit_code": _("对象为机构时填写")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_index = self.instance.id_number_index
        if self.instance.pk and self.instance.id_number_masked:
            self.fields["id_number"].help_text = _("当前：%(m)s；留空表示不修改") % {
                "m": self.instance.id_number_masked
            }

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("subject_kind")
        raw_id = (cleaned.get("id_number") or "").strip()
        code = (cleaned.get("credit_code") or "").strip()
        if kind == SubjectKind.PERSON:
            cleaned["credit_code"] = self.instance.credit_code = ""
            if raw_id:
                try:
                    index, masked = services.listing_index(raw_id)
                except ValidationError as exc:
                    self.add_error("id_number", exc)
                else:
                    self.instance.id_number_index = index
                    self.instance.id_number_masked = masked
            elif not self.instance.id_number_index:
                self.add_error("id_number", _("对象为个人时须填写身份证号"))
        elif kind == SubjectKind.ORGANISATION:
            self.instance.id_number_index = self.instance.id_number_masked = ""
            if not code:
                self.add_error("credit_code", _("对象为机构时须填写统一社会信用代码"))
            else:
                try:
                    cleaned["credit_code"] = normalise_credit_code(code)
                except ValidationError as exc:
                    self.add_error("credit_code", exc)
        cleaned["id_number"] = ""
        return cleaned

    def save(self, commit=True):
        listing = super().save(commit=False)
        if commit:
            services.save_listing(listing, self.user, self.previous_index)
        return listing
