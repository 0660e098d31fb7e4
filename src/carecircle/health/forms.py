"""The health-check form: the elder is found by ID number among those in the user's scope."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.core.choices import Domain
from carecircle.core.fields import id_number_index
from carecircle.core.forms import IdNumberField
from carecircle.core.idnumbers import parse_resident_id
from carecircle.health.choices import EXAMINATION_FIELDS
from carecircle.health.models import ElderHealthCheck
from carecircle.institutions.forms import ScopedFormMixin, date_widgets
from carecircle.persons.models import Person
from carecircle.referrals.models import Hospital

CHECK_FIELDS = [
    "checked_on",
    "hospital",
    "institution_name",
    *EXAMINATION_FIELDS,
    "health_assessment",
    "guidance_given",
    "results_summary",
]


def find_elder(user, raw: str) -> Person:
    """The elder with this ID number among the user's persons, or a Chinese error."""
    number = parse_resident_id(raw).number
    person = (
        Person.objects.for_user(user)
        .filter(id_number_index=id_number_index(number), merged_into__isnull=True)
        .order_by(F("death_date").asc(nulls_first=True), "-pk")
        .first()
    )
    if person is None:
        raise ValidationError(_("未在您的管辖范围内找到该身份证号的老人"))
    if person.domain != Domain.ELDERLY:
        raise ValidationError(_("健康管理记录仅适用于老年人"))
    return person


def check_date_problem(person: Person, on) -> str | None:
    if on > timezone.localdate():
        return _("体检日期不能晚于今天")
    if on < person.birth_date:
        return _("体检日期不能早于出生日期")
    if person.death_date and on > person.death_date:
        return _("体检日期不能晚于死亡日期")
    return None


class ElderHealthCheckForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ElderHealthCheck
        fields = CHECK_FIELDS
        widgets = {**date_widgets("checked_on"), "results_summary": forms.Textarea({"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = Hospital.objects.for_user(self.user).order_by(
            "-is_primary_care", "name"
        )
        self.fields["institution_name"].required = False
        self.fields["institution_name"].help_text = _("未选择已登记机构时填写")

    def clean(self):
        cleaned = super().clean()
        hospital = cleaned.get("hospital")
        if hospital is not None:
            cleaned["institution_name"] = hospital.name
            self.instance.institution_name = hospital.name
        elif not cleaned.get("institution_name"):
            self.add_error("institution_name", _("请选择已登记机构或填写体检机构名称"))
        person = getattr(self.instance, "person", None) if self.instance.person_id else None
        on = cleaned.get("checked_on")
        if person is not None and on is not None:
            problem = check_date_problem(person, on)
            if problem:
                self.add_error("checked_on", problem)
        return cleaned


class ElderHealthCheckCreateForm(ElderHealthCheckForm):
    id_number = IdNumberField(help_text=_("体检老人的身份证号，须已在本平台登记"))

    class Meta(ElderHealthCheckForm.Meta):
        fields = ["id_number", *CHECK_FIELDS]

    def clean_id_number(self) -> str:
        try:
            self.instance.person = find_elder(self.user, self.cleaned_data.get("id_number", ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return ""
