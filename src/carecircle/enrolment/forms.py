"""Forms of classes, rosters, applications, offers and the configuration tables.

Every form takes ``user=``; the choices it offers (providers, classes, carers) come from the
user's scope. Rules that span records are checked by ``services`` and shown on the field they
concern, in Chinese.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecircle.areas.choices import AreaLevel
from carecircle.areas.models import Area
from carecircle.core.forms import IdNumberField
from carecircle.core.idnumbers import parse_resident_id
from carecircle.enrolment import services
from carecircle.enrolment.choices import EndReason, Shift
from carecircle.enrolment.models import ChildcareClass, ClassRule, PriorityGroup
from carecircle.institutions.forms import DateInput, ScopedFormMixin
from carecircle.institutions.models import Provider, Staff
from carecircle.persons.forms import normalise_phone

MAX_ROSTER_DAYS = 62
WEEKDAYS = [
    ("0", _("周一")),
    ("1", _("周二")),
    ("2", _("周三")),
    ("3", _("周四")),
    ("4", _("周五")),
    ("5", _("周六")),
    ("6", _("周日")),
]
RELATIONSHIPS = [
    ("母亲", _("母亲")),
    ("父亲", _("父亲")),
    ("祖父母", _("祖父母")),
    ("外祖父母", _("外祖父母")),
    ("其他监护人", _("其他监护人")),
]


def root_area() -> Area | None:
    return Area.objects.filter(code=settings.CARECIRCLE_ROOT_AREA).first()


def grouped_villages() -> list[tuple[str, list[tuple[str, str]]]]:
    """Villages and communities in force, grouped under their town (for a select)."""
    root = root_area()
    if root is None:
        return []
    villages = (
        Area.objects.current()
        .filter(path__startswith=root.path, level=AreaLevel.VILLAGE)
        .select_related("parent")
        .order_by("parent__code", "code")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for village in villages:
        town = village.parent.name if village.parent else ""
        groups.setdefault(town, []).append((village.code, village.name))
    return list(groups.items())


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ChildcareClass) -> str:
        return f"{obj.name}（{obj.rule.name}，{obj.get_mode_display()}）"


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return str(obj.name)


# Classes -------------------------------------------------------------------------------------


class ChildcareClassForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ChildcareClass
        fields = [
            "provider",
            "name",
            "rule",
            "mode",
            "capacity",
            "monthly_fee",
            "affordable_fee",
            "opened_on",
            "closed_on",
        ]
        widgets = {"opened_on": DateInput(), "closed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        providers = Provider.objects.for_user(self.user).childcare().order_by("name")
        self.fields["provider"].queryset = providers
        self.fields["rule"].queryset = ClassRule.objects.filter(active=True)
        if self.instance.pk:
            del self.fields["provider"]
        elif len(providers[:2]) == 1:
            self.fields["provider"].initial = providers[0].pk
        self.fields["opened_on"].initial = timezone.localdate

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The instance is filled only after clean(); the rules need the values now.
        for name, value in cleaned.items():
            setattr(self.instance, name, value)
        for problem in services.class_problems(self.instance):
            self.add_error(None, problem)
        return cleaned


class DutyForm(ScopedFormMixin, forms.Form):
    """Put carers on duty in a class over a span of days (a week's or a month's roster)."""

    staff = StaffChoiceField(
        label=_("保育人员"), queryset=Staff.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    date_from = forms.DateField(label=_("起始日期"), widget=DateInput())
    date_to = forms.DateField(label=_("截止日期"), widget=DateInput())
    weekdays = forms.MultipleChoiceField(
        label=_("星期"),
        choices=WEEKDAYS,
        initial=["0", "1", "2", "3", "4"],
        widget=forms.CheckboxSelectMultiple,
    )
    shift = forms.ChoiceField(label=_("班次"), choices=Shift.choices, initial=Shift.FULL_DAY)

    def __init__(self, *args, childcare_class: ChildcareClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.childcare_class = childcare_class
        self.fields["staff"].queryset = services.carer_staff(childcare_class.provider)
        today = timezone.localdate()
        self.fields["date_from"].initial = today
        self.fields["date_to"].initial = today + dt.timedelta(days=6)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("截止日期不能早于起始日期"))
            elif (end - start).days >= MAX_ROSTER_DAYS:
                self.add_error("date_to", _("一次最多排 %(n)d 天") % {"n": MAX_ROSTER_DAYS})
        return cleaned

    def days(self) -> list[dt.date]:
        start, end = self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        wanted = {int(day) for day in self.cleaned_data["weekdays"]}
        count = (end - start).days + 1
        return [
            start + dt.timedelta(days=i)
            for i in range(count)
            if (start + dt.timedelta(days=i)).weekday() in wanted
        ]


# Applications --------------------------------------------------------------------------------


class ApplicationForm(ScopedFormMixin, forms.Form):
    """An application for a place in one provider's class (portal and institution alike)."""

    childcare_class = ClassChoiceField(label=_("申请班级"), queryset=ChildcareClass.objects.none())
    wanted_start = forms.DateField(label=_("希望入托日期"), widget=DateInput())
    child_name = forms.CharField(label=_("婴幼儿姓名"), max_length=50)
    id_number = IdNumberField(
        label=_("婴幼儿身份证号"),
        max_length=30,
        help_text=_("18位居民身份证号，出生日期由身份证号得出"),
    )
    area = forms.ChoiceField(label=_("居住村（社区）"), choices=())
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50)
    guardian_relationship = forms.ChoiceField(label=_("与婴幼儿关系"), choices=RELATIONSHIPS)
    guardian_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    priority_groups = forms.ModelMultipleChoiceField(
        label=_("优先类别（如有）"),
        queryset=PriorityGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("机构审核时核实"),
    )
    consent = forms.BooleanField(
        label=_(
            "本人为该婴幼儿的监护人，同意将以上信息用于本次入托申请，仅所选机构和卫生健康部门可见"
        ),
    )

    def __init__(self, *args, provider: Provider, public: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.public = public
        today = timezone.localdate()
        self.fields["childcare_class"].queryset = (
            ChildcareClass.objects.filter(provider=provider)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))
            .select_related("rule")
            .order_by("rule__sort_order", "name")
        )
        self.fields["area"].choices = [("", "---------"), *grouped_villages()]
        self.fields["priority_groups"].queryset = PriorityGroup.objects.filter(active=True)
        self.fields["wanted_start"].initial = today
        self.fields["consent"].error_messages["required"] = _("须由监护人勾选同意后才能提交")

    def clean_id_number(self) -> str:
        return parse_resident_id(self.cleaned_data.get("id_number", "")).number

    def clean_guardian_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data.get("guardian_phone", ""))
        if not phone:
            raise ValidationError(_("请填写联系电话"))
        return phone

    def clean_area(self) -> Area:
        code = self.cleaned_data.get("area")
        area = Area.objects.current().filter(code=code, level=AreaLevel.VILLAGE).first()
        if area is None:
            raise ValidationError(_("请选择居住的村（社区）"))
        return area

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        childcare_class = cleaned.get("childcare_class")
        wanted = cleaned.get("wanted_start")
        if not (number and childcare_class and wanted):
            return cleaned
        birth = parse_resident_id(number).birth_date
        for field, message in services.application_problems(
            self.provider, childcare_class, birth, wanted, public=self.public
        ):
            self.add_error(field, message)
        if not self.errors and services.open_application_exists(self.provider, number):
            self.add_error("id_number", services.already_applied_message())
        return cleaned


class ReviewForm(forms.Form):
    """Put a reviewed application on the waiting list with the priority groups checked."""

    priority_groups = forms.ModelMultipleChoiceField(
        label=_("核实后的优先类别"),
        queryset=PriorityGroup.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class OfferForm(ScopedFormMixin, forms.Form):
    childcare_class = ClassChoiceField(label=_("录取班级"), queryset=ChildcareClass.objects.none())
    start_on = forms.DateField(label=_("入托日期"), widget=DateInput())
    out_of_order_reason = forms.CharField(
        label=_("未按候补顺序的原因"),
        max_length=200,
        required=False,
        help_text=_("候补名单中前面还有人尚未录取时必填"),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["childcare_class"].queryset = (
            ChildcareClass.objects.filter(provider_id=application.provider_id)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))
            .select_related("rule")
        )
        self.fields["childcare_class"].initial = application.childcare_class_id
        self.fields["start_on"].initial = max(application.wanted_start, today)


class AcceptForm(ScopedFormMixin, forms.Form):
    start_on = forms.DateField(label=_("入托日期"), widget=DateInput())


class EndEnrolmentForm(ScopedFormMixin, forms.Form):
    on = forms.DateField(label=_("离托日期"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.ChoiceField(label=_("离托原因"), choices=EndReason.choices)


# Configuration -------------------------------------------------------------------------------


class ClassRuleForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ClassRule
        fields = [
            "name",
            "min_months",
            "max_months",
            "max_children",
            "children_per_carer",
            "is_local_rule",
            "source",
            "sort_order",
            "active",
        ]

    def clean(self):
        cleaned = super().clean()
        size = cleaned.get("max_children")
        if size and self.instance.pk:
            larger = (
                ChildcareClass.objects.filter(rule=self.instance, capacity__gt=size)
                .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=timezone.localdate()))
                .count()
            )
            if larger:
                self.add_error(
                    "max_children",
                    _("有 %(n)d 个在用班级的核定人数超过 %(s)d，请先调整这些班级")
                    % {"n": larger, "s": size},
                )
        return cleaned


class PriorityGroupForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = PriorityGroup
        fields = ["code", "name", "rank", "description", "active"]
