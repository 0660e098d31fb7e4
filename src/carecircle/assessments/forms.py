"""The assessor's form: the person, the reason, two assessors, the 26 items grouped by domain,
the disease checklist, the care-risk events of the last 30 days and the coma flag.

Items, options, diseases and event kinds come from the standard's data file. The form checks
its own fields; every rule that spans fields (two assessors, windows, "首次评估") is checked by
``services.check``, which the API and the import share, and its messages land on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecircle.assessments import services
from carecircle.assessments.choices import disease_choices, reason_choices, risk_kind_choices
from carecircle.assessments.models import Assessment
from carecircle.assessments.standard import Item, standard
from carecircle.core.choices import Domain
from carecircle.institutions.choices import ProviderKind
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person

RISK_ROWS = 4


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AgencyField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Provider) -> str:
        return obj.name


def scoped_elders(user):
    """Elders the user may assess: in scope, of the elderly domain, not merged."""
    return Person.objects.for_user(user).filter(domain=Domain.ELDERLY, merged_into__isnull=True)


def item_field(item: Item) -> forms.TypedChoiceField:
    label = f"{item.code} {item.name}"
    return forms.TypedChoiceField(
        label=label,
        help_text=item.description,
        coerce=int,
        choices=[
            (o.points, _("%(p)d分　%(t)s") % {"p": o.points, "t": o.text}) for o in item.options
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("%(i)s：未评分，每一项都必须评分") % {"i": label},
            "invalid_choice": _("%(i)s：所选不是本项的选项") % {"i": label},
        },
    )


class AssessmentForm(forms.ModelForm):
    """Create (``person`` picked) or edit (the person is fixed) an assessment."""

    person = forms.ModelChoiceField(
        label=gettext_lazy("老年人"),
        queryset=Person.objects.none(),
        to_field_name="uuid",
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("请先选择被评估的老年人"),
            "invalid_choice": gettext_lazy("所选人员不在您的管辖范围内"),
        },
    )
    reason = forms.ChoiceField(label=gettext_lazy("评估原因"), choices=())
    agency = AgencyField(
        label=gettext_lazy("评估机构"),
        queryset=Provider.objects.none(),
        required=False,
        empty_label=gettext_lazy("无（非委托机构评估）"),
    )
    diseases = forms.MultipleChoiceField(
        label=gettext_lazy("疾病诊断"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "痴呆（F00–F03）或精神科专科医生诊断的其他精神和行为障碍（F04–F99）提高一个级别"
        ),
    )

    class Meta:
        model = Assessment
        fields = [
            "person",
            "assessed_on",
            "reason",
            "agency",
            "assessor_name",
            "assessor_medical",
            "second_assessor_name",
            "second_assessor_medical",
            "coma",
            "note",
        ]
        widgets = {"assessed_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "coma": gettext_lazy(
                "处于昏迷状态者直接评定为能力完全丧失（完全失能），与B.3.9意识水平分开记录"
            ),
        }

    def __init__(self, *args, user, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["reason"].choices = [("", "---------"), *reason_choices()]
        self.fields["diseases"].choices = disease_choices()
        self.fields["agency"].queryset = (
            Provider.objects.for_user(user)
            .filter(domain=Domain.ELDERLY)
            .exclude(kind=ProviderKind.ELDERLY_UNIVERSITY)
            .order_by("name")
        )
        self.fields["assessed_on"].initial = timezone.localdate
        editing = self.instance.pk is not None
        if editing:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = scoped_elders(user)
            if person is not None:
                self.fields["person"].initial = person.uuid
            self.fields["assessor_name"].initial = user.get_full_name() or user.username
        scores = self.instance.item_scores or {}
        for item in standard().items:
            self.fields[item.field_name] = item_field(item)
            if item.code in scores:
                self.fields[item.field_name].initial = scores[item.code]
        events = list(self.instance.risk_events or [])
        self.risk_rows = max(RISK_ROWS, len(events) + 1)
        kinds = [("", "---------"), *risk_kind_choices()]
        for number in range(1, self.risk_rows + 1):
            kind = forms.ChoiceField(label=_("事件类型"), choices=kinds, required=False)
            day = forms.DateField(label=_("发生日期"), required=False, widget=DateInput())
            if number <= len(events):
                kind.initial = events[number - 1].get("kind")
                day.initial = events[number - 1].get("date")
            self.fields[f"risk_kind_{number}"] = kind
            self.fields[f"risk_date_{number}"] = day
        if editing:
            self.fields["diseases"].initial = self.instance.diseases

    # Grouping for the template -------------------------------------------------------------------

    def domain_groups(self) -> list[tuple[Any, list]]:
        return [
            (domain, [self[item.field_name] for item in domain.items])
            for domain in standard().domains
        ]

    def risk_fields(self) -> list[tuple]:
        return [
            (self[f"risk_kind_{n}"], self[f"risk_date_{n}"]) for n in range(1, self.risk_rows + 1)
        ]

    def selected_person(self) -> Person | None:
        if "person" not in self.fields:
            return self.instance.person
        value = self["person"].value()
        if not value:
            return None
        return self.fields["person"].queryset.filter(uuid=value).select_related("area").first()

    # Cleaning ------------------------------------------------------------------------------------

    def collect_risk_events(self) -> list[dict]:
        events = []
        for number in range(1, self.risk_rows + 1):
            kind = self.cleaned_data.get(f"risk_kind_{number}")
            day = self.cleaned_data.get(f"risk_date_{number}")
            if kind and not day:
                self.add_error(f"risk_date_{number}", _("请填写事件发生日期"))
            elif day and not kind:
                self.add_error(f"risk_kind_{number}", _("请选择事件类型"))
            elif kind and day:
                events.append({"kind": kind, "date": day})
        return events

    def clean(self):
        cleaned = super().clean()
        events = self.collect_risk_events()
        if self.errors:
            return cleaned
        assessment = self.instance
        if "person" in self.fields:
            assessment.person = cleaned["person"]
        assessment.item_scores = {item.code: cleaned[item.field_name] for item in standard().items}
        assessment.diseases = list(cleaned.get("diseases") or [])
        assessment.risk_events = events
        for name in self.Meta.fields:
            if name != "person" and name in cleaned:
                setattr(assessment, name, cleaned[name])
        try:
            self.result = services.check(assessment)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                item = standard().item(key)
                field = item.field_name if item else key
                if field == "risk_events":
                    messages = [_("近30天照护风险事件：") + m for m in messages]
                self.add_error(field if field in self.fields else None, messages)
        return cleaned

    def save(self, commit: bool = True) -> Assessment:
        return services.record_assessment(self.instance, user=self.user)


class PersonSearchForm(forms.Form):
    """Find the elder to assess by name or by ID number (sent by POST only, R25)."""

    person_q = forms.CharField(
        label=gettext_lazy("姓名或身份证号"), max_length=30, required=False, strip=True
    )
