"""Forms of the persons app. Every form takes ``user=`` so area choices stay inside the user's
subtree; the ID number is validated per GB 11643 and birth date and sex come from it (R14)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.models import Area
from carecircle.areas.services import current_units_for
from carecircle.core.choices import Domain
from carecircle.core.forms import IdNumberField
from carecircle.core.idnumbers import parse_resident_id
from carecircle.persons.choices import DisabilityKind
from carecircle.persons.models import Contact, HardshipFlag, Person
from carecircle.persons.services import register_person, validate_id_number

PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


def normalise_phone(raw: str) -> str:
    """Full-width digits to ASCII, spaces dropped; raise a Chinese error if it is not a phone."""
    phone = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or ""))
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationError(_("电话号码格式不正确：应为11位手机号或固定电话"))
    return phone


class VillageField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name}（{obj.code}）"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def not_in_future(value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天"))


class PersonForm(forms.ModelForm):
    """Register (``domain=`` given) or edit a person. The village changes only through a move."""

    id_number = IdNumberField(
        max_length=30,
        help_text=_("18位居民身份证号（或15位旧号）；出生日期和性别由身份证号自动得出"),
    )
    area = VillageField(label=_("居住村（社区）"), queryset=Area.objects.none())

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "area",
            "address",
            "phone",
            "living_arrangement",
            "disability_kind",
            "disability_grade",
        ]

    def __init__(self, *args, user, domain: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.domain = domain or self.instance.domain
        if self.instance.pk:
            del self.fields["area"]
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("当前：%(m)s；仅在更正时填写") % {
                "m": self.instance.id_number_masked
            }
        else:
            units = current_units_for(user)
            self.fields["area"].queryset = units
            only = units[:2]
            if len(only) == 1:
                # A village worker's one village: preselected rather than picked from a list.
                self.fields["area"].initial = only[0].pk
        if self.domain == Domain.CHILDCARE:
            for name in ("living_arrangement", "disability_kind", "disability_grade"):
                self.fields.pop(name, None)

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number", "")
        if not raw and self.instance.pk:
            return ""
        # The age rule applies at registration: for a correction, on the date of entry.
        on = self.instance.created_at.date() if self.instance.pk else None
        parsed = validate_id_number(raw, self.domain, exclude_pk=self.instance.pk, on=on)
        return parsed.number

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("disability_kind")
        grade = cleaned.get("disability_grade")
        if grade and kind == DisabilityKind.NONE:
            self.add_error("disability_grade", _("未选择残疾类别时不能填写残疾等级"))
        return cleaned

    def save(self, commit: bool = True) -> Person:
        person = super().save(commit=False)
        if not person.pk:
            person.domain = self.domain
        if self.cleaned_data.get("id_number"):
            person.set_id_number(self.cleaned_data["id_number"])
        if commit:
            if person.pk:
                person.save()
            else:
                register_person(person)
        return person


class HardshipFlagForm(forms.ModelForm):
    class Meta:
        model = HardshipFlag
        fields = ["kind", "valid_from", "valid_to", "note"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, user, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance.person = person
        self.fields["valid_from"].validators.append(not_in_future)

    def clean(self):
        cleaned = super().clean()
        kind, start = cleaned.get("kind"), cleaned.get("valid_from")
        person = self.instance.person
        if start and start < person.birth_date:
            self.add_error("valid_from", _("认定日期不能早于出生日期"))
        if (
            kind
            and start
            and HardshipFlag.objects.filter(person=person, kind=kind, valid_from=start)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("kind", _("该人员该日期已有此标识"))
        return cleaned


class ContactForm(forms.ModelForm):
    """A guardian or emergency contact; name and phone are stored encrypted (R22)."""

    contact_name = forms.CharField(label=_("姓名"), max_length=50)
    contact_phone = forms.CharField(label=_("电话"), max_length=20)

    class Meta:
        model = Contact
        fields = ["relation", "relationship", "contact_name", "contact_phone"]

    def __init__(self, *args, user, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance.person = person

    def clean_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("contact_phone", ""))

    def save(self, commit: bool = True) -> Contact:
        contact = super().save(commit=False)
        contact.set_details(
            self.cleaned_data["contact_name"].strip(), self.cleaned_data["contact_phone"]
        )
        if commit:
            contact.save()
        return contact


class MoveForm(forms.Form):
    """A move to another village (or address): the current residence closes on that date."""

    area = VillageField(label=_("新居住村（社区）"), queryset=Area.objects.none())
    on = forms.DateField(
        label=_("迁居日期"),
        widget=DateInput(),
        validators=[not_in_future],
        initial=timezone.localdate,
    )
    address = forms.CharField(label=_("新住址"), max_length=200, required=False)

    def __init__(self, *args, user, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = person
        self.fields["area"].queryset = current_units_for(user)


class StatusForm(forms.Form):
    """Record a death or a move out of Hai'an."""

    DEATH = "death"
    MOVE_OUT = "move_out"

    kind = forms.ChoiceField(label=_("类型"), choices=[(DEATH, _("死亡")), (MOVE_OUT, _("迁出"))])
    on = forms.DateField(label=_("日期"), widget=DateInput(), validators=[not_in_future])

    def __init__(self, *args, user, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = person


class MergeForm(forms.Form):
    kept = forms.UUIDField(label=_("保留的记录"))
    merged = forms.UUIDField(label=_("并入的记录"))
    reason = forms.CharField(label=_("合并原因"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kept") and cleaned.get("kept") == cleaned.get("merged"):
            raise ValidationError(_("不能将记录与自身合并"))
        return cleaned


class IdSearchForm(forms.Form):
    """Look a person up by ID number. Sent by POST only, so the number never enters a URL."""

    id_number = IdNumberField(
        max_length=30,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_id_number(self) -> str:
        return parse_resident_id(self.cleaned_data["id_number"]).number
