"""Forms of the visits app. Each takes ``user=``; the rules live in ``services`` so that the forms
and the API say the same thing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.models import Area
from carecircle.areas.services import current_units_for
from carecircle.institutions.forms import DateInput, ScopedFormMixin
from carecircle.institutions.models import Provider
from carecircle.persons.forms import VillageField, normalise_phone
from carecircle.persons.models import Person
from carecircle.visits import services
from carecircle.visits.choices import VisitFinding
from carecircle.visits.models import CareWish, Helper, HelpLog, Pairing, Visit


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form's fields (or the form when unnamed)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ProviderField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.area.name}）"


class VisitForm(ScopedFormMixin, forms.ModelForm):
    findings = forms.MultipleChoiceField(
        label=_("探访情况"),
        choices=VisitFinding.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[VisitFinding.NORMAL],
        help_text=_("可多选；“正常”不能与其他情况同时选择"),
    )
    provider = ProviderField(
        label=_("服务机构"),
        queryset=Provider.objects.none(),
        required=False,
        help_text=_("政府购买服务时承接探访的机构；村（社区）自行探访的留空"),
    )

    class Meta:
        model = Visit
        fields = [
            "visited_on",
            "mode",
            "visitor_name",
            "provider",
            "findings",
            "note",
            "follow_up_needed",
            "follow_up_note",
            "follow_up_done_on",
        ]
        widgets = {
            "visited_on": DateInput(),
            "follow_up_done_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = person
        self.fields["provider"].queryset = services.visiting_providers(person.area).select_related(
            "area"
        )
        if not self.instance.pk:
            self.fields["visited_on"].initial = timezone.localdate
            if self.user is not None:
                self.fields["visitor_name"].initial = (
                    self.user.get_full_name() or self.user.username
                )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.check_visit(
                self.instance.person,
                visited_on=cleaned["visited_on"],
                findings=cleaned.get("findings") or [],
                follow_up_needed=cleaned.get("follow_up_needed", False),
                follow_up_done_on=cleaned.get("follow_up_done_on"),
                provider=cleaned.get("provider"),
            )
        except ValidationError as exc:
            apply_errors(self, exc)
        return cleaned


class QuickVisitForm(VisitForm):
    """The due list's inline form: the usual fields of a visit that found nothing special."""

    class Meta(VisitForm.Meta):
        fields = ["visited_on", "mode", "visitor_name", "findings", "follow_up_needed", "note"]
        widgets = {"visited_on": DateInput(), "note": forms.TextInput()}


class FollowUpDoneForm(forms.Form):
    done_on = forms.DateField(
        label=_("跟进完成日期"), widget=DateInput(), initial=timezone.localdate
    )


class HelperForm(ScopedFormMixin, forms.ModelForm):
    """A helper; the phone is stored encrypted and shown masked (left blank on edit: kept)."""

    area = VillageField(label=_("所在村（社区）"), queryset=Area.objects.none())
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    class Meta:
        model = Helper
        fields = [
            "name",
            "kind",
            "area",
            "address",
            "phone",
            "latitude",
            "longitude",
            "active",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = current_units_for(self.user)
        self.fields["area"].queryset = units
        if not self.instance.pk:
            only = list(units[:2])
            if len(only) == 1:
                self.fields["area"].initial = only[0].pk
            self.fields["phone"].required = True
        else:
            self.fields["phone"].help_text = _("当前：%(m)s；仅在更改时填写") % {
                "m": self.instance.phone_masked or "—"
            }
        self.fields["latitude"].help_text = _("用于按距离推荐结对（十进制度，如 32.540000）")

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data.get("phone", ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error("longitude", _("经纬度须同时填写"))
        return cleaned

    def save(self, commit: bool = True) -> Helper:
        helper = super().save(commit=False)
        if self.cleaned_data.get("phone"):
            helper.set_phone(self.cleaned_data["phone"])
        if commit:
            helper.save()
        return helper


class PairForm(forms.Form):
    """One click on a suggestion: the helper (by public ID) and the start day."""

    helper = forms.UUIDField(widget=forms.HiddenInput)
    started_on = forms.DateField(
        label=_("结对日期"), widget=DateInput(), initial=timezone.localdate
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class EndPairingForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(
        label=_("结束原因"),
        max_length=200,
        required=False,
        help_text=_("如帮扶人外出务工、老人入住机构"),
    )


class HelpLogForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = HelpLog
        fields = ["helped_on", "kind", "minutes", "note"]
        widgets = {"helped_on": DateInput()}

    def __init__(self, *args, pairing: Pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pairing = pairing
        self.fields["helped_on"].initial = timezone.localdate
        self.fields["minutes"].initial = 60

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("helped_on"):
            try:
                services.check_help(self.instance.pairing, cleaned["helped_on"])
            except ValidationError as exc:
                apply_errors(self, exc)
        return cleaned


class CareWishForm(ScopedFormMixin, forms.ModelForm):
    preferred_provider = ProviderField(
        label=_("意向机构"),
        queryset=Provider.objects.none(),
        required=False,
    )

    class Meta:
        model = CareWish
        fields = ["registered_on", "preferred_provider", "note", "withdrawn_on"]
        widgets = {"registered_on": DateInput(), "withdrawn_on": DateInput()}

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = person
        self.fields["preferred_provider"].queryset = services.elderly_institutions().select_related(
            "area"
        )
        if not self.instance.pk:
            del self.fields["withdrawn_on"]
            self.fields["registered_on"].initial = timezone.localdate
        else:
            self.fields["withdrawn_on"].help_text = _("老人撤回意愿时填写；入住机构后无需填写")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for name in ("registered_on", "preferred_provider", "withdrawn_on"):
            if name in cleaned:
                setattr(self.instance, name, cleaned[name])
        try:
            services.check_wish(self.instance)
        except ValidationError as exc:
            apply_errors(self, exc)
        return cleaned
