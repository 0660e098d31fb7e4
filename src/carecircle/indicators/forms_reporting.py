"""Forms of the reporting pages: entry, decisions, notes and period actions.

The rules live in ``reporting`` and ``periods_admin``; the forms only parse input and run the same
checks early, so an error shows next to the field it concerns.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecircle.indicators import reporting
from carecircle.indicators.models import VALUE_DIGITS, Indicator


def _decimal(label, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=VALUE_DIGITS["max_digits"],
        decimal_places=VALUE_DIGITS["decimal_places"],
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def range_hint(indicator: Indicator) -> str:
    """The unit and the plausible range, as shown next to the value field."""
    low, high = indicator.min_value, indicator.max_value
    unit = indicator.unit_text
    if low is not None and high is not None:
        return _("单位：%(unit)s；合理范围 %(low)s～%(high)s") % {
            "unit": unit,
            "low": reporting.plain(low),
            "high": reporting.plain(high),
        }
    if low is not None:
        return _("单位：%(unit)s；不小于 %(low)s") % {"unit": unit, "low": reporting.plain(low)}
    return _("单位：%(unit)s") % {"unit": unit}


def add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` next to the fields it names (others on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


class ReportForm(forms.Form):
    """One reported value: the value, optional numerator and denominator, a comment."""

    value = _decimal(gettext_lazy("数值"), required=True)
    numerator = _decimal(gettext_lazy("分子"))
    denominator = _decimal(gettext_lazy("分母"))
    comment = forms.CharField(
        label=gettext_lazy("填报说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["value"].help_text = range_hint(indicator)
        if indicator.is_ratio:
            self.fields["numerator"].help_text = _("选填；与分母同时填写，数值须与分子÷分母一致")
            self.fields["denominator"].help_text = _("选填；如参保人数对应的应参保人数")
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]

    def clean(self):
        data = super().clean()
        value = data.get("value")
        if value is not None and "value" not in self.errors:
            try:
                reporting.check_value(self.indicator, value)
                reporting.check_figures(
                    self.indicator, value, data.get("numerator"), data.get("denominator")
                )
            except ValidationError as exc:
                add_service_error(self, exc)
        return data


class ReasonForm(forms.Form):
    """The reason of a rejection, an unlock or a republication."""

    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写原因")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("请填写原因"))
        return reason


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("备注"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写备注内容")},
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("请填写备注内容"))
        return text


class PeriodNoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)
