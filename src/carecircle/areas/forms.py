"""Forms: the area is always chosen among the lowest-level units of the user's own subtree."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from carecircle.areas.models import Area, PopulationFact, ResidentialArea
from carecircle.areas.services import fact_problems, lowest_units_for


class LowestAreaField(forms.ModelChoiceField):
    """A village or community, sent by its statistical code and shown with its town."""

    def __init__(self, *args, **kwargs):
        kwargs["to_field_name"] = "code"  # the model field would say "id"
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Area) -> str:
        town = getattr(obj.parent, "name", "")
        return f"{town} · {obj.name}" if town else obj.name


class ScopedAreaFormMixin:
    """The ``area`` field offers only the lowest-level units in the user's subtree."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["area"]
        field.queryset = lowest_units_for(user).select_related("parent").order_by("code")
        field.error_messages["invalid_choice"] = _("请选择您管辖范围内的村（社区）")


class PopulationFactForm(ScopedAreaFormMixin, forms.ModelForm):
    class Meta:
        model = PopulationFact
        fields = ["area", "year", *PopulationFact.COUNT_FIELDS, "source"]
        field_classes = {"area": LowestAreaField}

    def clean(self):
        cleaned = super().clean()
        if not any(name in self.errors for name in PopulationFact.COUNT_FIELDS):
            for name, message in fact_problems(cleaned).items():
                if name in self.fields:
                    self.add_error(name, message)
        return cleaned


class ResidentialAreaForm(ScopedAreaFormMixin, forms.ModelForm):
    class Meta:
        model = ResidentialArea
        fields = [
            "name",
            "area",
            "kind",
            "households",
            "elderly_room_m2",
            "childcare_room_m2",
            "delivered_on",
            "address",
            "latitude",
            "longitude",
        ]
        field_classes = {"area": LowestAreaField}
        widgets = {"delivered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
