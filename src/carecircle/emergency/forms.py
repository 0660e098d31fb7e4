"""Forms of the emergency pages. Elders are found in the user's scope by full ID number (POSTed,
never in a URL) unless the page was opened from the elder's coverage page."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.adaptations.forms import ElderLookupMixin
from carecircle.emergency.choices import CallOutcome, DeviceKind
from carecircle.emergency.models import CallDevice, CallEvent
from carecircle.emergency.services import coverage_of
from carecircle.institutions.forms import DateInput, ScopedFormMixin, date_widgets


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DeviceForm(ElderLookupMixin, ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = CallDevice
        fields = ["kind", "serial", "enrolled_on", "note"]
        widgets = date_widgets("enrolled_on")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("enrolled_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("kind") == DeviceKind.HOTLINE and data.get("serial", "").strip():
            self.add_error("serial", _("热线登记不填设备编号"))
        if data.get("kind"):
            # Checked with the model's constraints next: the coverage follows from the kind.
            self.instance.coverage = coverage_of(data["kind"])
        return data


class DeviceEndForm(ScopedFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("停用日期"), widget=DateInput())


class CallForm(ElderLookupMixin, ScopedFormMixin, forms.ModelForm):
    """Register a call. The device is offered when the elder is known from the page."""

    class Meta:
        model = CallEvent
        fields = ["called_at", "kind", "device", "responder_name", "note"]
        widgets = {"called_at": DateTimeInput()}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "called_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.fields["called_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.person is not None:
            self.fields["device"].queryset = CallDevice.objects.filter(
                person=self.person, ended_on__isnull=True
            )
        else:
            self.fields.pop("device")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处置结果"), choices=CallOutcome.choices)
    note = forms.CharField(label=_("处置说明"), max_length=300, required=False)
