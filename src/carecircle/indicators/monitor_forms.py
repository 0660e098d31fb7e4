"""Forms of the definition page: the indicator's editable fields and a yearly target."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from carecircle.accounts.choices import DepartmentKind
from carecircle.indicators.editing import EDITABLE_FIELDS
from carecircle.indicators.models import FIRST_YEAR, TARGET_YEAR, VALUE_DIGITS, Indicator

OWNER_KINDS = [
    (value, label)
    for value, label in DepartmentKind.choices
    if value not in (DepartmentKind.TOWN, DepartmentKind.VILLAGE, DepartmentKind.IT)
]


class IndicatorDefinitionForm(forms.ModelForm):
    owner_departments = forms.MultipleChoiceField(
        label=_("责任部门"),
        choices=OWNER_KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Indicator
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "formula_zh": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("合理上限不能小于合理下限"))
        return data

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class TargetForm(forms.Form):
    area = forms.ChoiceField(label=_("区划"))
    year = forms.TypedChoiceField(
        label=_("年份"),
        coerce=int,
        choices=[(y, str(y)) for y in range(FIRST_YEAR, TARGET_YEAR + 1)],
        initial=TARGET_YEAR,
    )
    value = forms.DecimalField(label=_("目标值"), **VALUE_DIGITS)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = list(area_choices)
