"""Forms of the family portal: the search (GET, no personal data), the application (POST) and
the status look-up (POST)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from carecircle.areas.models import Area
from carecircle.enrolment.forms import ApplicationForm
from carecircle.enrolment.models import ClassRule
from carecircle.institutions.choices import ServiceMode
from carecircle.portal import services

CHILDCARE, ELDERLY = "childcare", "elderly"


class SearchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("找服务"),
        choices=[(CHILDCARE, _("托育")), (ELDERLY, _("养老"))],
        required=False,
    )
    area = forms.ChoiceField(label=_("在哪里附近"), required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    rule = forms.ModelChoiceField(
        label=_("年龄段"),
        queryset=ClassRule.objects.filter(active=True),
        required=False,
        empty_label=_("不限"),
    )
    mode = forms.ChoiceField(
        label=_("服务方式"), choices=[("", _("不限")), *ServiceMode.choices], required=False
    )
    group = forms.ChoiceField(
        label=_("服务类型"),
        choices=[
            ("", _("不限")),
            (services.INSTITUTION, _("养老机构（入住）")),
            (services.COMMUNITY, _("社区居家养老服务")),
        ],
        required=False,
    )
    max_price = forms.DecimalField(
        label=_("月费不超过（元）"),
        required=False,
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "100"}),
    )
    affordable = forms.BooleanField(label=_("只看普惠"), required=False)
    vacancy = forms.BooleanField(label=_("只看有空位"), required=False)

    def __init__(self, *args, tree=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices: list = [("", _("请选择镇（街道）或村（社区）"))]
        for town, villages in tree or services.area_tree():
            group = [(town.code, f"{town.name}（{_('全部')}）")]
            group += [(village.code, village.name) for village in villages]
            choices.append((town.name, group))
        self.fields["area"].choices = choices

    @property
    def kind_value(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("kind") or CHILDCARE
        return CHILDCARE

    def origin(self) -> tuple[services.Point | None, Area | None]:
        """The point searched from: a clicked point, else the chosen area's centroid."""
        data = self.cleaned_data
        lat, lon = data.get("lat"), data.get("lon")
        if lat is not None and lon is not None:
            point = services.Point(lat, lon)
            if services.within_city(point):
                return point, None
        code = data.get("area")
        area = Area.objects.filter(code=code).first() if code else None
        return (services.area_point(area) if area else None), area


class PortalApplicationForm(ApplicationForm):
    """The family's application; a field hidden from people catches form-filling robots."""

    website = forms.CharField(
        label=_("网址（请勿填写）"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(_("提交未通过校验"))
        return cleaned


class StatusForm(forms.Form):
    reference_code = forms.CharField(
        label=_("申请编号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "TY-XXXX-XXXX-XXXX"}),
    )
    id_last4 = forms.CharField(
        label=_("婴幼儿身份证号后四位"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def clean_id_last4(self) -> str:
        value = self.cleaned_data["id_last4"].strip().upper()
        if not (value[:3].isdigit() and (value[3].isdigit() or value[3] == "X")):
            raise ValidationError(_("请输入身份证号最后4位（末位可为X）"))
        return value
