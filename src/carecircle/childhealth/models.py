"""Infant health services (婴幼儿健康服务): newborn home visits, newborn screening, vaccinations
against the immunisation schedule (kept as data), scheduled health checks and early-development
guidance. Every record belongs to a child (``persons.Person``) and is seen where the child is
seen: the child's area subtree, for users working in the childcare domain."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecircle.childhealth.choices import (
    DISEASE_FIELDS,
    DISEASES,
    Checkpoint,
    GuidanceMode,
    GuidanceTopic,
    ScreeningResult,
)
from carecircle.core.models import BaseModel, area_scope_q


class VaccineDose(BaseModel):
    """One dose of the national immunisation schedule (国家免疫规划疫苗儿童免疫程序, 2021 年版),
    loaded from ``data/immunisation_schedule.json`` by a data migration; editable reference data."""

    code = models.CharField(
        _("疫苗代码"), max_length=12, help_text=_("程序表所用英文缩写，如 HepB、DTaP")
    )
    vaccine_name = models.CharField(_("疫苗名称"), max_length=30)
    dose_number = models.PositiveSmallIntegerField(
        _("剂次"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    due_months = models.PositiveSmallIntegerField(
        _("接种月龄"),
        validators=[MaxValueValidator(72)],
        help_text=_("按月龄到期；出生时剂次为0"),
    )
    due_days = models.PositiveSmallIntegerField(
        _("附加天数"), default=0, help_text=_("在接种月龄之外再加的天数，通常为0")
    )
    sequence = models.PositiveSmallIntegerField(_("顺序"), help_text=_("在程序表中的排列顺序"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("免疫程序剂次")
        verbose_name_plural = _("免疫程序剂次")
        ordering = ["sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "dose_number"],
                name="childhealth_vaccinedose_unique",
                violation_error_message=_("该疫苗该剂次已在程序中"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vaccine_name}第{self.dose_number}剂"

    @property
    def label(self) -> str:
        return f"{self.vaccine_name}第{self.dose_number}剂（{self.code}）"

    @property
    def due_age_label(self) -> str:
        if self.due_months == 0 and self.due_days == 0:
            return str(_("出生时"))
        return str(_("%(m)d月龄") % {"m": self.due_months})

    @classmethod
    def scope_q(cls, user) -> Q | None:
        """Reference data: readable by any user with an area or institution."""
        return Q() if (user.scope_area_id or user.institution_id) else None


class ChildRecord(BaseModel):
    """A service record of one child (each model declares ``child``; its unique constraint leads
    with the child and serves the lookups, so no separate index): scoped by the child's area and
    the childcare domain."""

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user) -> Q | None:
        if user.institution_id:
            return None  # the children's health records are kept by the health services only
        return area_scope_q(user, "child__area", "child__domain")


class NewbornVisit(ChildRecord):
    """新生儿家庭访视: a home visit of a newborn by a health worker."""

    child = models.ForeignKey(
        "persons.Person",
        verbose_name=_("新生儿"),
        on_delete=models.PROTECT,
        related_name="newborn_visits",
        db_index=False,
    )
    visited_on = models.DateField(_("访视日期"), db_index=True)
    visitor = models.CharField(_("访视人员"), max_length=50, help_text=_("实施访视的医务人员"))
    institution_name = models.CharField(
        _("访视机构"), max_length=150, blank=True, help_text=_("乡镇卫生院或社区卫生服务中心")
    )
    findings = models.TextField(
        _("访视情况"), max_length=2000, blank=True, help_text=_("体检所见、喂养情况和指导意见")
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("新生儿访视")
        verbose_name_plural = _("新生儿访视")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "visited_on"],
                name="childhealth_newbornvisit_unique_day",
                violation_error_message=_("该新生儿该日期已有访视记录"),
            ),
            models.CheckConstraint(
                condition=~Q(visitor=""),
                name="childhealth_newbornvisit_visitor",
                violation_error_message=_("请填写访视人员"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visitor}"

    @property
    def age_days(self) -> int:
        return (self.visited_on - self.child.birth_date).days


class NewbornScreening(ChildRecord):
    """新生儿疾病筛查: the blood sample for the four inherited diseases and the result."""

    child = models.OneToOneField(
        "persons.Person",
        verbose_name=_("新生儿"),
        on_delete=models.PROTECT,
        related_name="newborn_screening",
    )
    sampled_on = models.DateField(_("采血日期"), db_index=True)
    pku = models.BooleanField(DISEASES[0][1], default=True)
    ch = models.BooleanField(DISEASES[1][1], default=True)
    cah = models.BooleanField(DISEASES[2][1], default=True)
    g6pd = models.BooleanField(DISEASES[3][1], default=True)
    result = models.CharField(
        _("筛查结果"),
        max_length=12,
        choices=ScreeningResult.choices,
        default=ScreeningResult.PENDING,
    )
    institution_name = models.CharField(_("采血机构"), max_length=150, blank=True)
    note = models.TextField(_("说明"), max_length=1000, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("新生儿疾病筛查")
        verbose_name_plural = _("新生儿疾病筛查")
        ordering = ["-sampled_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.sampled_on} {self.get_result_display()}"

    @property
    def complete(self) -> bool:
        """All four diseases screened (counts for C04)."""
        return all(getattr(self, name) for name in DISEASE_FIELDS)

    @property
    def diseases_screened(self) -> list[str]:
        return [str(label) for name, label in DISEASES if getattr(self, name)]


def complete_screening_q(prefix: str = "") -> Q:
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}{name}": True for name in DISEASE_FIELDS})


class Vaccination(ChildRecord):
    """One dose of the schedule given to a child (预防接种)."""

    child = models.ForeignKey(
        "persons.Person",
        verbose_name=_("婴幼儿"),
        on_delete=models.PROTECT,
        related_name="vaccinations",
        db_index=False,
    )
    dose = models.ForeignKey(
        VaccineDose, verbose_name=_("疫苗剂次"), on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("接种日期"), db_index=True)
    batch = models.CharField(_("疫苗批号"), max_length=40, blank=True)
    clinic = models.CharField(
        _("接种单位"), max_length=150, blank=True, help_text=_("预防接种门诊名称")
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("预防接种")
        verbose_name_plural = _("预防接种")
        ordering = ["-given_on", "-pk"]
        permissions = [("import_childhealthrecords", _("导入婴幼儿健康服务记录"))]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "dose"],
                name="childhealth_vaccination_unique_dose",
                violation_error_message=_("该儿童已有该剂次的接种记录"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_on} {self.dose}"


class ChildHealthCheck(ChildRecord):
    """A scheduled health check (满月 and 3–36 月龄) with growth measurements."""

    child = models.ForeignKey(
        "persons.Person",
        verbose_name=_("婴幼儿"),
        on_delete=models.PROTECT,
        related_name="child_health_checks",
        db_index=False,
    )
    checked_on = models.DateField(_("检查日期"), db_index=True)
    checkpoint = models.CharField(
        _("检查月龄"), max_length=2, choices=Checkpoint.choices, help_text=_("本次为哪一次定期检查")
    )
    weight_kg = models.DecimalField(
        _("体重（kg）"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    length_cm = models.DecimalField(
        _("身长（cm）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(130)],
    )
    head_cm = models.DecimalField(
        _("头围（cm）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(25), MaxValueValidator(60)],
    )
    institution_name = models.CharField(_("检查机构"), max_length=150, blank=True)
    findings = models.TextField(_("检查所见与指导"), max_length=2000, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("儿童健康检查")
        verbose_name_plural = _("儿童健康检查")
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "checkpoint"],
                name="childhealth_childhealthcheck_unique_checkpoint",
                violation_error_message=_("该儿童该月龄的检查已有记录"),
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gte=1, weight_kg__lte=30),
                name="childhealth_childhealthcheck_weight",
                violation_error_message=_("体重应在1至30千克之间"),
            ),
            models.CheckConstraint(
                condition=Q(length_cm__isnull=True) | Q(length_cm__gte=30, length_cm__lte=130),
                name="childhealth_childhealthcheck_length",
                violation_error_message=_("身长应在30至130厘米之间"),
            ),
            models.CheckConstraint(
                condition=Q(head_cm__isnull=True) | Q(head_cm__gte=25, head_cm__lte=60),
                name="childhealth_childhealthcheck_head",
                violation_error_message=_("头围应在25至60厘米之间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.get_checkpoint_display()}"


class DevelopmentGuidance(ChildRecord):
    """婴幼儿早期发展指导 given to the child's family."""

    child = models.ForeignKey(
        "persons.Person",
        verbose_name=_("婴幼儿"),
        on_delete=models.PROTECT,
        related_name="development_guidance",
        db_index=False,
    )
    given_on = models.DateField(_("指导日期"), db_index=True)
    topic = models.CharField(_("指导内容"), max_length=12, choices=GuidanceTopic.choices)
    mode = models.CharField(_("指导方式"), max_length=10, choices=GuidanceMode.choices)
    given_by = models.CharField(_("指导人员"), max_length=50, blank=True)
    note = models.TextField(_("说明"), max_length=1000, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("早期发展指导")
        verbose_name_plural = _("早期发展指导")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "given_on", "topic"],
                name="childhealth_developmentguidance_unique",
                violation_error_message=_("该儿童该日期已有该内容的指导记录"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_on} {self.get_topic_display()}"
