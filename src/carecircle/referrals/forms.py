"""Hospital and referral forms. Choices are scoped to the user; persons are found by ID number
(sent by POST only, never in a URL: R25)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.core.choices import Domain
from carecircle.core.fields import id_number_index
from carecircle.core.forms import IdNumberField
from carecircle.core.idnumbers import normalise_credit_code, parse_resident_id
from carecircle.institutions.filters import AreaChoiceField
from carecircle.institutions.forms import ScopedFormMixin
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person
from carecircle.referrals.choices import Direction, Urgency
from carecircle.referrals.icd10 import COMMON_DIAGNOSES, icd10_problem, normalise_icd10
from carecircle.referrals.models import Hospital


def scoped_areas(user):
    """Towns and villages (and the county itself) a user may place a hospital in."""
    if user is None or user.scope_area_id is None:
        return Area.objects.none()
    return (
        Area.objects.subtree(user.scope_area)
        .filter(
            level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE],
            valid_to__isnull=True,
        )
        .order_by("path")
    )


class HospitalForm(ScopedFormMixin, forms.ModelForm):
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,  # separators and spaces are dropped when the code is normalised
        help_text=_("18位，按GB 32100-2015校验"),
    )

    class Meta:
        model = Hospital
        fields = [
            "name",
            "credit_code",
            "level",
            "grade",
            "is_primary_care",
            "area",
            "address",
            "phone",
        ]
        field_classes = {"area": AreaChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = scoped_areas(self.user)

    def clean_credit_code(self) -> str:
        return normalise_credit_code(self.cleaned_data.get("credit_code", ""))


class DatalistInput(forms.TextInput):
    """A text input with suggestions (an HTML ``datalist``; no script needed)."""

    template_name = "referrals/_datalist_input.html"

    def __init__(self, options, attrs=None):
        super().__init__(attrs)
        self.options = options

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id', name)}-options"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["options"] = [(code, str(label)) for code, label in self.options]
        return context


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ReferralForm(forms.Form):
    """An institution refers a resident up to a hospital, or records a hospital's down-referral
    to it. Institution staff refer from (or to) their own institution only."""

    direction = forms.ChoiceField(label=_("转诊方向"), choices=Direction.choices)
    id_number = IdNumberField(help_text=_("被转诊老人的身份证号，须已在本平台登记"))
    provider = forms.ModelChoiceField(
        label=_("养老机构"),
        queryset=Provider.objects.none(),
        help_text=_("上转时为转出机构，下转时为接收机构"),
    )
    hospital = forms.ModelChoiceField(
        label=_("医院"),
        queryset=Hospital.objects.none(),
        help_text=_("上转时为接收医院，下转时为转出医院"),
    )
    referred_on = forms.DateTimeField(
        label=_("转诊时间"),
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    diagnosis_code = forms.CharField(
        label=_("诊断编码（ICD-10）"),
        max_length=16,
        widget=DatalistInput(COMMON_DIAGNOSES),
        help_text=_("如 I63.9（脑梗死）、J18.9（肺炎）"),
    )
    diagnosis_text = forms.CharField(label=_("诊断名称"), max_length=100)
    reason = forms.CharField(
        label=_("转诊原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        kwargs.setdefault("initial", {}).setdefault(
            "referred_on", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("此项为必填项")
            if "invalid_choice" in field.error_messages:
                field.error_messages["invalid_choice"] = _("请选择有效的选项")
        self.fields["referred_on"].error_messages["invalid"] = _("时间格式应为 YYYY-MM-DD HH:MM")
        providers = Provider.objects.for_user(user).elderly_institutions().order_by("name")
        self.fields["provider"].queryset = providers
        self.fields["hospital"].queryset = Hospital.objects.for_user(user).order_by(
            "-level", "name"
        )
        self.own_institution = user is not None and bool(user.institution_id)
        if self.own_institution:
            # Their own institution is the institution side: not a choice.
            del self.fields["provider"]
        self.person: Person | None = None

    def clean_diagnosis_code(self) -> str:
        code = normalise_icd10(self.cleaned_data.get("diagnosis_code", ""))
        problem = icd10_problem(code)
        if problem:
            raise ValidationError(problem)
        return code

    def clean_referred_on(self):
        value = self.cleaned_data.get("referred_on")
        if value and value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("转诊时间不能晚于现在"))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.own_institution:
            cleaned["provider"] = (
                Provider.objects.elderly_institutions().filter(pk=self.user.institution_id).first()
            )
            if cleaned["provider"] is None:
                raise ValidationError(_("您所在机构不是养老机构，不能办理双向转诊"))
        raw = cleaned.get("id_number")
        if not raw:
            return cleaned
        try:
            number = parse_resident_id(raw).number
        except ValidationError as exc:
            self.add_error("id_number", exc)
            return cleaned
        candidates = Person.objects.filter(
            id_number_index=id_number_index(number),
            merged_into__isnull=True,
            death_date__isnull=True,
        ).order_by(F("moved_out_on").asc(nulls_first=True), "-pk")
        if cleaned.get("direction") == Direction.UP or not self.own_institution:
            # Up-referrals are of the institution's own residents; officers refer the elders of
            # their area. A down-referral may bring someone the institution has not admitted yet.
            candidates = candidates.filter(pk__in=Person.objects.for_user(self.user).values("pk"))
        person = candidates.first()
        if person is None:
            self.add_error("id_number", _("未在您的管辖范围内找到该身份证号的在册老人"))
        elif person.domain != Domain.ELDERLY:
            self.add_error("id_number", _("双向转诊仅适用于老年人"))
        else:
            self.person = person
        cleaned["id_number"] = ""  # never kept beyond the lookup
        return cleaned


class RejectForm(forms.Form):
    reject_reason = forms.CharField(label=_("拒绝原因"), max_length=200)


class FhirUploadForm(forms.Form):
    file = forms.FileField(label=_("FHIR Bundle 文件（JSON）"))
