"""Forms of the infant health records. A new record's child is found by ID number among the
children in the user's scope, or comes from the child's record page (``?child=<uuid>``)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecircle.childhealth import schedule
from carecircle.childhealth.choices import Checkpoint
from carecircle.childhealth.models import (
    ChildHealthCheck,
    DevelopmentGuidance,
    NewbornScreening,
    NewbornVisit,
    Vaccination,
    VaccineDose,
)
from carecircle.core.choices import Domain
from carecircle.core.fields import id_number_index
from carecircle.core.forms import IdNumberField
from carecircle.core.idnumbers import parse_resident_id
from carecircle.institutions.forms import ScopedFormMixin, date_widgets
from carecircle.persons.models import Person

# A scheduled check may be done from 15 days before its age until the next check falls due.
CHECK_EARLY_DAYS = 15


def find_child(user, raw: str) -> Person:
    """The child with this ID number among the user's persons, or a Chinese error."""
    number = parse_resident_id(raw).number
    person = (
        Person.objects.for_user(user)
        .filter(id_number_index=id_number_index(number), merged_into__isnull=True)
        .order_by(F("death_date").asc(nulls_first=True), "-pk")
        .first()
    )
    if person is None:
        raise ValidationError(_("未在您的管辖范围内找到该身份证号的儿童"))
    if person.domain != Domain.CHILDCARE:
        raise ValidationError(_("婴幼儿健康服务记录仅适用于婴幼儿"))
    return person


def date_problem(child: Person, on: dt.date) -> str | None:
    if on > timezone.localdate():
        return _("服务日期不能晚于今天")
    if on < child.birth_date:
        return _("服务日期不能早于出生日期")
    if child.death_date and on > child.death_date:
        return _("服务日期不能晚于死亡日期")
    return None


def checkpoint_problem(child: Person, checkpoint: str, on: dt.date) -> str | None:
    """A scheduled check belongs to the child's age: from 15 days before it until the next."""
    (due,) = schedule.check_items([Checkpoint(checkpoint)])
    earliest = due.due_on(child.birth_date) - dt.timedelta(days=CHECK_EARLY_DAYS)
    closes = due.closes_on(child.birth_date)
    if on < earliest or (closes is not None and on >= closes):
        return _("检查日期与所选月龄不符（应在 %(a)s 至 %(b)s 之间）") % {
            "a": earliest.isoformat(),
            "b": (closes - dt.timedelta(days=1)).isoformat() if closes else "—",
        }
    return None


class ChildRecordForm(ScopedFormMixin, forms.ModelForm):
    """Checks the service date against the child's life; subclasses name ``date_field``."""

    date_field = ""

    def __init__(self, *args, child: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if child is not None:
            self.instance.child = child

    @property
    def child(self) -> Person | None:
        return self.instance.child if self.instance.child_id else None

    def clean(self):
        cleaned = super().clean()
        on = cleaned.get(self.date_field)
        if self.child is not None and on is not None:
            problem = date_problem(self.child, on)
            if problem:
                self.add_error(self.date_field, problem)
        return cleaned


class ByIdNumberMixin(forms.Form):
    """For a new record without a child from the page: the child's ID number."""

    id_number = IdNumberField(help_text=gettext_lazy("儿童的身份证号，须已在本平台登记"))

    def __init__(self, *args, child: Person | None = None, **kwargs):
        super().__init__(*args, child=child, **kwargs)
        if child is not None:
            del self.fields["id_number"]
        else:
            self.order_fields(["id_number"])

    def clean_id_number(self) -> str:
        try:
            self.instance.child = find_child(self.user, self.cleaned_data.get("id_number", ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return ""


class NewbornVisitForm(ChildRecordForm):
    date_field = "visited_on"

    class Meta:
        model = NewbornVisit
        fields = ["visited_on", "visitor", "institution_name", "findings"]
        widgets = {**date_widgets("visited_on"), "findings": forms.Textarea({"rows": 4})}


class NewbornScreeningForm(ChildRecordForm):
    date_field = "sampled_on"

    class Meta:
        model = NewbornScreening
        fields = ["sampled_on", "pku", "ch", "cah", "g6pd", "result", "institution_name", "note"]
        widgets = {**date_widgets("sampled_on"), "note": forms.Textarea({"rows": 3})}


class VaccinationForm(ChildRecordForm):
    date_field = "given_on"

    class Meta:
        model = Vaccination
        fields = ["dose", "given_on", "batch", "clinic"]
        widgets = date_widgets("given_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dose"].queryset = VaccineDose.objects.all()
        self.fields["dose"].label_from_instance = lambda d: f"{d.label} · {d.due_age_label}"


class ChildHealthCheckForm(ChildRecordForm):
    date_field = "checked_on"

    class Meta:
        model = ChildHealthCheck
        fields = [
            "checkpoint",
            "checked_on",
            "weight_kg",
            "length_cm",
            "head_cm",
            "institution_name",
            "findings",
        ]
        widgets = {**date_widgets("checked_on"), "findings": forms.Textarea({"rows": 4})}

    def clean(self):
        cleaned = super().clean()
        on, checkpoint = cleaned.get("checked_on"), cleaned.get("checkpoint")
        if self.child is not None and on and checkpoint and "checked_on" not in self.errors:
            problem = checkpoint_problem(self.child, checkpoint, on)
            if problem:
                self.add_error("checked_on", problem)
        return cleaned


class DevelopmentGuidanceForm(ChildRecordForm):
    date_field = "given_on"

    class Meta:
        model = DevelopmentGuidance
        fields = ["given_on", "topic", "mode", "given_by", "note"]
        widgets = {**date_widgets("given_on"), "note": forms.Textarea({"rows": 3})}


class NewbornVisitCreateForm(ByIdNumberMixin, NewbornVisitForm):
    pass


class NewbornScreeningCreateForm(ByIdNumberMixin, NewbornScreeningForm):
    pass


class VaccinationCreateForm(ByIdNumberMixin, VaccinationForm):
    pass


class ChildHealthCheckCreateForm(ByIdNumberMixin, ChildHealthCheckForm):
    pass


class DevelopmentGuidanceCreateForm(ByIdNumberMixin, DevelopmentGuidanceForm):
    pass
