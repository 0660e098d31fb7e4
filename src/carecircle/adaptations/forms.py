"""Forms of the adaptation pages. Every form takes ``user=``; elders are found in the user's scope
by full ID number (POSTed, never in a URL) unless the page was opened from the elder's record."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.adaptations.choices import BedEndReason
from carecircle.adaptations.models import (
    BED_PROVIDER_KINDS,
    AdaptationItem,
    AdaptationProject,
    FamilyCareBed,
)
from carecircle.adaptations.services import subsidy_cap, subsidy_cap_is_demo
from carecircle.core.fields import id_number_index
from carecircle.core.forms import IdNumberField
from carecircle.core.idnumbers import parse_resident_id
from carecircle.institutions.forms import DateInput, ScopedFormMixin, date_widgets
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person


def find_elder(number: str, queryset) -> Person:
    """The living, unmerged elder with this ID number in ``queryset``, else a form error."""
    try:
        parsed = parse_resident_id(number)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from exc
    person = (
        queryset.filter(
            id_number_index=id_number_index(parsed.number),
            merged_into__isnull=True,
            death_date__isnull=True,
            domain="elderly",
        )
        .order_by("-pk")
        .first()
    )
    if person is None:
        raise ValidationError(_("在您的管辖范围内未找到该身份证号的在册老年人"))
    return person


class ElderLookupMixin:
    """Adds the elder's ID number to a create form, unless the elder was given by the page.

    ``person_queryset()`` says where the elder is looked up (the user's scope by default).
    """

    id_field_help = _("老年人的身份证号，须已在老年人信息中登记")

    def __init__(self, *args, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if person is None:
            self.fields = {
                "id_number": IdNumberField(help_text=self.id_field_help),
                **self.fields,
            }
        else:
            self.instance.person = person

    def person_queryset(self):
        return Person.objects.for_user(self.user)

    def clean_id_number(self):
        person = find_elder(self.cleaned_data.get("id_number", ""), self.person_queryset())
        self.instance.person = person
        self.person = person
        return ""


class ProjectForm(ElderLookupMixin, ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = AdaptationProject
        fields = ["applied_on", "contractor", "contractor_name", "note"]
        widgets = date_widgets("applied_on")

    def __init__(self, *args, **kwargs):
        if not kwargs.get("instance") or not kwargs["instance"].pk:
            kwargs.setdefault("initial", {}).setdefault("applied_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # editing: the elder stays
            self.fields.pop("id_number", None)
        self.fields["contractor"].queryset = (
            Provider.objects.for_user(self.user)
            .filter(domain="elderly", status="active")
            .order_by("area__code", "name")
        )

    def clean(self):
        data = super().clean()
        if data.get("contractor") and data.get("contractor_name"):
            self.add_error("contractor_name", _("已选择施工机构时不填施工单位名称"))
        return data


class AssessForm(ScopedFormMixin, forms.Form):
    assessed_on = forms.DateField(label=_("评估日期"), widget=DateInput())
    assessment_note = forms.CharField(
        label=_("居家环境评估"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=AdaptationProject._meta.get_field("assessment_note").help_text,
    )


class StartForm(ScopedFormMixin, forms.Form):
    started_on = forms.DateField(label=_("开工日期"), widget=DateInput())


class CompleteForm(ScopedFormMixin, forms.Form):
    completed_on = forms.DateField(label=_("完工日期"), widget=DateInput())
    subsidy = forms.DecimalField(
        label=_("政府补贴（元）"), min_value=0, max_digits=10, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cap = subsidy_cap()
        note = _("每户补贴上限 %(c)s 元，且不超过改造总费用") % {"c": cap}
        if subsidy_cap_is_demo():
            note = f"{note}{_('（演示默认值，待按本地政策确认）')}"
        self.fields["subsidy"].help_text = note


class CancelForm(ScopedFormMixin, forms.Form):
    cancelled_on = forms.DateField(label=_("取消日期"), widget=DateInput())
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class ItemForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = AdaptationItem
        fields = ["kind", "description", "quantity", "unit_cost"]


# Family care beds ----------------------------------------------------------------------------


class BedForm(ElderLookupMixin, ScopedFormMixin, forms.ModelForm):
    """Set up a bed. An institution's staff set up beds of their own institution; they find the
    elder (who lives at home, outside their residents) by full ID number, audited as a search."""

    class Meta:
        model = FamilyCareBed
        fields = ["provider", "started_on", "visits_per_month", "care_plan"]
        widgets = {**date_widgets("started_on"), "care_plan": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("started_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        providers = Provider.objects.for_user(self.user).filter(kind__in=BED_PROVIDER_KINDS)
        self.fields["provider"].queryset = providers.order_by("area__code", "name")
        if self.user is not None and self.user.institution_id:
            self.fields["provider"].initial = self.user.institution_id
            self.fields["provider"].disabled = True
            self.instance.provider_id = self.user.institution_id

    def person_queryset(self):
        if self.user is not None and self.user.institution_id:
            return Person.objects.all()
        return super().person_queryset()


class BedUpdateForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = FamilyCareBed
        fields = ["visits_per_month", "care_plan"]
        widgets = {"care_plan": forms.Textarea(attrs={"rows": 4})}


class BedEndForm(ScopedFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("撤床日期"), widget=DateInput())
    end_reason = forms.ChoiceField(label=_("撤床原因"), choices=BedEndReason.choices)
