"""People served: elders (60+) and children under 3, with dated residence and hardship flags."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.core import crypto
from carecircle.core.choices import Domain, Sex
from carecircle.core.dates import years_before
from carecircle.core.fields import EncryptedIdentity
from carecircle.core.idnumbers import mask_name, mask_phone
from carecircle.core.models import BaseModel, ScopedQuerySet, area_scope_q
from carecircle.persons.choices import (
    ContactRelation,
    DisabilityKind,
    HardshipKind,
    LivingArrangement,
)

ELDER_AGE = 60


class PersonQuerySet(ScopedQuerySet):
    def present_on(self, on: dt.date) -> PersonQuerySet:
        """Alive, not moved out and not merged into another record on ``on``."""
        return self.filter(
            Q(death_date__isnull=True) | Q(death_date__gt=on),
            Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=on),
            merged_into__isnull=True,
        )

    def aged_at_least(self, years: int, on: dt.date) -> PersonQuerySet:
        return self.filter(birth_date__lte=years_before(on, years))

    def elders(self, on: dt.date) -> PersonQuerySet:
        return self.present_on(on).aged_at_least(ELDER_AGE, on)

    def children_under_3(self, on: dt.date) -> PersonQuerySet:
        """Under 36 months at ``on``: born after the same day three years earlier."""
        return self.present_on(on).filter(birth_date__gt=years_before(on, 3), birth_date__lte=on)

    def with_flag(self, kind: str, on: dt.date) -> PersonQuerySet:
        active = HardshipFlag.objects.filter(person=OuterRef("pk"), kind=kind, valid_from__lte=on)
        active = active.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        return self.filter(Exists(active))


class Person(EncryptedIdentity, BaseModel):
    domain = models.CharField(
        _("类别"),
        max_length=10,
        choices=Domain.choices,
        help_text=_("养老：60岁及以上老年人；托育：3岁以下婴幼儿"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"), editable=False, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("居住村（社区）"),
        on_delete=models.PROTECT,
        related_name="persons",
        help_text=_("现居住地，变更请使用迁居登记以保留历史"),
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    living_arrangement = models.CharField(
        _("居住状况"),
        max_length=15,
        choices=LivingArrangement.choices,
        blank=True,
        default=LivingArrangement.UNKNOWN,
    )
    disability_kind = models.CharField(
        _("残疾类别"), max_length=15, choices=DisabilityKind.choices, blank=True, default=""
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("残疾人证等级，1至4级"),
    )
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已合并至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        editable=False,
    )

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["area__code", "name"]
        permissions = [
            ("view_full_id_number", _("查看完整身份证号")),
            ("merge_person", _("合并重复人员")),
            ("import_person", _("导入人员")),
        ]
        indexes = [models.Index(fields=["name", "birth_date"], name="persons_name_birth_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=Q(death_date__isnull=True) & Q(merged_into__isnull=True),
                name="persons_person_unique_living_id",
                violation_error_message=_("该身份证号已登记（在世人员中唯一）"),
            ),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | (Q(disability_grade__gte=1) & Q(disability_grade__lte=4)),
                name="persons_person_disability_grade",
                violation_error_message=_("残疾等级须为1至4级"),
            ),
            models.CheckConstraint(
                condition=Q(death_date__isnull=True) | Q(death_date__gte=F("birth_date")),
                name="persons_person_death_after_birth",
                violation_error_message=_("死亡日期不能早于出生日期"),
            ),
        ]

    def __str__(self) -> str:
        return mask_name(self.name)

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return institution_clients_q(user.institution_id)
        return area_scope_q(user, "area", "domain")

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age_on(self, on: dt.date) -> int:
        return (
            on.year
            - self.birth_date.year
            - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        )

    def age_in_months(self, on: dt.date) -> int:
        months = (on.year - self.birth_date.year) * 12 + on.month - self.birth_date.month
        return months - (on.day < self.birth_date.day)


def institution_clients_q(provider_id: int) -> Q:
    """The people an institution serves today: its residents, the elders it serves at home under
    a home-care entitlement, those whose family care bed it runs, and the children enrolled in
    its classes (R1: nobody else)."""
    from django.apps import apps
    from django.utils import timezone

    today = timezone.localdate()
    served = [
        apps.get_model("institutions", "Residency").objects.filter(
            provider_id=provider_id, discharged_on__isnull=True
        ),
        apps.get_model("homecare", "Entitlement")
        .objects.filter(provider_id=provider_id, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)),
        apps.get_model("adaptations", "FamilyCareBed").objects.filter(
            provider_id=provider_id, ended_on__isnull=True
        ),
    ]
    condition = Q()
    for rows in served:
        condition |= Q(Exists(rows.filter(person=OuterRef("pk"))))
    enrolments = apps.get_model("enrolment", "Enrolment").objects.filter(
        provider_id=provider_id, started_on__lte=today
    )
    enrolments = enrolments.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    condition |= Q(Exists(enrolments.filter(child=OuterRef("pk"))))
    return condition


class PersonChild(BaseModel):
    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user) -> Q | None:
        inner = Person.scope_q(user)
        if inner is None:
            return None
        return Q(person__in=Person.objects.filter(inner).values("pk"))


class Residence(PersonChild):
    """Where a person lived over a period; moves between villages keep their history."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="residences"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("居住记录")
        verbose_name_plural = _("居住记录")
        ordering = ["person", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(valid_to__isnull=True),
                name="persons_residence_one_current",
                violation_error_message=_("每人只能有一条当前居住记录"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="persons_residence_dates",
                violation_error_message=_("截止日期不能早于起始日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.valid_from}"


class HardshipFlag(PersonChild):
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="hardship_flags"
    )
    kind = models.CharField(_("困难类型"), max_length=30, choices=HardshipKind.choices)
    valid_from = models.DateField(_("认定日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("困难标识")
        verbose_name_plural = _("困难标识")
        ordering = ["person", "kind", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "valid_from"],
                name="persons_hardshipflag_unique",
                violation_error_message=_("该人员该日期已有此标识"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="persons_hardshipflag_dates",
                violation_error_message=_("终止日期须晚于认定日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Contact(PersonChild):
    """A guardian or emergency contact; name and phone are encrypted (R22)."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="contacts"
    )
    relation = models.CharField(_("类型"), max_length=10, choices=ContactRelation.choices)
    relationship = models.CharField(_("关系"), max_length=20, help_text=_("如子女、父母、配偶"))
    name_encrypted = models.TextField(_("姓名（密文）"), editable=False)
    phone_encrypted = models.TextField(_("电话（密文）"), editable=False)
    name_masked = models.CharField(_("姓名"), max_length=50, editable=False)
    phone_masked = models.CharField(_("电话"), max_length=20, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("监护人/联系人")
        verbose_name_plural = _("监护人/联系人")
        ordering = ["person", "relation"]

    def __str__(self) -> str:
        return f"{self.name_masked}（{self.relationship}）"

    def set_details(self, name: str, phone: str) -> None:
        self.name_encrypted = crypto.encrypt(name, context="contact-name")
        self.phone_encrypted = crypto.encrypt(phone, context="contact-phone")
        self.name_masked = mask_name(name)
        self.phone_masked = mask_phone(phone)

    @property
    def full_name(self) -> str:
        return crypto.decrypt(self.name_encrypted, context="contact-name")

    @property
    def full_phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted, context="contact-phone")


class PersonMerge(models.Model):
    """Audit trail of a duplicate merged into the record kept."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    merged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    merged_at = models.DateTimeField(_("合并时间"), auto_now_add=True)
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("人员合并记录")
        verbose_name_plural = _("人员合并记录")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"
