"""The allocation form: the receiving area is the city itself or one of its towns in scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.funds.models import LotteryAllocation
from carecircle.institutions.filters import AreaChoiceField
from carecircle.institutions.forms import ScopedFormMixin, date_widgets


def receiving_areas(user):
    """The county (市本级) and the towns and streets of the user's area, in force today."""
    if user is None or user.scope_area_id is None:
        return Area.objects.none()
    return (
        Area.objects.subtree(user.scope_area)
        .filter(level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP])
        .current()
        .order_by("path")
    )


class LotteryAllocationForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = LotteryAllocation
        fields = ["year", "allocated_on", "area", "project", "purpose", "amount", "doc_no", "note"]
        field_classes = {"area": AreaChoiceField}
        widgets = date_widgets("allocated_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = receiving_areas(self.user)
        self.fields["amount"].error_messages["min_value"] = _("金额须大于0")
